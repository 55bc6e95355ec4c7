"""The funding service: funding calls, eligibility, matches, subscriptions and alerts."""

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from services.funding import feed_routes, routes, subscription_routes
from services.funding.alerts import Alerts, SubscriptionMatcher
from services.funding.consumers import CONSUMERS
from services.funding.delivery import DeliveryWorker
from services.funding.scheduler import Scheduler
from services.funding.settings import Settings
from services.funding.subscriptions import Links
from shared.contracts import REGISTRY
from shared.kit.mail import Mailer
from shared.kit.service import Runtime, create_service_app
from shared.kit.webhooks import WebhookClient
from shared.registry import by_name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    async def on_start(runtime: Runtime) -> None:
        policy = settings.policy()
        links = Links(settings.public_url.rstrip("/"), settings.link_secret)
        alerts = Alerts(SubscriptionMatcher(), links)
        worker = DeliveryWorker(
            runtime.db,
            client=WebhookClient(policy),
            mailer=Mailer(settings),
            links_manage=links.manage,
            links_unsubscribe=links.unsubscribe,
            lease=timedelta(seconds=settings.delivery_lease_seconds),
            poll_seconds=settings.delivery_poll_seconds,
        )
        scheduler = Scheduler(
            runtime.db,
            source=settings.source,
            alerts=alerts,
            every_seconds=settings.scheduler_seconds,
            digest_hour=settings.digest_hour,
            keep_deliveries=timedelta(days=settings.delivery_retention_days),
        )
        for part in (policy, alerts, worker, scheduler):
            runtime.provide(part)
        if settings.workers_enabled:
            worker.start()
            scheduler.start()

    async def on_stop(runtime: Runtime) -> None:
        await runtime.part(Scheduler).stop()
        worker = runtime.part(DeliveryWorker)
        await worker.stop()
        await worker.client.close()

    return create_service_app(
        settings,
        title="Lotse funding",
        description="Funding calls (Förderaufrufe) of the region: who may apply, which "
        "projects they fit, and alerts the moment a call fits a subscription: signed "
        "webhooks, e-mail, Atom and iCalendar feeds.",
        migrations=Path(__file__).parent / "migrations",
        events=REGISTRY,
        routers=[
            routes.router,
            subscription_routes.links_router,
            subscription_routes.router,
            feed_routes.router,
        ],
        consumers=CONSUMERS,
        large_body_paths=by_name("funding").body_limits,
        on_start=on_start,
        on_stop=on_stop,
    )
