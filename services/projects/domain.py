"""The rules of the project registry. Nothing here commits: the caller's unit of work does."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects import repository
from services.projects.models import KnownMunicipality, Project
from services.projects.schemas import REQUIRED_ON_UPDATE, ProjectCreate, ProjectUpdate
from shared.contracts.gateway import MunicipalitySnapshot
from shared.contracts.projects import (
    ProjectCreated,
    ProjectDeleted,
    ProjectSnapshot,
    ProjectStatusChanged,
    ProjectUpdated,
)
from shared.kit.auth import Principal
from shared.kit.db import stored
from shared.kit.http import (
    Conflict,
    Forbidden,
    InvalidInput,
    LotseError,
    NotFound,
    check_if_match,
    check_optional_if_match,
    refuse_cleared,
)
from shared.kit.outbox import add_event
from shared.kit.sqltypes import utcnow
from shared.region.ags import UnknownMunicipality
from shared.region.municipalities import keep_known_municipality

# Which status a project may move to from each status. Completed work stays
# completed; a cancelled project can be revived as planned.
TRANSITIONS: dict[str, frozenset[str]] = {
    "idea": frozenset({"planned", "in_progress", "cancelled"}),
    "planned": frozenset({"idea", "in_progress", "paused", "cancelled"}),
    "in_progress": frozenset({"completed", "paused", "cancelled"}),
    "paused": frozenset({"planned", "in_progress", "cancelled"}),
    "completed": frozenset(),
    "cancelled": frozenset({"planned"}),
}


class IllegalTransition(Conflict):
    slug, title = "illegal-status-transition", "This status change is not allowed"


class ImportRejected(InvalidInput):
    slug, title = "import-rejected", "The import has invalid rows; nothing was imported"


def snapshot(project: Project) -> ProjectSnapshot:
    """The public state of a project, as API and events show it."""
    return ProjectSnapshot.model_validate(project, from_attributes=True)


def _owner_for_new_project(principal: Principal, requested: str | None) -> str:
    if principal.region_wide:
        if requested is None:
            raise InvalidInput(
                "Name the owning municipality as municipality_ags.",
                errors=[{"field": "municipality_ags", "message": "required for coordinators"}],
            )
        return requested
    if requested is not None and requested != principal.ags:
        raise Forbidden(
            "A municipality key can only create projects of its own municipality.",
            errors=[{"field": "municipality_ags", "message": f"not your AGS {principal.ags}"}],
        )
    if principal.ags is None:
        raise Forbidden("This identity belongs to no municipality; ask a coordinator.")
    return principal.ags


async def editable_project(session: AsyncSession, principal: Principal, project_id: str) -> Project:
    """The project `principal` may change, locked until the commit: 404 unseen, 403 not theirs.

    Readers and anonymous callers never get here: the service's routes refuse them
    before the body is read (AuthenticatedRoute).
    """
    project = await repository.get_readable(session, principal, project_id, for_update=True)
    if project is None:
        raise NotFound(f"There is no project {project_id} you may see.")
    if not principal.region_wide and project.municipality_ags != principal.ags:
        raise Forbidden("Only the owning municipality or a coordinator can change this project.")
    return project


async def _ensure_known(session: AsyncSession, owner: str, partners: list[str]) -> None:
    unknown = await repository.unknown_municipalities(session, {owner, *partners})
    if unknown:
        raise UnknownMunicipality(
            f"No municipality with AGS {', '.join(sorted(unknown))} belongs to this region.",
            errors=[
                {
                    "field": "municipality_ags" if a == owner else "partner_municipalities",
                    "message": f"unknown AGS {a}",
                }
                for a in sorted(unknown)
            ],
        )


def _check_date_order(start: date | None, end: date | None) -> None:
    """A project cannot end before it starts; on create and on every update."""
    if start and end and end < start:
        raise InvalidInput(
            "end_date lies before start_date.",
            errors=[{"field": "end_date", "message": "before start_date"}],
        )


CatchUp = Callable[[], Awaitable[bool]]


async def await_municipalities(session: AsyncSession, ags: set[str], catch_up: CatchUp) -> None:
    """Make a municipality the gateway registered a moment ago known before a write checks it.

    This service learns the region's municipalities from the gateway's events, so one
    registered just now may not be applied here yet. The gateway answers a registration
    only once its event is on the broker; so when a write names an AGS not known here,
    waiting until this service's consumer has applied everything its topic holds right
    now (read-your-writes across services) settles it, and still unknown afterwards
    means unknown. Only writes naming an unknown AGS pay the wait, and it is bounded
    (`municipality_wait_seconds`). The alternative, the gateway's internal token carrying
    the caller's municipality, would cover a municipality's own key only, not partners
    nor a coordinator naming the owner.

    Call it before the unit of work writes or locks anything: while it waits, it ends
    the session's read transaction, so the consumer can write (SQLite has one
    connection) and the next read sees what it wrote.
    """
    if not ags or not await repository.unknown_municipalities(session, ags):
        return
    await session.rollback()
    await catch_up()


def named_municipalities(principal: Principal, data: ProjectCreate) -> set[str]:
    """The AGS a new project names: its owner and its partners."""
    owner = data.municipality_ags or principal.ags
    return {a for a in (owner, *data.partner_municipalities) if a}


def _derived(values: dict[str, Any]) -> dict[str, str]:
    """The columns kept for filtering and search, from a project's values."""
    return {
        "topic_keys": "|" + "|".join(values["topics"]) + "|",
        "search_text": " ".join(
            [values["title"], values["summary"], values["description"], *values["tags"]]
        ).casefold(),
    }


