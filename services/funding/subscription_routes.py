"""HTTP endpoints of alert subscriptions: parse, authorise, call the domain, render."""

import html
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import HTMLResponse

from services.funding import repository, subscriptions
from services.funding.alerts import Alerts
from services.funding.models import Delivery
from services.funding.schemas import (
    DeliveryPage,
    DeliveryPublic,
    DeliveryStatus,
    FeedLinks,
    SecretRotated,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPage,
    SubscriptionPublic,
    SubscriptionUpdate,
)
from shared.kit.auth import (
    CurrentPrincipal,
    SecretLinkRoute,
    WritersOnlyRoute,
    internal_principal,
)
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
from shared.kit.sqltypes import utcnow
from shared.kit.webhooks import DeliveryPolicy

PREFIX = "/api/v1/subscriptions"
router = APIRouter(
    prefix=PREFIX,
    tags=["subscriptions"],
    dependencies=[Depends(internal_principal)],
    responses=responses(Unauthorized, Forbidden),
    # Subscriptions belong to keys that may write; a reader or anonymous caller has none
    # to read either.
    route_class=WritersOnlyRoute,
)
# The links in e-mails work without a key: their token is the proof.
links_router = APIRouter(
    prefix=PREFIX,
    tags=["subscriptions"],
    dependencies=[Depends(internal_principal)],
    route_class=SecretLinkRoute,
)

Token = Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]


def _links(request: Request) -> subscriptions.Links:
    return part_of(request, Alerts).links


def _render(subscription_public: SubscriptionPublic) -> Response:
    return Response(
        subscription_public.model_dump_json(),
        media_type="application/json",
        headers={"ETag": etag_of(subscription_public.version)},
    )


def _page(title: str, text: str, status_code: int = 200, form: str = "") -> HTMLResponse:
    # No inline style: the gateway's Content-Security-Policy allows none.
    body = (
        '<!doctype html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>{form}</body></html>"
    )
    return HTMLResponse(body, status_code=status_code)


_PAGE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}}
}


@links_router.get(
    "/confirm",
    response_class=HTMLResponse,
    summary="Confirm an e-mail subscription (the link of the confirmation mail)",
    description="Opt-in: until this link was followed, nothing but the confirmation is "
    "sent to the address. Works without a key; the token is the proof.",
    responses={**_PAGE, **responses(subscriptions.InvalidLink)},
)
async def confirm(
    request: Request,
    session: DbSession,
    id: Annotated[uuid.UUID, Query(description="the subscription")],
    token: Token,
) -> HTMLResponse:
    subscription = await subscriptions.confirm_email(
        session, links=_links(request), subscription_id=str(id), token=token, now=utcnow()
    )
    if subscription.unsubscribed_at is not None:
        return _page(
            "Abonnement abbestellt",
            "Dieses Abonnement wurde abbestellt; an diese Adresse geht nichts mehr. "
            "Für neue Förderaufrufe legen Sie ein neues Abonnement an.",
        )
    return _page(
        "Abonnement bestätigt", "Sie erhalten ab jetzt Förderaufrufe, die zu Ihrem Filter passen."
    )


@links_router.get(
    "/unsubscribe",
    response_class=HTMLResponse,
    summary="The unsubscribe page (the link of every mail)",
    description="Shows a button that unsubscribes; a GET changes nothing, so link "
    "scanners cannot unsubscribe anyone.",
    responses={**_PAGE, **responses(subscriptions.InvalidLink)},
)
async def unsubscribe_page(
    request: Request,
    session: DbSession,
    id: Annotated[uuid.UUID, Query(description="the subscription")],
    token: Token,
) -> HTMLResponse:
    if not _links(request).valid("unsubscribe", str(id), token):
        raise subscriptions.InvalidLink("The link is not valid.")
    action = html.escape(_links(request).unsubscribe(str(id)), quote=True)
    form = f'<form method="post" action="{action}"><button>Abbestellen</button></form>'
    return _page("Abonnement abbestellen", "Keine Förderaufrufe mehr an diese Adresse?", form=form)


