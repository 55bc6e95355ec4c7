"""The rules of the region's software inventory: who uses which solution, since when.

A municipality records its own adoptions; a coordinator may record any. A project
based on a solution brings a planned adoption, and completing it makes the adoption
live. An adoption nobody confirmed for the region's limit (12 months by default) is
stale: publiccode.yml's free-text usedBy taught that such lists rot. Nothing here commits.
"""

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.knowledge import repository
from services.knowledge.models import Adoption, KnownProject, Solution
from services.knowledge.schemas import AdoptionCreate, AdoptionPublic, AdoptionUpdate
from shared.contracts.knowledge import AdoptionChanged, AdoptionRecorded, AdoptionSnapshot
from shared.kit.auth import Principal
from shared.kit.http import Conflict, Forbidden, InvalidInput, NotFound, check_if_match
from shared.kit.outbox import add_event
from shared.kit.sqltypes import utcnow
from shared.region.ags import UnknownMunicipality

CatchUp = Callable[[], Awaitable[bool]]


class AdoptionExists(Conflict):
    slug, title = "adoption-exists", "This municipality already records this solution"


def snapshot(adoption: Adoption, solution_name: str) -> AdoptionSnapshot:
    """The state of an adoption, as API and events show it."""
    return AdoptionSnapshot.model_validate(
        {
            "id": adoption.id,
            "solution_id": adoption.solution_id,
            "solution_name": solution_name,
            "municipality_ags": adoption.municipality_ags,
            "status": adoption.status,
            "since": adoption.since,
            "note": adoption.note,
            "project_id": adoption.project_id,
            "confirmed_at": adoption.confirmed_at,
            "version": adoption.version,
            "created_at": adoption.created_at,
            "updated_at": adoption.updated_at,
        }
    )


def public(adoption: Adoption, solution_name: str, stale_before: datetime) -> AdoptionPublic:
    state = snapshot(adoption, solution_name)
    return AdoptionPublic(**state.model_dump(), stale=adoption.confirmed_at < stale_before)


def stale_before(stale_days: int) -> datetime:
    """Adoptions confirmed before this moment are stale."""
    return utcnow() - timedelta(days=stale_days)


def _municipality_of(principal: Principal, requested: str | None) -> str:
    if principal.region_wide:
        if requested is None:
            raise InvalidInput(
                "Name the municipality as municipality_ags.",
                errors=[{"field": "municipality_ags", "message": "required for coordinators"}],
            )
        return requested
    if principal.ags is None:
        raise Forbidden("This identity belongs to no municipality; ask a coordinator.")
    if requested is not None and requested != principal.ags:
        raise Forbidden(
            "A municipality records its own adoptions only.",
            errors=[{"field": "municipality_ags", "message": f"not your AGS {principal.ags}"}],
        )
    return principal.ags


async def _ensure_known(session: AsyncSession, ags: str, catch_up: CatchUp | None) -> None:
    """A municipality registered a moment ago may not be applied here yet: wait for this
    service's consumer of the gateway's events once (bounded), then decide."""
    if await repository.get_known_municipality(session, ags) is not None:
        return
    if catch_up is not None:
        await session.rollback()  # SQLite has one writer: let the consumer write
        await catch_up()
        if await repository.get_known_municipality(session, ags) is not None:
            return
    raise UnknownMunicipality(
        f"No municipality with AGS {ags} belongs to this region.",
        errors=[{"field": "municipality_ags", "message": f"unknown AGS {ags}"}],
    )


async def _active_solution(session: AsyncSession, solution_id: str) -> Solution:
    solution = await repository.get_solution(session, solution_id)
    if solution is None or solution.status != "active":
        raise InvalidInput(
            f"There is no active solution {solution_id} in the catalogue.",
            errors=[{"field": "solution_id", "message": "no such active solution"}],
        )
    return solution