async def create_project(
    session: AsyncSession,
    *,
    principal: Principal,
    data: ProjectCreate,
    source: str,
    catch_up: CatchUp | None = None,
) -> ProjectSnapshot:
    """Register a new project and write its `created` event; return its snapshot.

    `catch_up` lets a municipality registered a moment ago be known first (see
    await_municipalities).
    """
    if catch_up is not None:
        await await_municipalities(session, named_municipalities(principal, data), catch_up)
    owner = _owner_for_new_project(principal, data.municipality_ags)
    _check_date_order(data.start_date, data.end_date)
    await _ensure_known(session, owner, data.partner_municipalities)
    now = utcnow()
    row = {k: stored(v) for k, v in data.model_dump(exclude={"municipality_ags"}).items()}
    row |= {
        "id": str(uuid.uuid4()),
        "municipality_ags": owner,
        "version": 1,
        "created_by": principal.subject,
        "created_at": now,
        "updated_at": now,
    }
    row |= _derived(row)
    await repository.insert_project(session, row)
    state = ProjectSnapshot.model_validate(row)
    await add_event(session, ProjectCreated(project=state), source=source, subject=row["id"])
    return state


async def import_projects(
    session: AsyncSession,
    *,
    principal: Principal,
    rows: list[tuple[int, ProjectCreate]],
    invalid: list[dict[str, Any]],
    source: str,
    catch_up: CatchUp | None = None,
) -> list[ProjectSnapshot]:
    """Create every row, or none; report the `invalid` rows and those the rules refuse."""
    if catch_up is not None:
        named = set().union(*(named_municipalities(principal, data) for _, data in rows))
        await await_municipalities(session, named, catch_up)
    created: list[ProjectSnapshot] = []
    errors = list(invalid)
    for line, data in rows:
        try:
            created.append(
                await create_project(session, principal=principal, data=data, source=source)
            )
        except LotseError as exc:
            for err in exc.errors or [{"field": "(row)", "message": exc.detail or exc.title}]:
                errors.append({"line": line, **err})
    if errors:
        errors.sort(key=lambda e: e["line"])
        raise ImportRejected(f"{len(errors)} problem(s) in the import.", errors=errors)
    return created


async def update_project(
    session: AsyncSession,
    *,
    principal: Principal,
    project_id: str,
    changes: ProjectUpdate,
    if_match: str | None,
    source: str,
    catch_up: CatchUp | None = None,
) -> Project:
    """Apply a partial update to the version `if_match` names; status follows TRANSITIONS."""
    if catch_up is not None and changes.partner_municipalities:
        await await_municipalities(session, set(changes.partner_municipalities), catch_up)
    project = await editable_project(session, principal, project_id)
    check_if_match(if_match, project.version)
    requested = changes.model_dump(exclude_unset=True)
    refuse_cleared(requested, REQUIRED_ON_UPDATE)
    new_values = {k: stored(getattr(changes, k)) for k in requested}
    changed = sorted(k for k, v in new_values.items() if getattr(project, k) != v)
    if not changed:
        return project
    previous_status = project.status
    if "status" in changed and new_values["status"] not in TRANSITIONS[previous_status]:
        allowed = ", ".join(sorted(TRANSITIONS[previous_status])) or "none"
        raise IllegalTransition(
            f"A project cannot go from {previous_status} to {new_values['status']}; "
            f"allowed next: {allowed}."
        )
    _check_date_order(
        new_values.get("start_date", project.start_date),
        new_values.get("end_date", project.end_date),
    )
    if "partner_municipalities" in changed:
        await _ensure_known(session, project.municipality_ags, new_values["partner_municipalities"])
    for key in changed:
        setattr(project, key, new_values[key])
    for key, value in _derived(project.model_dump()).items():
        setattr(project, key, value)
    project.version += 1
    project.updated_at = utcnow()
    state = snapshot(project)
    payload: ProjectUpdated | ProjectStatusChanged
    if "status" in changed:
        payload = ProjectStatusChanged(
            project=state,
            previous_status=previous_status,
            changed=changed,
        )
    else:
        payload = ProjectUpdated(project=state, changed=changed)
    await add_event(session, payload, source=source, subject=project.id)
    return project


async def delete_project(
    session: AsyncSession,
    *,
    principal: Principal,
    project_id: str,
    if_match: str | None,
    source: str,
) -> None:
    """Delete a project; `if_match` is optional here, and a stale one is refused."""
    project = await editable_project(session, principal, project_id)
    check_optional_if_match(if_match, project.version)
    last = snapshot(project)
    await session.delete(project)
    await add_event(session, ProjectDeleted(project=last), source=source, subject=project.id)


async def record_municipality(session: AsyncSession, municipality: MunicipalitySnapshot) -> None:
    """Keep the region's municipalities known; an older snapshot never wins."""
    await keep_known_municipality(session, KnownMunicipality, municipality)
