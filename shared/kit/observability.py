"""JSON logs that carry request and event ids, Prometheus metrics, trace context."""

import contextvars
import json
import logging
import os
import sys
from datetime import UTC, datetime

from prometheus_client import Counter, Gauge, Histogram

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
event_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("event_id", default=None)
traceparent_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "traceparent", default=None
)

HTTP_REQUESTS = Counter(
    "lotse_http_requests_total", "HTTP requests served", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "lotse_http_request_duration_seconds",
    "Time to serve an HTTP request",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_PUBLISHED = Counter(
    "lotse_events_published_total", "Events the outbox relay published", ["topic"]
)
EVENTS_CONSUMED = Counter(
    "lotse_events_consumed_total", "Events consumers handled", ["group", "type", "outcome"]
)
OUTBOX_PENDING = Gauge("lotse_outbox_pending", "Outbox rows not yet published", ["service"])
OUTBOX_REFILLS = Counter(
    "lotse_outbox_refills_total",
    "Refills started because the broker lost the history of a topic",
    ["service", "topic"],
)
OUTBOX_REFILL_PENDING = Gauge(
    "lotse_outbox_refill_pending", "Events a refill still has to publish again", ["service"]
)
OUTBOX_REFILL_PUBLISHED = Counter(
    "lotse_outbox_refill_published_total",
    "Events published again to refill a broker that lost its history",
    ["service", "topic"],
)


def current_traceparent() -> str | None:
    """The W3C traceparent of the work in progress, to carry into events."""
    return traceparent_var.get()


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id and event id in scope."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if rid := request_id_var.get():
            entry["request_id"] = rid
        if eid := event_id_var.get():
            entry["event_id"] = eid
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every log line of this process to stderr as JSON."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("LOTSE_LOG_LEVEL", level).upper())
    for noisy in ("aiokafka", "kafka"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    # One line per proxied request would double the access log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
