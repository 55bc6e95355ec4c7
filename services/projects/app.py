"""The projects service: municipalities publish and update their projects."""

from pathlib import Path

from fastapi import FastAPI

from services.projects import routes
from services.projects.consumers import CONSUMERS
from services.projects.settings import Settings
from shared.service import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        settings,
        title="Lotse projects",
        description="The project registry of the region: what each municipality plans, "
        "runs and has done, with whom, for whom and with which effect.",
        migrations=Path(__file__).parent / "migrations",
        routers=[routes.router],
        consumers=CONSUMERS,
        large_body_paths={"/api/v1/projects/import": settings.import_max_bytes},
    )
