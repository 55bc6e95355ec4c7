"""The skeleton every Lotse service app shares: lifespan, health, metrics, sessions."""

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.telemetry import TelemetryConfig
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.kit.auth import (
    WRITE_METHODS,
    AuthenticatedRoute,
    ForwardedCallsStayInTheApi,
    Principal,
    internal_principal,
)
from shared.kit.bus import EventBus, Handler
from shared.kit.db import Database
from shared.kit.events import EventRegistry
from shared.kit.http import RequestContextMiddleware, complete_openapi, install_problem_handlers
from shared.kit.idempotency import ReplayedAnswer, purge_expired
from shared.kit.observability import configure_logging
from shared.kit.outbox import OutboxRelay
from shared.kit.settings import ServiceSettings

log = logging.getLogger("lotse.service")

_NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


Part = TypeVar("Part")


@dataclass
class Runtime:
    """What a running service holds: settings, database, bus, outbox relay, and the
    parts its on_start hook built (clients, caches), found again by their type."""

    settings: ServiceSettings
    db: Database
    bus: EventBus
    relay: OutboxRelay
    _parts: dict[type, object] = field(default_factory=dict)

    def provide(self, part: object) -> None:
        """Keep `part` for the routes; one part of each type."""
        self._parts[type(part)] = part

    def part(self, kind: type[Part]) -> Part:
        """The part of type `kind` that on_start provided."""
        found = self._parts.get(kind)
        if not isinstance(found, kind):
            raise LookupError(f"this service provides no {kind.__name__}")
        return found


def part_of(request: Request, kind: type[Part]) -> Part:
    """The running service's part of type `kind`, for a route or dependency."""
    runtime: Runtime = request.app.state.runtime
    return runtime.part(kind)


@dataclass(frozen=True)
class Consumer:
    """A consumer group of a service: its topics and its (idempotent) handler."""

    group: str
    topics: Sequence[str]
    handler: Callable[[Runtime], Handler]


Hook = Callable[[Runtime], Awaitable[None]]
Authenticator = Callable[[Request], Awaitable[Principal]]


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    migrations: Path,
    events: EventRegistry,
    routers: Sequence[APIRouter],
    consumers: Sequence[Consumer] = (),
    large_body_paths: dict[str, int] | None = None,
    on_start: Hook | None = None,
    on_stop: Hook | None = None,
    openapi: bool = True,
    authenticate: Authenticator = internal_principal,
    operators_only: Callable[[Request], bool] | None = None,
) -> FastAPI:
    """Build a service's FastAPI app from its parts; app.py of a service calls this.

    `authenticate` tells who calls (the gateway: API keys; services: the internal
    token); AuthenticatedRoute runs it before a route reads its body.
    """

    lifespan = _lifespan(
        settings, migrations=migrations, events=events, consumers=consumers,
        on_start=on_start, on_stop=on_stop,
    )  # fmt: skip
    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        # The gateway serves its own merged document instead.
        openapi_url="/openapi.json" if openapi else None,
        docs_url="/docs" if openapi else None,
        redoc_url=None,
        # A redirect would name the address this app was reached at, an internal one
        # behind the gateway: a path with a trailing slash is a 404 like any unknown one.
        redirect_slashes=False,
        telemetry=None if settings.opentelemetry else _NO_TELEMETRY,
    )
    app.state.settings = settings
    _complete_openapi_of(app)
    app.state.authenticate = authenticate
    install_problem_handlers(app)
    app.add_exception_handler(ReplayedAnswer, _send_replayed_answer)
    app.add_middleware(ForwardedCallsStayInTheApi)
    app.add_middleware(
        RequestContextMiddleware,
        service=settings.service_name,
        max_body_bytes=settings.max_body_bytes,
        large_body_paths=large_body_paths,
    )
    app.include_router(operations_router(operators_only))
    for router in routers:
        app.include_router(router)
    _refuse_writes_that_do_not_authenticate_first(app)
    return app


