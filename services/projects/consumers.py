"""Event handlers of the projects service: the region's municipalities."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import domain
from shared.contracts.gateway import MunicipalityCreated, MunicipalityUpdated
from shared.contracts.topics import GATEWAY
from shared.kit.bus import Handler
from shared.kit.events import CloudEvent
from shared.kit.inbox import idempotent
from shared.kit.service import Consumer, Runtime


async def on_gateway_event(session: AsyncSession, event: CloudEvent) -> None:
    if isinstance(event.data, MunicipalityCreated | MunicipalityUpdated):
        await domain.record_municipality(session, event.data.municipality)


def municipalities_handler(runtime: Runtime) -> Handler:
    return idempotent(runtime.db, on_gateway_event)


CONSUMERS = [
    Consumer(group="projects.municipalities", topics=[GATEWAY], handler=municipalities_handler)
]
