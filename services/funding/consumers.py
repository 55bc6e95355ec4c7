"""Event handlers of the funding service: municipalities (for eligibility) and projects
(for matching)."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding import domain
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
from shared.kit.sqltypes import utcnow


async def on_gateway_event(session: AsyncSession, event: CloudEvent) -> None:
    if isinstance(event.data, MunicipalityCreated | MunicipalityUpdated):
        await domain.record_municipality(session, event.data.municipality, now=utcnow())


def municipalities_handler(runtime: Runtime) -> Handler:
    return idempotent(runtime.db, on_gateway_event)


PROJECT_EVENTS = (ProjectCreated, ProjectUpdated, ProjectStatusChanged, ProjectDeleted)


def projects_handler(runtime: Runtime) -> Handler:
    source = runtime.settings.source

    async def on_project_event(session: AsyncSession, event: CloudEvent) -> None:
        data = event.data
        if isinstance(data, PROJECT_EVENTS):
            await domain.record_project(
                session,
                data.project,
                deleted=isinstance(data, ProjectDeleted),
                source=source,
                now=utcnow(),
            )

    return idempotent(runtime.db, on_project_event)


CONSUMERS = [
    Consumer(group="funding.municipalities", topics=[GATEWAY], handler=municipalities_handler),
    Consumer(group="funding.projects", topics=[PROJECTS], handler=projects_handler),
]
