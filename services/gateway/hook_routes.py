"""HTTP endpoints of outgoing webhooks: parse, authorise, call the rules, render."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from services.gateway import hooks, repository
from services.gateway.identity import caller
from services.gateway.schemas import (
    WebhookCreate,
    WebhookCreated,
    WebhookDeliveryPage,
    WebhookDeliveryPublic,
    WebhookDeliveryStatus,
    WebhookPage,
    WebhookPublic,
    WebhookSecretRotated,
    WebhookUpdate,
)
from shared.kit.auth import Principal, WritersOnlyRoute
from shared.kit.deps import DbSession
from shared.kit.export import Exportable, export_responses
from shared.kit.http import (
    Conflict,
    Forbidden,
    IfMatch,
    IfNoneMatch,
    InvalidInput,
    NotFound,
    OptionalIfMatch,
    PreconditionFailed,
    PreconditionRequired,
    Unauthorized,
    cacheable,
    etag_of,
    responses,
)
from shared.kit.idempotency import Idempotency, IdempotencyKeyReused
from shared.kit.service import part_of
from shared.kit.sqltypes import utcnow
from shared.kit.webhooks import DeliveryPolicy

PREFIX = "/api/v1/webhooks"
Caller = Annotated[Principal, Depends(caller)]

router = APIRouter(
    prefix=PREFIX,
    tags=["webhooks"],
    dependencies=[Depends(caller)],
    responses=responses(Unauthorized, Forbidden),
    # Webhooks belong to keys that may write; a reader or anonymous caller has none to
    # read either.
    route_class=WritersOnlyRoute,
)


def _render(webhook: WebhookPublic, status_code: int = 200) -> Response:
    return Response(
        webhook.model_dump_json(),
        status_code=status_code,
        media_type="application/json",
        headers={"ETag": etag_of(webhook.version)},
    )


def _accepted(delivery: WebhookDeliveryPublic) -> Response:
    return Response(delivery.model_dump_json(), status_code=202, media_type="application/json")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookCreated,
    summary="Subscribe a URL to events of the feed",
    description="Each feed entry of the given `event_types` (and `municipality`, `topic`) "
    "that the webhook's owner may see is POSTed to `url` as a CloudEvent, signed the "
    "Standard Webhooks way with the `secret` in this answer, shown once. A municipality's "
    "key makes a webhook of its municipality; a coordinator's or admin's one of the region. "
    "At most 50 webhooks each (409).",
    responses=responses(InvalidInput, IdempotencyKeyReused, Conflict),
)
async def create_webhook(
    data: WebhookCreate,
    request: Request,
    principal: Caller,
    session: DbSession,
    idempotency: Idempotency,
) -> Response:
    webhook, secret = await hooks.create_webhook(
        session,
        principal=principal,
        data=data,
        policy=part_of(request, DeliveryPolicy),
        now=utcnow(),
    )
    created = WebhookCreated(**hooks.public(webhook).model_dump(), secret=secret)
    return idempotency.created(
        session,
        created.model_dump_json(),
        {
            "Location": f"{PREFIX}/{webhook.id}",
            "ETag": etag_of(webhook.version),
            "Cache-Control": "no-store",
        },
        # The secret is shown once: a retry learns that, and it is not stored for it.
        replay_as=Conflict(
            "This Idempotency-Key created a webhook already, and its secret is shown only "
            "once. Rotate it if it was lost."
        ),
    )


@router.get(
    "",
    response_model=WebhookPage,
    summary="The webhooks you manage",
    description="A municipality's key lists its municipality's, a coordinator's or admin's "
    "every webhook of the region.",
    responses=export_responses(),
)
async def list_webhooks(
    principal: Caller,
    session: DbSession,
    export: Exportable,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    if_none_match: IfNoneMatch = None,
) -> Response:
    cursor, limit = export.window(cursor, limit)
    rows, next_cursor, total = await repository.list_manageable_webhooks(
        session, principal, cursor=cursor, limit=limit
    )
    page = WebhookPage(items=[hooks.public(w) for w in rows], next_cursor=next_cursor, total=total)
    return await export.answer(page, if_none_match, filename="Webhooks")


@router.get(
    "/{webhook_id}",
    response_model=WebhookPublic,
    summary="Read a webhook you manage",
    responses=responses(NotFound),
)
async def get_webhook(
    webhook_id: uuid.UUID,
    principal: Caller,
    session: DbSession,
    if_none_match: IfNoneMatch = None,
) -> Response:
    found = await repository.get_manageable_webhook(session, principal, str(webhook_id))
    if found is None:
        raise NotFound(f"There is no webhook {webhook_id} you manage.")
    state = hooks.public(found)
    return cacheable(state.model_dump_json(), if_none_match, etag=etag_of(state.version))


@router.patch(
    "/{webhook_id}",
    response_model=WebhookPublic,
    summary="Change a webhook you manage",
    description="Send the ETag of your last read as `If-Match`; a stale one gets 412. "
    "`active: false` pauses it, `active: true` takes a paused or disabled one back.",
    responses=responses(NotFound, PreconditionFailed, PreconditionRequired, InvalidInput),
)
async def update_webhook(
    webhook_id: uuid.UUID,
    changes: WebhookUpdate,
    request: Request,
    principal: Caller,
    session: DbSession,
    if_match: IfMatch = None,
) -> Response:
    webhook = await hooks.update_webhook(
        session,
        principal=principal,
        webhook_id=str(webhook_id),
        changes=changes,
        if_match=if_match,
        policy=part_of(request, DeliveryPolicy),
        now=utcnow(),
    )
    return _render(hooks.public(webhook))


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a webhook you manage",
    description="Nothing more is sent; what was waiting is dropped with it.",
    responses=responses(NotFound, PreconditionFailed),
)
async def delete_webhook(
    webhook_id: uuid.UUID,
    principal: Caller,
    session: DbSession,
    if_match: OptionalIfMatch = None,
) -> Response:
    await hooks.delete_webhook(
        session, principal=principal, webhook_id=str(webhook_id), if_match=if_match
    )
    return Response(status_code=204)


@router.post(
    "/{webhook_id}/secret",
    response_model=WebhookSecretRotated,
    summary="Rotate the signing secret",
    description="The new secret is shown once. The old one keeps signing beside it (two "
    "signatures in `webhook-signature`) until `previous_valid_until`, so the receiver can "
    "switch without losing a message.",
    responses=responses(NotFound),
)
async def rotate_secret(webhook_id: uuid.UUID, principal: Caller, session: DbSession) -> Response:
    secret, until = await hooks.rotate_secret(
        session, principal=principal, webhook_id=str(webhook_id), now=utcnow()
    )
    body = WebhookSecretRotated(secret=secret, previous_valid_until=until)
    return Response(
        body.model_dump_json(), media_type="application/json", headers={"Cache-Control": "no-store"}
    )


@router.post(
    "/{webhook_id}/ping",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=WebhookDeliveryPublic,
    summary="Send a test message",
    description="A `de.lotse.webhook.ping.v1` event goes out at once, signed like every "
    "other; follow it in the webhook's deliveries. 409 while the webhook is not active.",
    responses=responses(NotFound, Conflict, IdempotencyKeyReused),
)
async def ping(
    webhook_id: uuid.UUID, principal: Caller, session: DbSession, idempotency: Idempotency
) -> Response:
    delivery = await hooks.ping(
        session, principal=principal, webhook_id=str(webhook_id), now=utcnow()
    )
    body = hooks.delivery_public(delivery).model_dump_json()
    idempotency.remember(session, status_code=202, body=body, headers={})
    return Response(body, status_code=202, media_type="application/json")


@router.get(
    "/{webhook_id}/deliveries",
    response_model=WebhookDeliveryPage,
    summary="Deliveries of a webhook you manage",
    description="Newest first, with attempts, the last answer and error; `status=failed` "
    "lists what was given up, to redeliver.",
    responses=export_responses(NotFound),
)
async def list_deliveries(
    webhook_id: uuid.UUID,
    principal: Caller,
    session: DbSession,
    export: Exportable,
    status: WebhookDeliveryStatus | None = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if await repository.get_manageable_webhook(session, principal, str(webhook_id)) is None:
        raise NotFound(f"There is no webhook {webhook_id} you manage.")
    cursor, limit = export.window(cursor, limit)
    rows, next_cursor, total = await repository.list_webhook_deliveries(
        session, str(webhook_id), status=status, cursor=cursor, limit=limit
    )
    page = WebhookDeliveryPage(
        items=[hooks.delivery_public(d) for d in rows], next_cursor=next_cursor, total=total
    )
    return await export.answer(page, if_none_match, filename="Webhook-Zustellungen")


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=WebhookDeliveryPublic,
    summary="Send a failed or cancelled delivery again",
    description="The same message (same `webhook-id`) goes out at once, with a fresh retry "
    "schedule, if the webhook's owner may still see it. Only failed or cancelled "
    "deliveries of an active webhook (409 otherwise).",
    responses=responses(NotFound, Conflict),
)
async def redeliver(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, principal: Caller, session: DbSession
) -> Response:
    delivery = await hooks.redeliver(
        session,
        principal=principal,
        webhook_id=str(webhook_id),
        delivery_id=str(delivery_id),
        now=utcnow(),
    )
    return _accepted(hooks.delivery_public(delivery))