def _lifespan(
    settings: ServiceSettings,
    *,
    migrations: Path,
    events: EventRegistry,
    consumers: Sequence[Consumer],
    on_start: Hook | None,
    on_stop: Hook | None,
) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    """Start-up and shut-down of a service: migrations, bus, relay, consumers, hooks."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, settings.log_level)
        db = Database(settings.resolved_database_url)
        await db.migrate(migrations)
        bus = EventBus(
            settings.kafka_bootstrap,
            client_id=f"lotse-{settings.service_name}",
            events=events,
            idempotence=settings.kafka_idempotence,
            session_timeout_ms=settings.kafka_session_timeout_ms,
            fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
            partitions=settings.kafka_partitions,
        )
        relay = OutboxRelay(
            db,
            bus,
            service=settings.service_name,
            poll_seconds=settings.outbox_poll_seconds,
            retention=timedelta(days=settings.outbox_retention_days),
            refill_per_second=settings.outbox_refill_per_second,
        )
        runtime = Runtime(settings=settings, db=db, bus=bus, relay=relay)
        app.state.runtime = runtime
        app.state.db = db
        relay.start()
        housekeeping = asyncio.create_task(_housekeeping(db), name="housekeeping")
        # Before the consumers: their handlers may use what on_start builds (read models).
        if on_start is not None:
            await on_start(runtime)
        if settings.consumers_enabled:
            for consumer in consumers:
                bus.subscribe(consumer.group, consumer.topics, consumer.handler(runtime))
            bus.start_consumers()
        # What start-up built (schemas, mappers, compiled queries) lives as long as the
        # process: keep it out of every garbage collection pass.
        gc.freeze()
        try:
            yield
        finally:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
            if on_stop is not None:
                await on_stop(runtime)
            await relay.stop()
            await bus.stop()
            await db.dispose()

    return lifespan


def _complete_openapi_of(app: FastAPI) -> None:
    """Serve FastAPI's document plus what the kit answers around every endpoint."""
    generate = app.openapi

    def completed() -> dict[str, Any]:
        if app.openapi_schema is None:
            complete_openapi(generate())
        document: dict[str, Any] = app.openapi_schema or generate()
        return document

    app.openapi = completed  # type: ignore[method-assign]  # FastAPI's documented override


def _refuse_writes_that_do_not_authenticate_first(app: FastAPI) -> None:
    for route in app.routes:
        if (
            isinstance(route, APIRoute)
            and route.path.startswith("/api/")
            and (route.methods or set()) & WRITE_METHODS
            and not isinstance(route, AuthenticatedRoute)
        ):
            raise TypeError(
                f"{route.path} writes but does not authenticate first: give its router "
                "route_class=AuthenticatedRoute"
            )


async def _send_replayed_answer(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ReplayedAnswer)
    return exc.response


async def _housekeeping(db: Database, every_seconds: float = 3600) -> None:
    """Hourly clean-up of records that have served their time."""
    while True:
        try:
            async with db.session() as session:
                await purge_expired(session)
                await session.commit()
        except Exception:
            log.warning("housekeeping failed; trying again in an hour", exc_info=True)
        await asyncio.sleep(every_seconds)


def operations_router(operators_only: Callable[[Request], bool] | None) -> APIRouter:
    """/healthz, /readyz and /metrics: for orchestrators, not for people.

    With `operators_only`, /readyz and /metrics answer a caller it refuses as a path
    that does not exist answers: the same 404, through the same handlers.
    """
    router = APIRouter(tags=["operations"])

    async def for_operators(request: Request) -> None:
        if operators_only is not None and not operators_only(request):
            raise StarletteHTTPException(status_code=404)

    inside = [Depends(for_operators)]

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    # Load balancers that probe with HEAD: the same answer without its body.
    router.add_api_route("/healthz", healthz, methods=["HEAD"], include_in_schema=False)

    @router.get(
        "/readyz",
        summary="Database and broker reachable, consumers caught up",
        dependencies=inside,
    )
    async def readyz(request: Request) -> JSONResponse:
        """Ready once the database and the broker answer and every consumer has joined its
        group and applied what its topics held at start; until then the service would
        answer from state that is behind. A refill of the broker (shared.kit.outbox) is
        reported but keeps the service ready: new events flow beside it."""
        runtime: Runtime = request.app.state.runtime
        checks: dict[str, str] = {}
        for name, probe in (("database", runtime.db.ping()), ("broker", runtime.bus.ping())):
            try:
                await asyncio.wait_for(probe, 3)
                checks[name] = "ok"
            except Exception as exc:
                checks[name] = f"unavailable: {type(exc).__name__}"
        if runtime.settings.consumers_enabled:
            checks["consumers"] = "ok" if runtime.bus.consumers_caught_up() else "catching up"
        ready = all(v == "ok" for v in checks.values())
        pending = runtime.relay.refill_pending
        checks["outbox_refill"] = f"{pending} events to publish again" if pending else "ok"
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @router.get(
        "/metrics", summary="Prometheus metrics", response_class=Response, dependencies=inside
    )
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
