"""The gateway: the only public entry of Lotse."""

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from services.gateway import domain, hook_routes, routes
from services.gateway.consumers import CONSUMERS
from services.gateway.delivery import WebhookDeliverer
from services.gateway.docs import docs_router, mount_static
from services.gateway.headers import SecurityHeaders
from services.gateway.identity import KeyResolver, TokenResolver, caller
from services.gateway.oidc import OidcIssuer
from services.gateway.oidc_claims import ClaimMapping
from services.gateway.oidc_login import SignOn
from services.gateway.oidc_login import router as sign_on_router
from services.gateway.operations import operators_only
from services.gateway.proxy import ServiceProxy
from services.gateway.ratelimit import CallBudget, Limit, rate_limiter
from services.gateway.routing import service_router
from services.gateway.settings import Settings
from services.gateway.stream import FeedWatch, LiveStreams
from services.gateway.web import (
    pages,
    pages_catalogue,
    pages_dashboard,
    pages_funding,
    pages_projects,
    pages_widgets,
)
from shared.contracts import REGISTRY
from shared.kit.service import Runtime, create_service_app
from shared.kit.webhooks import WebhookClient
from shared.registry import SERVICES

CORS_REQUEST_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "Last-Event-ID",
    "X-Request-ID",
]
CORS_RESPONSE_HEADERS = [
    "ETag",
    "Location",
    "Retry-After",
    "X-Request-ID",
    "Idempotent-Replayed",
    # the file name of a CSV or XLSX export an intranet page fetches
    "Content-Disposition",
]


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
        _provide_sign_on(runtime, settings)
        watch = FeedWatch(runtime.db, poll_seconds=settings.stream_poll_seconds)
        await watch.start()
        runtime.provide(watch)
        runtime.provide(
            LiveStreams(
                runtime.db,
                watch,
                per_identity=settings.stream_per_identity,
                heartbeat_seconds=settings.stream_heartbeat_seconds,
                max_seconds=settings.stream_max_seconds,
            )
        )
        policy = settings.policy()
        deliverer = WebhookDeliverer(
            runtime.db,
            client=WebhookClient(policy),
            lease=timedelta(seconds=settings.webhook_lease_seconds),
            retention=timedelta(days=settings.webhook_retention_days),
            poll_seconds=settings.webhook_poll_seconds,
        )
        runtime.provide(policy)
        runtime.provide(deliverer)
        if settings.webhook_deliverer_enabled:
            deliverer.start()
        runtime.provide(
            CallBudget(
                rate_limiter(settings.redis_url),
                per_key=Limit(settings.rate_limit_per_minute, settings.rate_limit_burst),
                per_address=Limit(
                    settings.anonymous_rate_limit_per_minute, settings.anonymous_rate_limit_burst
                ),
            )
        )
        runtime.provide(
            ServiceProxy(
                secret=settings.internal_token_secret,
                connect_timeout=settings.service_connect_timeout_seconds,
                read_timeout=settings.service_read_timeout_seconds,
                read_timeouts=settings.read_timeouts,
                breaker_failures=settings.breaker_failures,
                breaker_open_seconds=settings.breaker_open_seconds,
                calls_per_identity=settings.calls_per_identity,
            )
        )

    async def on_stop(runtime: Runtime) -> None:
        await runtime.part(KeyResolver).stop()
        await runtime.part(TokenResolver).close()
        await runtime.part(FeedWatch).stop()
        deliverer = runtime.part(WebhookDeliverer)
        await deliverer.stop()
        await deliverer.client.close()
        await runtime.part(ServiceProxy).close()
        await runtime.part(CallBudget).limiter.close()

    app = create_service_app(
        settings,
        title="Lotse API",
        description="The gateway of Lotse.",
        migrations=Path(__file__).parent / "migrations",
        events=REGISTRY,
        routers=[
            # First: most calls are forwarded, and routes are matched in order.
            service_router(settings.service_routes, settings.secret_link_routes),
            pages_projects.router,
            pages.router,
            pages_catalogue.router,
            pages_funding.router,
            pages_widgets.router,
            pages_dashboard.router,
            docs_router(),
            routes.router,
            hook_routes.router,
            sign_on_router,
        ],
        consumers=CONSUMERS,
        large_body_paths={
            path: limit for entry in SERVICES for path, limit in entry.body_limits.items()
        },
        on_start=on_start,
        on_stop=on_stop,
        openapi=False,
        authenticate=caller,
        operators_only=operators_only(settings.operations_networks),
    )
    mount_static(app)
    pages.install_page_refusals(app)
    if settings.cors_origins:
        # Keys travel in the Authorization header, never in cookies: no credentials mode.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_RESPONSE_HEADERS,
            max_age=600,
        )
    app.add_middleware(SecurityHeaders)
    return app


def _provide_sign_on(runtime: Runtime, settings: Settings) -> None:
    """Bearer tokens of the configured OIDC issuer, and the browser sign-on, if any."""
    if settings.oidc_issuer is None or settings.oidc_client_id is None:
        runtime.provide(TokenResolver(None, None, audience=""))
        return
    issuer = OidcIssuer(
        settings.oidc_issuer,
        cache_seconds=settings.oidc_cache_seconds,
        refresh_seconds=settings.oidc_refresh_seconds,
        leeway_seconds=settings.oidc_leeway_seconds,
        timeout_seconds=settings.oidc_timeout_seconds,
    )
    mapping = ClaimMapping(
        role_claim=settings.oidc_role_claim,
        ags_claim=settings.oidc_ags_claim,
        role_map=dict(settings.oidc_role_map),
        default_role=settings.oidc_default_role,
    )
    runtime.provide(TokenResolver(issuer, mapping, audience=settings.oidc_token_audience))
    secret = settings.oidc_client_secret
    runtime.provide(
        SignOn(
            issuer,
            mapping,
            client_id=settings.oidc_client_id,
            client_secret=secret.get_secret_value() if secret is not None else None,
            scope=settings.oidc_scope,
            callback_url=settings.oidc_callback_url,
            secret=settings.internal_token_secret,
        )
    )
