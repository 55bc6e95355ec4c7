"""The funding service: funding calls, eligibility, matches, subscriptions and alerts."""

from pathlib import Path

from fastapi import FastAPI

from services.funding import routes
from services.funding.consumers import CONSUMERS
from services.funding.scheduler import start_scheduler, stop_scheduler
from services.funding.settings import Settings
from shared.contracts import REGISTRY
from shared.kit.service import create_service_app
from shared.registry import by_name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        settings,
        title="Lotse funding",
        description="Funding calls (Förderaufrufe) of the region: who may apply, which "
        "projects they fit, and alerts the moment a call fits a subscription.",
        migrations=Path(__file__).parent / "migrations",
        events=REGISTRY,
        routers=[routes.router],
        consumers=CONSUMERS,
        large_body_paths=by_name("funding").body_limits,
        on_start=start_scheduler,
        on_stop=stop_scheduler,
    )
