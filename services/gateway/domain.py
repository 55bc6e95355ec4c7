"""The gateway's rules: who registers municipalities, who issues which keys, the feed."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway import repository
from services.gateway.keys import display_prefix, key_hash, new_key
from services.gateway.models import ApiKey, Municipality
from services.gateway.schemas import (
    BOTH_OR_NEITHER,
    ApiKeyCreate,
    ApiKeyUpdate,
    MunicipalityCreate,
    MunicipalityUpdate,
)
from shared.contracts.funding import (
    FundingCallPublished,
    FundingCallStatusChanged,
    FundingCallUpdated,
)
from shared.contracts.gateway import (
    MunicipalityCreated,
    MunicipalitySnapshot,
    MunicipalityUpdated,
)
from shared.contracts.knowledge import (
    AdoptionChanged,
    AdoptionRecorded,
    ArticleDeleted,
    ArticlePublished,
    ArticleRequested,
    ArticleUpdated,
    MatchFound,
    SolutionPublished,
    SolutionRetired,
    SolutionUpdated,
)
from shared.contracts.projects import (
    ProjectCreated,
    ProjectDeleted,
    ProjectStatusChanged,
    ProjectUpdated,
)
from shared.kit.auth import Principal, Role
from shared.kit.events import CloudEvent, EventPayload
from shared.kit.http import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
    check_if_match,
    refuse_cleared,
)
from shared.kit.outbox import add_event
from shared.kit.sqltypes import utcnow
from shared.region.ags import UnknownMunicipality, land_of
from shared.region.visibility import narrower

"""The owner column of feed entries no municipality owns (funding calls)."""

# Which roles each role may issue keys for.
KEY_GRANTS: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset({Role.ADMIN, Role.COORDINATOR, Role.MUNICIPALITY, Role.READER}),
    Role.COORDINATOR: frozenset({Role.COORDINATOR, Role.MUNICIPALITY, Role.READER}),
    # A reader key belongs to no municipality, so a municipality could not see or
    # revoke one it issued: it issues keys of its own AGS only.
    Role.MUNICIPALITY: frozenset({Role.MUNICIPALITY}),
}


def _signed_in(principal: Principal) -> None:
    if not principal.signed_in:
        raise Unauthorized("Sign in with an API key.")


def require_coordinator(principal: Principal, action: str) -> None:
    """Only coordinators and admins act for the region's municipalities."""
    _signed_in(principal)
    if not principal.region_wide:
        raise Forbidden(f"Only coordinators {action}.")


def municipality_snapshot(municipality: Municipality) -> MunicipalitySnapshot:
    return MunicipalitySnapshot.model_validate(municipality, from_attributes=True)


