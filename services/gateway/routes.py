"""The gateway's own endpoints: municipalities, API keys, topics, the feed."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import StringConstraints

from services.gateway import domain, repository
from services.gateway.atom import ATOM_MEDIA_TYPE, activity_feed
from services.gateway.identity import KeyResolver, caller
from services.gateway.models import ApiKey, Municipality
from services.gateway.ratelimit import identity_of
from services.gateway.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPage,
    ApiKeyPublic,
    ApiKeyUpdate,
    FeedEntryPublic,
    FeedPage,
    MunicipalityCreate,
    MunicipalityPage,
    MunicipalityPublic,
    MunicipalityUpdate,
    TopicList,
    TopicPublic,
)
from services.gateway.stream import LiveStreams, StreamFilter
from shared.kit.auth import AuthenticatedRoute, Principal
from shared.kit.deps import DbSession
from shared.kit.export import Exportable, export_responses
from shared.kit.http import (
    Conflict,
    Forbidden,
    IfMatch,
    IfNoneMatch,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    TooManyRequests,
    Unauthorized,
    cacheable,
    etag_of,
    responses,
)
from shared.kit.idempotency import Idempotency, IdempotencyKeyReused
from shared.kit.service import part_of
from shared.region.ags import AGS
from shared.region.topics import TOPICS, VOCABULARY_VERSION, Topic

Caller = Annotated[Principal, Depends(caller)]

EventType = Annotated[
    str, StringConstraints(max_length=120, pattern=r"^de\.lotse\.[a-z_]+(\.[a-z_]+)*\.v[0-9]+$")
]

router = APIRouter(prefix="/api/v1", dependencies=[Depends(caller)], route_class=AuthenticatedRoute)


@router.get(
    "/topics",
    response_model=TopicList,
    tags=["vocabulary"],
    summary="The topics (Gestaltungsfelder) projects are filed under",
    responses=export_responses(),
)
async def list_topics(export: Exportable, if_none_match: IfNoneMatch = None) -> Response:
    topics = TopicList(
        vocabulary=VOCABULARY_VERSION,
        items=[TopicPublic(key=k, label=v) for k, v in TOPICS.items()],
    )
    return await export.answer(topics, if_none_match, filename="Gestaltungsfelder")


@router.post(
    "/municipalities",
    status_code=status.HTTP_201_CREATED,
    response_model=MunicipalityPublic,
    tags=["municipalities"],
    summary="Register a municipality of the region",
    description="Coordinators and admins. The AGS is the key; the Land follows from its "
    "first two digits.",
    responses=responses(Unauthorized, Forbidden, Conflict, InvalidInput, IdempotencyKeyReused),
)
async def register_municipality(
    data: MunicipalityCreate,
    request: Request,
    principal: Caller,
    session: DbSession,
    idempotency: Idempotency,
) -> Response:
    municipality = await domain.register_municipality(
        session, principal=principal, data=data, source=request.app.state.settings.source
    )
    body = MunicipalityPublic.model_validate(municipality, from_attributes=True).model_dump_json()
    response = idempotency.created(
        session, body, {"Location": f"/api/v1/municipalities/{municipality.ags}"}
    )
    # Registered means announced: once this answer is out, the other services can learn
    # of the municipality from the broker (see projects' await_municipalities).
    runtime = request.app.state.runtime
    await runtime.relay.commit_and_publish(
        session, within=runtime.settings.registration_publish_seconds
    )
    return response


@router.get(
    "/municipalities",
    response_model=MunicipalityPage,
    tags=["municipalities"],
    summary="List the municipalities of the region",
    responses=export_responses(),
)
async def list_municipalities(
    session: DbSession,
    export: Exportable,
    land: Annotated[
        str | None, Query(pattern=r"^[0-9]{2}$", description="two-digit Land code")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    if_none_match: IfNoneMatch = None,
) -> Response:
    cursor, limit = export.window(cursor, limit)
    rows, next_cursor, total = await repository.list_municipalities(
        session, land=land, cursor=cursor, limit=limit
    )
    page = MunicipalityPage(
        items=[MunicipalityPublic.model_validate(m, from_attributes=True) for m in rows],
        next_cursor=next_cursor,
        total=total,
    )
    return await export.answer(page, if_none_match, filename="Kommunen")


@router.get(
    "/municipalities/{ags}",
    response_model=MunicipalityPublic,
    tags=["municipalities"],
    summary="Read one municipality",
    responses=responses(NotFound),
)
async def get_municipality(
    ags: Annotated[AGS, Path()],
    session: DbSession,
    if_none_match: IfNoneMatch = None,
) -> Response:
    municipality = await repository.get_municipality(session, ags)
    if municipality is None:
        raise NotFound(f"No municipality with AGS {ags} is registered.")
    return _municipality_response(municipality, if_none_match)


def _municipality_response(
    municipality: Municipality, if_none_match: str | None = None
) -> Response:
    public = MunicipalityPublic.model_validate(municipality, from_attributes=True)
    return cacheable(public.model_dump_json(), if_none_match, etag=etag_of(municipality.version))


@router.patch(
    "/municipalities/{ags}",
    response_model=MunicipalityPublic,
    tags=["municipalities"],
    summary="Change a municipality",
    description="Coordinators and admins. Send the ETag of your last read as `If-Match`.",
    responses=responses(
        Unauthorized, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, InvalidInput
    ),
)
async def update_municipality(
    ags: Annotated[AGS, Path()],
    changes: MunicipalityUpdate,
    request: Request,
    principal: Caller,
    session: DbSession,
    if_match: IfMatch = None,
) -> Response:
    municipality = await domain.update_municipality(
        session,
        principal=principal,
        ags=ags,
        changes=changes,
        if_match=if_match,
        source=request.app.state.settings.source,
    )
    return _municipality_response(municipality)


@router.post(
    "/api-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    tags=["api keys"],
    summary="Issue an API key",
    description="The key is in the answer once and stored only as a hash. Admins issue any "
    "role; coordinators coordinator, municipality and reader keys; a municipality keys "
    "for itself.",
    responses=responses(Unauthorized, Forbidden, Conflict, InvalidInput, IdempotencyKeyReused),
)
async def issue_key(
    data: ApiKeyCreate, principal: Caller, session: DbSession, idempotency: Idempotency
) -> Response:
    key, secret = await domain.issue_key(session, principal=principal, data=data)
    public = ApiKeyPublic.model_validate(key, from_attributes=True)
    return idempotency.created(
        session,
        ApiKeyCreated(**public.model_dump(), key=secret).model_dump_json(),
        {"Location": f"/api/v1/api-keys/{key.id}", "Cache-Control": "no-store"},
        # A key is shown once: a retry learns that, and the secret is never stored.
        replay_as=Conflict(
            "This Idempotency-Key issued a key already, and a key is shown only once. "
            "If it was lost, revoke it and issue a new one."
        ),
    )


@router.get(
    "/api-keys",
    response_model=ApiKeyPage,
    tags=["api keys"],
    summary="List the keys you manage",
    responses=export_responses(Unauthorized),
)
async def list_keys(
    principal: Caller,
    session: DbSession,
    export: Exportable,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if not principal.signed_in:
        raise Unauthorized("Sign in with an API key.")
    cursor, limit = export.window(cursor, limit)
    rows, next_cursor, total = await repository.list_manageable_keys(
        session, principal, cursor=cursor, limit=limit
    )
    page = ApiKeyPage(
        items=[ApiKeyPublic.model_validate(k, from_attributes=True) for k in rows],
        next_cursor=next_cursor,
        total=total,
    )
    return await export.answer(page, if_none_match, filename="API-Schlüssel")


@router.get(
    "/api-keys/{key_id}",
    response_model=ApiKeyPublic,
    tags=["api keys"],
    summary="Read a key you manage",
    description="The `ETag` header is its version: send it as `If-Match` to change the key.",
    responses=responses(Unauthorized, NotFound),
)
async def get_key(
    key_id: uuid.UUID, principal: Caller, session: DbSession, if_none_match: IfNoneMatch = None
) -> Response:
    key = await domain.manageable_key(session, principal, str(key_id))
    return _key_response(key, if_none_match)


@router.patch(
    "/api-keys/{key_id}",
    response_model=ApiKeyPublic,
    tags=["api keys"],
    summary="Rename a key you manage or set where its widgets may be embedded",
    description="`embed_origins` replaces the origins whose pages may show this key's "
    "widgets in a frame (`/widgets/{key_id}/...`); an empty list allows none. Send the "
    "ETag of your last read as `If-Match`; a stale one gets 412. A revoked key is a 409.",
    responses=responses(
        Unauthorized,
        NotFound,
        Conflict,
        PreconditionFailed,
        PreconditionRequired,
        InvalidInput,
    ),
)
async def update_key(
    key_id: uuid.UUID,
    changes: ApiKeyUpdate,
    principal: Caller,
    session: DbSession,
    if_match: IfMatch = None,
) -> Response:
    key = await domain.update_key(
        session, principal=principal, key_id=str(key_id), changes=changes, if_match=if_match
    )
    return _key_response(key)


def _key_response(key: ApiKey, if_none_match: str | None = None) -> Response:
    public = ApiKeyPublic.model_validate(key, from_attributes=True)
    return cacheable(public.model_dump_json(), if_none_match, etag=etag_of(key.version))


@router.delete(
    "/api-keys/{key_id}",
    status_code=204,
    tags=["api keys"],
    summary="Revoke a key; it stops working at once",
    responses=responses(Unauthorized, NotFound),
)
async def revoke_key(
    key_id: uuid.UUID, request: Request, principal: Caller, session: DbSession
) -> Response:
    if not principal.signed_in:
        raise Unauthorized("Sign in with an API key.")
    key = await repository.get_manageable_key(session, principal, str(key_id))
    if key is None:
        raise NotFound(f"There is no key {key_id} you manage.")
    domain.revoke_key(key)
    await session.commit()
    resolver = part_of(request, KeyResolver)
    resolver.forget()
    return Response(status_code=204)


@router.get(
    "/feed",
    response_model=FeedPage,
    tags=["feed"],
    summary="What happened in the region, newest first",
    description="Entries you may see, by the same rules as the projects themselves, and "
    "the catalogue's public news: solutions published, updated and retired, adoptions. "
    "`subject` narrows it to one aggregate's entries, e.g. a project's history; `type` to "
    "entries of the given event types.",
    responses=export_responses(),
)
async def feed(
    principal: Caller,
    session: DbSession,
    export: Exportable,
    subject: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            pattern=r"^[!-~]+$",
            description="only the entries about this aggregate (its id, the events' "
            "`ce_subject`), e.g. a project's id for what changed when",
        ),
    ] = None,
    types: Annotated[
        list[EventType] | None,
        Query(
            alias="type",
            max_length=20,
            description="only entries of these types (repeat the parameter)",
        ),
    ] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    if_none_match: IfNoneMatch = None,
) -> Response:
    cursor, limit = export.window(cursor, limit)
    rows, next_cursor, total = await repository.list_feed(
        session,
        principal,
        cursor=cursor,
        limit=limit,
        subject=subject,
        types=sorted(set(types or ())),
    )
    page = FeedPage(
        items=[FeedEntryPublic.of(e) for e in rows],
        next_cursor=next_cursor,
        total=total,
    )
    return await export.answer(page, if_none_match, filename="Aktivitäten")


@router.get(
    "/feed.atom",
    tags=["feed"],
    summary="What happened in the region, as an Atom feed",
    description="The newest entries of `/feed` you may see, for feed readers and intranet "
    "pages, each linking the resource it is about. Without a key: public entries only, so "
    "Outlook or a SharePoint page can subscribe to the URL as it is. Answers 304 to "
    "`If-None-Match` while nothing changed.",
    response_class=Response,
    responses={
        200: {
            "description": "an Atom 1.0 feed (RFC 4287)",
            "content": {ATOM_MEDIA_TYPE: {"schema": {"type": "string"}}},
        },
        304: {"description": "Not modified: your copy is current"},
    },
)
async def feed_atom(
    request: Request,
    principal: Caller,
    session: DbSession,
    municipality: Annotated[AGS | None, Query(description="only this municipality's")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    if_none_match: IfNoneMatch = None,
) -> Response:
    entries = await repository.newest_feed(
        session, principal, municipality=municipality, limit=limit
    )
    names = await repository.municipality_names(session, {e.municipality_ags for e in entries})
    body = activity_feed(entries, base_url=str(request.base_url).rstrip("/"), names=names)
    return cacheable(body, if_none_match, media_type=ATOM_MEDIA_TYPE)


@router.get(
    "/events/stream",
    tags=["feed"],
    summary="The feed, live, as Server-Sent Events",
    description="The entries of `/feed` you may see, as they happen: `id` is the entry's "
    "position, `event` its type, `data` the entry as JSON. Send `Last-Event-ID` (browsers "
    "do by themselves when they reconnect) to resume after that entry; without it the "
    "stream starts with what happens next. A comment line every 15 s keeps proxies from "
    "closing it; the stream ends after 5 minutes, to be resumed. At most 5 streams per "
    "key (or address, without a key) at once; another is a 429.",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "the stream (text/event-stream)",
            "content": {
                "text/event-stream": {
                    # Each event, as OpenAPI 3.1 describes a stream's items.
                    "schema": {
                        "type": "object",
                        "required": ["data"],
                        "properties": {
                            "id": {"type": "string", "description": "the entry's position"},
                            "event": {"type": "string", "description": "the entry's type"},
                            "retry": {"type": "integer"},
                            "data": {
                                "type": "string",
                                "contentMediaType": "application/json",
                                "contentSchema": {"$ref": "#/components/schemas/FeedEntryPublic"},
                            },
                        },
                    }
                }
            },
        },
        **responses(TooManyRequests),
    },
)
async def live_stream(
    request: Request,
    principal: Caller,
    types: Annotated[
        list[EventType] | None,
        Query(alias="type", description="only events of these types (repeat the parameter)"),
    ] = None,
    municipality: Annotated[AGS | None, Query(description="only this municipality's")] = None,
    topic: Annotated[Topic | None, Query(description="only projects with this topic")] = None,
    last_event_id: Annotated[
        int | None, Header(ge=0, description="resume after this entry")
    ] = None,
) -> StreamingResponse:
    streams = part_of(request, LiveStreams)
    identity = identity_of(request, principal)
    wanted = StreamFilter(types=frozenset(types or ()), municipality=municipality, topic=topic)
    streams.open.admit(identity)  # a 429 before the answer starts
    return StreamingResponse(
        streams.events(principal, identity, wanted, last_event_id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