@links_router.post(
    "/unsubscribe",
    response_class=HTMLResponse,
    summary="Unsubscribe with one click (RFC 8058 List-Unsubscribe-Post)",
    description="What mail clients POST (`List-Unsubscribe=One-Click`) and the button of "
    "the unsubscribe page sends: nothing more is sent, and what was waiting is cancelled. "
    "Works without a key; the token is the proof. Repeating it changes nothing.",
    responses={**_PAGE, **responses(subscriptions.InvalidLink)},
)
async def unsubscribe(
    request: Request,
    session: DbSession,
    id: Annotated[uuid.UUID, Query(description="the subscription")],
    token: Token,
) -> HTMLResponse:
    await subscriptions.unsubscribe(
        session, links=_links(request), subscription_id=str(id), token=token, now=utcnow()
    )
    return _page("Abbestellt", "Sie erhalten keine Förderaufrufe mehr von diesem Abonnement.")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionCreated,
    summary="Subscribe to funding calls",
    description="Yours, from your key. Channel `webhook`: signed the Standard Webhooks way "
    "with the `secret` in this answer, shown once. Channel `email`: the address first gets "
    "a confirmation link, and nothing else until it is followed. `feeds` are secret Atom "
    "and iCalendar addresses of the same filter, shown once. A key holds at most 200 "
    "subscriptions (409); an address with 3 unconfirmed requests of the last day gets no "
    "more (429).",
    responses=responses(Forbidden, InvalidInput, IdempotencyKeyReused, Conflict, TooManyRequests),
)
async def create_subscription(
    data: SubscriptionCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    idempotency: Idempotency,
) -> Response:
    subscription, secret, feed_token = await subscriptions.create_subscription(
        session,
        principal=principal,
        data=data,
        links=_links(request),
        policy=part_of(request, DeliveryPolicy),
        now=utcnow(),
    )
    created = SubscriptionCreated(
        **subscriptions.public(subscription).model_dump(),
        secret=secret,
        feeds=_links(request).feeds(feed_token),
    )
    return idempotency.created(
        session,
        created.model_dump_json(),
        {
            "Location": f"{PREFIX}/{subscription.id}",
            "ETag": etag_of(subscription.version),
            "Cache-Control": "no-store",
        },
        # Secrets are shown once: a retry learns that, and they are not stored for it.
        replay_as=Conflict(
            "This Idempotency-Key created a subscription already, and its secrets are shown "
            "only once. Rotate them if they were lost."
        ),
    )


@router.get(
    "",
    response_model=SubscriptionPage,
    summary="Your subscriptions",
    responses=export_responses(),
)
async def list_subscriptions(
    principal: CurrentPrincipal,
    session: DbSession,
    export: Exportable,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    if_none_match: IfNoneMatch = None,
) -> Response:
    cursor, limit = export.window(cursor, limit)
    rows, next_cursor, total = await repository.list_subscriptions(
        session, principal, cursor=cursor, limit=limit
    )
    page = SubscriptionPage(
        items=[subscriptions.public(s) for s in rows], next_cursor=next_cursor, total=total
    )
    return await export.answer(page, if_none_match, filename="Abonnements")


@router.get(
    "/{subscription_id}",
    response_model=SubscriptionPublic,
    summary="Read one of your subscriptions",
    responses=responses(NotFound),
)
async def get_subscription(
    subscription_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    if_none_match: IfNoneMatch = None,
) -> Response:
    found = await repository.get_subscription(session, principal, str(subscription_id))
    if found is None:
        raise NotFound(f"There is no subscription {subscription_id} of yours.")
    state = subscriptions.public(found)
    return cacheable(state.model_dump_json(), if_none_match, etag=etag_of(state.version))


@router.patch(
    "/{subscription_id}",
    response_model=SubscriptionPublic,
    summary="Change one of your subscriptions",
    description="Send the ETag of your last read as `If-Match`; a stale one gets 412.",
    responses=responses(NotFound, PreconditionFailed, PreconditionRequired, InvalidInput),
)
async def update_subscription(
    subscription_id: uuid.UUID,
    changes: SubscriptionUpdate,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    if_match: IfMatch = None,
) -> Response:
    subscription = await subscriptions.update_subscription(
        session,
        principal=principal,
        subscription_id=str(subscription_id),
        changes=changes,
        if_match=if_match,
        policy=part_of(request, DeliveryPolicy),
        now=utcnow(),
    )
    return _render(subscriptions.public(subscription))


