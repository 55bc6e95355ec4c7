"""What the service knows of the region from the others' events: its municipalities and
its projects (for search, the Kooperationsradar and adoptions). Nothing here commits."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.knowledge import repository
from services.knowledge.index import SearchReadModel
from services.knowledge.models import KnownMunicipality, KnownProject
from shared.contracts.gateway import MunicipalitySnapshot
from shared.contracts.projects import ProjectSnapshot
from shared.region.municipalities import keep_known_municipality


async def record_municipality(session: AsyncSession, municipality: MunicipalitySnapshot) -> None:
    """Keep the region's municipalities known; an older snapshot never wins."""
    await keep_known_municipality(session, KnownMunicipality, municipality)


async def record_project(
    session: AsyncSession, project: ProjectSnapshot, search: SearchReadModel
) -> KnownProject | None:
    """Keep a project's latest snapshot; return it, or None when the event was older."""
    known = await repository.get_known_project(session, str(project.id))
    if known is not None and known.version >= project.version:
        return None
    values: dict[str, Any] = {
        "municipality_ags": project.municipality_ags,
        "title": project.title,
        "summary": project.summary,
        "description": project.description,
        "topics": list(project.topics),
        "target_groups": list(project.target_groups),
        "status": project.status,
        "visibility": project.visibility,
        "based_on_solution": str(project.based_on_solution) if project.based_on_solution else None,
        "version": project.version,
        "updated_at": project.updated_at,
    }
    if known is None:
        known = KnownProject(id=str(project.id), **values)
        session.add(known)
    else:
        for key, value in values.items():
            setattr(known, key, value)
    search.stage_project(session, known)
    return known


async def forget_project(
    session: AsyncSession, project: ProjectSnapshot, search: SearchReadModel
) -> None:
    """A deleted project leaves the read model and the index."""
    known = await repository.get_known_project(session, str(project.id))
    if known is not None:
        await session.delete(known)
    search.stage_removal(session, str(project.id))
