"""CloudEvents 1.0 in Kafka binary mode, and the registry of Lotse event types.

An event travels as a Kafka record: attributes as `ce_*` headers, the payload as
JSON value, the aggregate id as key. Payload models subclass EventPayload and name
their type (`de.lotse.<aggregate>.<verb>.v1`) and topic; a process reads the types
of the EventRegistry it is given (the platform's is shared.contracts.REGISTRY).
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


class EventPayload(BaseModel):
    """Base of every event payload: the contract names its CloudEvents type and topic."""

    event_type: ClassVar[str]
    """`de.lotse.<aggregate>.<verb>.v<n>`"""
    topic: ClassVar[str]
    """The topic of the context that owns the aggregate."""


class EventRegistry:
    """The event types a process can read, listed explicitly (see shared.contracts)."""

    def __init__(self, *payloads: type[EventPayload]) -> None:
        self._models: dict[str, type[EventPayload]] = {}
        for model in payloads:
            known = self._models.get(model.event_type)
            if known is not None and known is not model:
                raise ValueError(f"event type {model.event_type} is registered twice")
            self._models[model.event_type] = model

    def model(self, event_type: str) -> type[EventPayload] | None:
        """The payload model of `event_type`, or None when this registry lacks it."""
        return self._models.get(event_type)

    def __contains__(self, model: object) -> bool:
        return (
            isinstance(model, type) and self._models.get(getattr(model, "event_type", "")) is model
        )

    def __iter__(self) -> Iterator[type[EventPayload]]:
        """Every registered payload model, ordered by event type."""
        return iter(self._models[name] for name in sorted(self._models))

    def json_schemas(self) -> dict[str, dict[str, Any]]:
        """JSON Schema of every event payload, keyed by event type."""
        return {m.event_type: m.model_json_schema(mode="serialization") for m in self}


class InvalidEvent(Exception):
    """A record that is not a Lotse event we can read; it goes to the DLQ."""


@dataclass(frozen=True)
class CloudEvent:
    """One event: CloudEvents attributes plus the typed payload."""

    type: str
    source: str
    subject: str
    data: EventPayload
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    traceparent: str | None = None

    @classmethod
    def of(
        cls, payload: EventPayload, *, source: str, subject: str, traceparent: str | None = None
    ) -> "CloudEvent":
        return cls(
            type=payload.event_type,
            source=source,
            subject=subject,
            data=payload,
            traceparent=traceparent,
        )


def encode_headers(
    *,
    event_id: str,
    type: str,
    source: str,
    subject: str,
    time: datetime,
    traceparent: str | None,
) -> list[tuple[str, bytes]]:
    """The Kafka headers of a CloudEvent in binary content mode."""
    headers = [
        ("ce_specversion", SPEC_VERSION.encode()),
        ("ce_id", event_id.encode()),
        ("ce_source", source.encode()),
        ("ce_type", type.encode()),
        ("ce_time", time.astimezone(UTC).isoformat().replace("+00:00", "Z").encode()),
        ("ce_subject", subject.encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    if traceparent:
        headers.append(("traceparent", traceparent.encode()))
    return headers


def encode(event: CloudEvent) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """Key, value and headers of the Kafka record carrying `event`."""
    headers = encode_headers(
        event_id=event.id,
        type=event.type,
        source=event.source,
        subject=event.subject,
        time=event.time,
        traceparent=event.traceparent,
    )
    return event.subject.encode(), event.data.model_dump_json().encode(), headers


def decode(headers: Any, value: bytes | None, events: EventRegistry) -> CloudEvent:
    """Read a Kafka record back into a CloudEvent; raise InvalidEvent with the reason."""
    attrs: dict[str, str] = {}
    for name, raw in headers or ():
        try:
            attrs[name] = raw.decode() if raw is not None else ""
        except UnicodeDecodeError as exc:
            raise InvalidEvent(f"header {name} is not UTF-8") from exc
    if attrs.get("ce_specversion") != SPEC_VERSION:
        raise InvalidEvent(f"ce_specversion is {attrs.get('ce_specversion')!r}, not 1.0")
    missing = [h for h in ("ce_id", "ce_source", "ce_type") if not attrs.get(h)]
    if missing:
        raise InvalidEvent(f"missing CloudEvents attributes: {', '.join(missing)}")
    event_type_name = attrs["ce_type"]
    known = events.model(event_type_name)
    if known is None:
        raise InvalidEvent(f"unknown event type {event_type_name}")
    content_type = attrs.get("content-type", CONTENT_TYPE)
    if not content_type.startswith(CONTENT_TYPE):
        raise InvalidEvent(f"content-type {content_type} is not {CONTENT_TYPE}")
    try:
        data = known.model_validate_json(value or b"")
    except ValidationError as exc:
        raise InvalidEvent(f"payload does not match {event_type_name}: {exc}") from exc
    try:
        time = datetime.fromisoformat(attrs["ce_time"]) if "ce_time" in attrs else datetime.now(UTC)
    except ValueError as exc:
        raise InvalidEvent(f"ce_time {attrs['ce_time']!r} is not RFC 3339") from exc
    return CloudEvent(
        type=event_type_name,
        source=attrs["ce_source"],
        subject=attrs.get("ce_subject", ""),
        data=data,
        id=attrs["ce_id"],
        time=time,
        traceparent=attrs.get("traceparent"),
    )


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"
