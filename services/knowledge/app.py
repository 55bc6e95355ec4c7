"""The knowledge service: the solution catalogue, who uses what, search, Kooperationsradar."""

from pathlib import Path

from fastapi import FastAPI

from services.knowledge import routes, routes_adoptions, routes_articles, routes_search
from services.knowledge.consumers import CONSUMERS
from services.knowledge.index import SearchReadModel
from services.knowledge.search import SearchIndex
from services.knowledge.settings import Settings
from shared.contracts import REGISTRY
from shared.kit.service import Runtime, create_service_app
from shared.registry import by_name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    async def on_start(runtime: Runtime) -> None:
        search = SearchReadModel(SearchIndex(settings.search_index_dir))
        await search.rebuild(runtime.db)
        runtime.provide(search)

    async def on_stop(runtime: Runtime) -> None:
        runtime.part(SearchReadModel).close()

    return create_service_app(
        settings,
        title="Lotse knowledge",
        description="The region's knowledge: the solution catalogue (publiccode.yml in and "
        "out), who uses which solution, search over solutions and projects, and the "
        "Kooperationsradar that finds who does the same.",
        migrations=Path(__file__).parent / "migrations",
        events=REGISTRY,
        routers=[
            routes.router,
            routes_adoptions.router,
            routes_search.router,
            routes_articles.router,
        ],
        consumers=CONSUMERS,
        large_body_paths=by_name("knowledge").body_limits,
        on_start=on_start,
        on_stop=on_stop,
    )