async def record_adoption(
    session: AsyncSession,
    *,
    principal: Principal,
    data: AdoptionCreate,
    source: str,
    catch_up: CatchUp | None = None,
) -> AdoptionSnapshot:
    """Record that a municipality plans, runs or ended a solution; confirmed as of now."""
    ags = _municipality_of(principal, data.municipality_ags)
    await _ensure_known(session, ags, catch_up)
    solution = await _active_solution(session, str(data.solution_id))
    existing = await repository.find_adoption(session, solution.id, ags)
    if existing is not None:
        raise AdoptionExists(f"Adoption {existing.id} already records it; change that one instead.")
    adoption = _new_adoption(solution.id, ags, data.status)
    adoption.since, adoption.note = data.since, data.note
    session.add(adoption)
    state = snapshot(adoption, solution.name)
    await add_event(session, AdoptionRecorded(adoption=state), source=source, subject=adoption.id)
    return state


def _new_adoption(solution_id: str, ags: str, status: str) -> Adoption:
    now = utcnow()
    return Adoption(
        id=str(uuid.uuid4()),
        solution_id=solution_id,
        municipality_ags=ags,
        status=status,
        confirmed_at=now,
        version=1,
        created_at=now,
        updated_at=now,
    )


async def update_adoption(
    session: AsyncSession,
    *,
    principal: Principal,
    adoption_id: str,
    changes: AdoptionUpdate,
    if_match: str | None,
    source: str,
) -> tuple[Adoption, str]:
    """Change an adoption and confirm it as of now; return it with its solution's name."""
    adoption = await repository.get_adoption(session, adoption_id, for_update=True)
    if adoption is None or not principal.signed_in:
        raise NotFound(f"There is no adoption {adoption_id}.")
    if not principal.region_wide and adoption.municipality_ags != principal.ags:
        raise Forbidden("Only the municipality itself or a coordinator changes its adoptions.")
    check_if_match(if_match, adoption.version)
    requested = changes.model_dump(exclude_unset=True)
    if "status" in requested and requested["status"] is None:
        raise InvalidInput(
            "status cannot be cleared.", errors=[{"field": "status", "message": "may not be null"}]
        )
    changed = sorted(k for k, v in requested.items() if getattr(adoption, k) != v)
    for key in changed:
        setattr(adoption, key, requested[key])
    solution = await repository.get_solution(session, adoption.solution_id)
    name = solution.name if solution else ""
    await _confirm(session, adoption, name, [*changed, "confirmed_at"], source)
    return adoption, name


async def _confirm(
    session: AsyncSession, adoption: Adoption, solution_name: str, changed: list[str], source: str
) -> None:
    now = utcnow()
    adoption.confirmed_at = now
    adoption.updated_at = now
    adoption.version += 1
    payload = AdoptionChanged(adoption=snapshot(adoption, solution_name), changed=changed)
    await add_event(session, payload, source=source, subject=adoption.id)


async def follow_project(session: AsyncSession, project: KnownProject, source: str) -> None:
    """A project based on a solution plans its adoption; completing the project makes it live.

    A private project brings none: the inventory is shown to every member, and a
    municipality's private plans are its own until it records them itself.
    """
    if project.based_on_solution is None or project.visibility == "private":
        return
    solution = await repository.get_solution(session, project.based_on_solution)
    if solution is None:
        return  # a reference the catalogue does not hold; the projects service allows it
    adoption = await repository.find_adoption(session, solution.id, project.municipality_ags)
    live = project.status == "completed"
    if adoption is None:
        status = "live" if live else "planned"
        adoption = _new_adoption(solution.id, project.municipality_ags, status)
        adoption.project_id = project.id
        session.add(adoption)
        state = snapshot(adoption, solution.name)
        await add_event(
            session, AdoptionRecorded(adoption=state), source=source, subject=adoption.id
        )
    elif live and adoption.status == "planned":
        adoption.status = "live"
        changed = ["status", "confirmed_at"]
        if adoption.project_id is None:
            adoption.project_id = project.id
            changed.append("project_id")
        await _confirm(session, adoption, solution.name, sorted(changed), source)