async def register_municipality(
    session: AsyncSession, *, principal: Principal, data: MunicipalityCreate, source: str
) -> Municipality:
    """Add a municipality to the region; coordinators and admins only."""
    require_coordinator(principal, "register municipalities")
    if await repository.get_municipality(session, data.ags) is not None:
        raise Conflict(f"A municipality with AGS {data.ags} is already registered.")
    now = utcnow()
    municipality = Municipality(
        ags=data.ags,
        name=data.name,
        kind=data.kind,
        land=land_of(data.ags),
        population=data.population,
        latitude=data.latitude,
        longitude=data.longitude,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(municipality)
    await add_event(
        session,
        MunicipalityCreated(municipality=municipality_snapshot(municipality)),
        source=source,
        subject=municipality.ags,
    )
    return municipality


async def update_municipality(
    session: AsyncSession,
    *,
    principal: Principal,
    ags: str,
    changes: MunicipalityUpdate,
    if_match: str | None,
    source: str,
) -> Municipality:
    """Change name, kind, population or place of the version `if_match` names; coordinators only."""
    require_coordinator(principal, "change municipalities")
    municipality = await repository.get_municipality(session, ags, for_update=True)
    if municipality is None:
        raise NotFound(f"No municipality with AGS {ags} is registered.")
    check_if_match(if_match, municipality.version)
    requested = changes.model_dump(exclude_unset=True)
    if requested.get("name", "") is None or requested.get("kind", "") is None:
        raise InvalidInput("name and kind cannot be cleared.")
    changed = sorted(k for k, v in requested.items() if getattr(municipality, k) != v)
    if not changed:
        return municipality
    if ("latitude" in changed or "longitude" in changed) and (
        requested.get("latitude", municipality.latitude) is None
    ) != (requested.get("longitude", municipality.longitude) is None):
        raise InvalidInput(
            BOTH_OR_NEITHER,
            errors=[{"field": "latitude", "message": "give latitude and longitude together"}],
        )
    for key in changed:
        setattr(municipality, key, requested[key])
    municipality.version += 1
    municipality.updated_at = utcnow()
    await add_event(
        session,
        MunicipalityUpdated(municipality=municipality_snapshot(municipality), changed=changed),
        source=source,
        subject=municipality.ags,
    )
    return municipality


async def issue_key(
    session: AsyncSession, *, principal: Principal, data: ApiKeyCreate
) -> tuple[ApiKey, str]:
    """Create an API key the caller may grant; return the row and the key, shown once."""
    _signed_in(principal)
    role = Role(data.role)
    if role not in KEY_GRANTS.get(principal.role, frozenset()):
        raise Forbidden(f"A {principal.role.value} key cannot issue {role.value} keys.")
    if role is Role.MUNICIPALITY and data.ags is None:
        raise InvalidInput(
            "A municipality key belongs to one municipality: name its ags.",
            errors=[{"field": "ags", "message": "required for municipality keys"}],
        )
    if role is not Role.MUNICIPALITY and data.ags is not None:
        raise InvalidInput(
            "Only municipality keys belong to one municipality.",
            errors=[{"field": "ags", "message": f"not allowed for {role.value} keys"}],
        )
    if principal.role is Role.MUNICIPALITY and data.ags not in (None, principal.ags):
        raise Forbidden("A municipality can only issue keys for itself.")
    if data.ags is not None and await repository.get_municipality(session, data.ags) is None:
        raise UnknownMunicipality(
            f"No municipality with AGS {data.ags} is registered; register it first.",
            errors=[{"field": "ags", "message": f"unknown AGS {data.ags}"}],
        )
    secret, prefix = new_key()
    key = ApiKey(
        id=str(uuid.uuid4()),
        prefix=prefix,
        secret_hash=key_hash(secret),
        name=data.name,
        role=role.value,
        ags=data.ags,
        created_by=principal.subject,
        created_at=utcnow(),
        embed_origins=data.embed_origins,
        version=1,
    )
    session.add(key)
    return key, secret


async def manageable_key(session: AsyncSession, principal: Principal, key_id: str) -> ApiKey:
    """A key the caller manages; 404 for any other (its existence is not told)."""
    _signed_in(principal)
    key = await repository.get_manageable_key(session, principal, key_id)
    if key is None:
        raise NotFound(f"There is no key {key_id} you manage.")
    return key


async def update_key(
    session: AsyncSession,
    *,
    principal: Principal,
    key_id: str,
    changes: ApiKeyUpdate,
    if_match: str | None,
) -> ApiKey:
    """Rename a key or set the origins that may embed its widgets, for whoever manages
    it, on the version `if_match` names; a revoked key stays as it was revoked."""
    _signed_in(principal)
    key = await repository.get_manageable_key(session, principal, key_id, for_update=True)
    if key is None:
        raise NotFound(f"There is no key {key_id} you manage.")
    check_if_match(if_match, key.version)
    requested = changes.model_dump(exclude_unset=True)
    refuse_cleared(requested, frozenset({"name", "embed_origins"}))
    if key.revoked_at is not None:
        raise Conflict("This key is revoked; it cannot be changed.")
    changed = [k for k, v in requested.items() if getattr(key, k) != v]
    for name in changed:
        setattr(key, name, requested[name])
    if changed:
        key.version += 1
    return key


def revoke_key(key: ApiKey) -> None:
    """Revoke a key; revoking twice keeps the first time."""
    if key.revoked_at is None:
        key.revoked_at = utcnow()


async def ensure_bootstrap_admin(session: AsyncSession, secret: str) -> None:
    """Make the operator's configured admin key exist (first start, or after a reset)."""
    if await repository.key_by_hash(session, key_hash(secret)) is not None:
        return
    session.add(
        ApiKey(
            id=str(uuid.uuid4()),
            prefix=display_prefix(secret),
            secret_hash=key_hash(secret),
            name="bootstrap admin (LOTSE_BOOTSTRAP_ADMIN_KEY)",
            role=Role.ADMIN.value,
            created_by="bootstrap",
            created_at=utcnow(),
        )
    )


_PROJECT_PAYLOADS = (ProjectCreated, ProjectUpdated, ProjectStatusChanged, ProjectDeleted)
_CATALOGUE_PAYLOADS = (SolutionPublished, SolutionUpdated, SolutionRetired)
_ADOPTION_PAYLOADS = (AdoptionRecorded, AdoptionChanged)
_ARTICLE_PAYLOADS = (ArticlePublished, ArticleUpdated)
_FUNDING_FEED_PAYLOADS = (FundingCallPublished, FundingCallUpdated, FundingCallStatusChanged)
FEED_TYPES = frozenset(
    payload.event_type
    for payload in (
        *_PROJECT_PAYLOADS,
        *_CATALOGUE_PAYLOADS,
        *_ADOPTION_PAYLOADS,
        *_ARTICLE_PAYLOADS,
        *_FUNDING_FEED_PAYLOADS,
        ArticleRequested,
        MatchFound,
    )
)
"""The event types that reach the feed (and so the live stream and webhooks)."""
ARTICLE_BODY = frozenset({"body", "body_html"})
"""What the feed leaves out of an article: it announces and links an article, whose body
is read from the knowledge service, where its visibility is checked at every read."""


async def record_in_feed(session: AsyncSession, event: CloudEvent) -> None:
    """Add a project event, or a public event of the knowledge or funding service, to
    the feed."""
    data = event.data
    if isinstance(data, _PROJECT_PAYLOADS):
        await _record_project_event(session, event, data)
    elif isinstance(data, _FUNDING_FEED_PAYLOADS):
        # Funding calls are public and no one's; a wording fix is not news.
        if not (isinstance(data, FundingCallUpdated) and not data.material):
            call = data.call
            await _add_to_feed(session, event, data, call.title, "", "public", call.version)
    elif isinstance(data, _CATALOGUE_PAYLOADS):
        # The catalogue is public; a coordinator's entry concerns no one municipality.
        solution = data.solution
        owner = solution.provider_ags or solution.owner_ags or ""
        await _add_to_feed(session, event, data, solution.name, owner, "public", solution.version)
    elif isinstance(data, _ADOPTION_PAYLOADS):
        # Which software a municipality runs is for the region's members, like its inventory.
        adoption = data.adoption
        title = f"{adoption.solution_name}: {adoption.status}"
        await _add_to_feed(
            session, event, data, title, adoption.municipality_ags, "region", adoption.version
        )
    elif isinstance(data, _ARTICLE_PAYLOADS):
        article = data.article
        await _record_versioned(
            session,
            event,
            data,
            title=article.title,
            owner=article.municipality_ags or "",
            visibility=article.visibility,
            version=article.version,
            first=isinstance(data, ArticlePublished),
        )
    elif isinstance(data, ArticleDeleted):
        await repository.remove_feed_of(session, event.subject)
    elif isinstance(data, ArticleRequested):
        title = f"Erfahrungsbericht erbeten: {data.project.title}"
        await _add_to_feed(session, event, data, title, data.municipality_ags, data.visibility, 1)
    elif isinstance(data, MatchFound):
        await _record_match(session, event, data)


def narrowed_match(
    visibility: str, owner: str, end_visibility: str, end_owner: str
) -> tuple[str, str]:
    """Visibility and owner of a match entry after one end became `end_visibility`: never
    more visible than either end. Narrowing only, so an end widened again widens none.

    `private` is for the private end's owner (and coordinators). When the other end is
    private to another municipality already, nobody but coordinators may see both ends:
    the owner becomes "" (no municipality's AGS).
    """
    if end_visibility != "private":
        return narrower(visibility, end_visibility), owner
    if visibility != "private":
        return "private", end_owner
    return "private", owner if owner == end_owner else ""


async def _add_to_feed(
    session: AsyncSession,
    event: CloudEvent,
    data: EventPayload,
    title: str,
    owner: str,
    visibility: str,
    version: int,
    *,
    ends: tuple[str, str] | None = None,
) -> None:
    project_end, match_end = ends or (None, None)
    await repository.add_feed_entry(
        session,
        source=event.source,
        event_id=event.id,
        type=event.type,
        subject=event.subject,
        title=title[:300],
        municipality_ags=owner,
        visibility=visibility,
        version=version,
        occurred_at=event.time,
        data=data.model_dump(mode="json", exclude={"article": set(ARTICLE_BODY)}),
        project_end=project_end,
        match_end=match_end,
    )


async def _record_versioned(
    session: AsyncSession,
    event: CloudEvent,
    data: EventPayload,
    *,
    title: str,
    owner: str,
    visibility: str,
    version: int,
    first: bool,
) -> bool:
    """All entries of an aggregate take the visibility of its newest version, so hiding it
    hides its past, and a late, older event cannot reveal it again. True when this event
    is the newest version seen; `first` is an aggregate's first event (no past entries)."""
    newest = None if first else await repository.newest_feed_entry(session, event.subject)
    latest = newest is None or newest.version <= version
    if newest is not None and not latest:
        visibility, owner = newest.visibility, newest.municipality_ags
    elif newest is not None:
        await repository.restrict_feed_of(
            session, subject=event.subject, visibility=visibility, municipality_ags=owner
        )
    await _add_to_feed(session, event, data, title, owner, visibility, version)
    return latest


async def _record_project_event(
    session: AsyncSession,
    event: CloudEvent,
    data: ProjectCreated | ProjectUpdated | ProjectStatusChanged | ProjectDeleted,
) -> None:
    """A project's entries, and the matches naming it, follow its newest version; a
    deleted project's matches leave the feed (its own entries stay, ending in 'deleted')."""
    project = data.project
    latest = await _record_versioned(
        session,
        event,
        data,
        title=project.title,
        owner=project.municipality_ags,
        visibility=project.visibility,
        version=project.version,
        first=isinstance(data, ProjectCreated),
    )
    if not latest or isinstance(data, ProjectCreated):
        return
    if isinstance(data, ProjectDeleted):
        await repository.remove_matches_of(session, event.subject)
    elif project.visibility != "public":  # a public end narrows nothing
        await _narrow_matches(session, event.subject, project.visibility, project.municipality_ags)


async def _narrow_matches(session: AsyncSession, end_id: str, visibility: str, owner: str) -> None:
    narrowed: dict[tuple[str, str], list[int]] = {}
    for seq, entry_visibility, entry_owner in await repository.matches_of(session, end_id):
        now = narrowed_match(entry_visibility, entry_owner, visibility, owner)
        if now != (entry_visibility, entry_owner):
            narrowed.setdefault(now, []).append(seq)
    for (new_visibility, new_owner), seqs in narrowed.items():
        await repository.set_feed_visibility(
            session, seqs, visibility=new_visibility, municipality_ags=new_owner
        )


async def _record_match(session: AsyncSession, event: CloudEvent, data: MatchFound) -> None:
    """A match as narrow as its narrower end (a private project's match is its
    municipality's), and as its ends are now in the feed: their events may have come
    first. A match with a deleted project is not news any more."""
    visibility: str = data.visibility
    owner = data.project.municipality_ags or ""
    for end in (data.project, data.match):
        if end.kind != "project":
            continue  # the catalogue is public
        newest = await repository.newest_feed_entry(session, str(end.id))
        if newest is None:
            continue
        if newest.type == ProjectDeleted.event_type:
            return
        visibility, owner = narrowed_match(
            visibility, owner, newest.visibility, newest.municipality_ags
        )
    title = f"{data.project.title} ~ {data.match.title}"
    ends = (str(data.project.id), str(data.match.id))
    await _add_to_feed(session, event, data, title, owner, visibility, 1, ends=ends)
