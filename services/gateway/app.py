"""The gateway: the only public entry of Lotse."""

from pathlib import Path

from fastapi import FastAPI

from services.gateway import domain, routes
from services.gateway.consumers import CONSUMERS
from services.gateway.docs import docs_router
from services.gateway.identity import KeyResolver, caller
from services.gateway.proxy import ServiceProxy
from services.gateway.routing import service_router
from services.gateway.settings import Settings
from shared.contracts import REGISTRY
from shared.kit.service import Runtime, create_service_app
from shared.registry import SERVICES


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    async def on_start(runtime: Runtime) -> None:
        if settings.bootstrap_admin_key:
            async with runtime.db.session() as session:
                await domain.ensure_bootstrap_admin(session, settings.bootstrap_admin_key)
                await session.commit()
        keys = KeyResolver(
            runtime.db,
            cache_seconds=settings.key_cache_seconds,
            flush_seconds=settings.last_used_flush_seconds,
        )
        keys.start()
        runtime.provide(keys)
        runtime.provide(
            ServiceProxy(
                secret=settings.internal_token_secret,
                connect_timeout=settings.service_connect_timeout_seconds,
                read_timeout=settings.service_read_timeout_seconds,
            )
        )

    async def on_stop(runtime: Runtime) -> None:
        await runtime.part(KeyResolver).stop()
        await runtime.part(ServiceProxy).close()

    return create_service_app(
        settings,
        title="Lotse API",
        description="The gateway of Lotse.",
        migrations=Path(__file__).parent / "migrations",
        events=REGISTRY,
        routers=[
            docs_router(),
            routes.router,
            service_router(settings.service_routes, settings.secret_link_routes),
        ],
        consumers=CONSUMERS,
        large_body_paths={
            path: limit for entry in SERVICES for path, limit in entry.body_limits.items()
        },
        on_start=on_start,
        on_stop=on_stop,
        openapi=False,
        authenticate=caller,
    )