@router.delete(
    "/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete one of your subscriptions",
    description="Nothing more is sent; what was waiting is cancelled.",
    responses=responses(NotFound),
)
async def delete_subscription(
    subscription_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Response:
    await subscriptions.delete_subscription(
        session, principal=principal, subscription_id=str(subscription_id), now=utcnow()
    )
    return Response(status_code=204)


@router.post(
    "/{subscription_id}/secret",
    response_model=SecretRotated,
    summary="Rotate the webhook signing secret",
    description="The new secret is shown once. The old one keeps signing beside it (two "
    "signatures in `webhook-signature`) until `previous_valid_until`, so receivers can "
    "switch without losing a message.",
    responses=responses(NotFound, Conflict),
)
async def rotate_secret(
    subscription_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Response:
    secret, until = await subscriptions.rotate_secret(
        session, principal=principal, subscription_id=str(subscription_id), now=utcnow()
    )
    body = SecretRotated(secret=secret, previous_valid_until=until)
    return Response(
        body.model_dump_json(), media_type="application/json", headers={"Cache-Control": "no-store"}
    )


@router.post(
    "/{subscription_id}/feed-token",
    response_model=FeedLinks,
    summary="New secret feed addresses",
    description="The old Atom and iCalendar addresses stop working at once.",
    responses=responses(NotFound),
)
async def rotate_feed_token(
    subscription_id: uuid.UUID, request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    token = await subscriptions.rotate_feed_token(
        session, principal=principal, subscription_id=str(subscription_id), now=utcnow()
    )
    return Response(
        _links(request).feeds(token).model_dump_json(),
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


@router.post(
    "/{subscription_id}/enable",
    response_model=SubscriptionPublic,
    summary="Take a disabled webhook endpoint back into service",
    responses=responses(NotFound),
)
async def enable_endpoint(
    subscription_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Response:
    subscription = await subscriptions.enable_endpoint(
        session, principal=principal, subscription_id=str(subscription_id), now=utcnow()
    )
    return _render(subscriptions.public(subscription))


def _delivery(row: Delivery) -> DeliveryPublic:
    return DeliveryPublic.model_validate(row, from_attributes=True)


@router.get(
    "/{subscription_id}/deliveries",
    response_model=DeliveryPage,
    summary="Deliveries of one of your subscriptions",
    description="Newest first; `status=failed` lists what was given up, to redeliver.",
    responses=export_responses(NotFound),
)
async def list_deliveries(
    subscription_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
    export: Exportable,
    status: DeliveryStatus | None = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    if_none_match: IfNoneMatch = None,
) -> Response:
    if await repository.get_subscription(session, principal, str(subscription_id)) is None:
        raise NotFound(f"There is no subscription {subscription_id} of yours.")
    cursor, limit = export.window(cursor, limit)
    rows, next_cursor, total = await repository.list_deliveries(
        session, str(subscription_id), status=status, cursor=cursor, limit=limit
    )
    page = DeliveryPage(items=[_delivery(d) for d in rows], next_cursor=next_cursor, total=total)
    return await export.answer(page, if_none_match, filename="Zustellungen")


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryPublic,
    summary="Send a failed delivery again",
    description="The same message (same `webhook-id`) goes out at once, with a fresh "
    "retry schedule. Only failed deliveries of an active subscription (409 otherwise).",
    responses=responses(NotFound, Conflict),
)
async def redeliver(
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    delivery = await subscriptions.redeliver(
        session,
        principal=principal,
        subscription_id=str(subscription_id),
        delivery_id=str(delivery_id),
        now=utcnow(),
    )
    return Response(
        _delivery(delivery).model_dump_json(), status_code=202, media_type="application/json"
    )
