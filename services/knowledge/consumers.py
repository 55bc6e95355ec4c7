"""Event handlers of the knowledge service: the region's municipalities and projects."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.knowledge import adoptions, articles, region, suggestions
from services.knowledge.index import SearchReadModel
from shared.contracts.gateway import MunicipalityCreated, MunicipalityUpdated
from shared.contracts.projects import (
    ProjectCreated,
    ProjectDeleted,
    ProjectStatusChanged,
    ProjectUpdated,
)
from shared.contracts.topics import GATEWAY, PROJECTS
from shared.kit.bus import Handler
from shared.kit.events import CloudEvent
from shared.kit.inbox import idempotent
from shared.kit.service import Consumer, Runtime


async def on_gateway_event(session: AsyncSession, event: CloudEvent) -> None:
    if isinstance(event.data, MunicipalityCreated | MunicipalityUpdated):
        await region.record_municipality(session, event.data.municipality)


def municipalities_handler(runtime: Runtime) -> Handler:
    return idempotent(runtime.db, on_gateway_event)


def projects_handler(runtime: Runtime) -> Handler:
    search = runtime.part(SearchReadModel)
    source = runtime.settings.source

    async def on_project_event(session: AsyncSession, event: CloudEvent) -> None:
        data = event.data
        if isinstance(data, ProjectDeleted):
            await region.forget_project(session, data.project, search)
        elif isinstance(data, ProjectCreated | ProjectUpdated | ProjectStatusChanged):
            project = await region.record_project(session, data.project, search)
            if project is None:
                return  # an older event than the state this service holds
            await adoptions.follow_project(session, project, source)
            await suggestions.announce_matches(session, project, search, source)
            if isinstance(data, ProjectStatusChanged) and project.status == "completed":
                await articles.request_lessons_learned(session, project, source)

    return idempotent(runtime.db, on_project_event)


CONSUMERS = [
    Consumer(group="knowledge.municipalities", topics=[GATEWAY], handler=municipalities_handler),
    Consumer(group="knowledge.projects", topics=[PROJECTS], handler=projects_handler),
]
