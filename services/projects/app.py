"""The projects service: municipalities publish and update their projects."""

from pathlib import Path

from fastapi import FastAPI

from services.projects import routes
from services.projects.consumers import CONSUMERS
from services.projects.settings import Settings
from shared.contracts import REGISTRY
from shared.kit.service import create_service_app
from shared.registry import by_name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        settings,
        title="Lotse projects",
        description="The project registry of the region: what each municipality plans, "
        "runs and has done, with whom, for whom and with which effect.",
        migrations=Path(__file__).parent / "migrations",
        events=REGISTRY,
        routers=[routes.router],
        consumers=CONSUMERS,
        large_body_paths=by_name("projects").body_limits,
    )
