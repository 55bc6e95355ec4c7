"""Atom and iCalendar feeds of a subscription's filter, at secret addresses that work
without a key (Outlook, intranet pages); a rotated token ends the old address."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding import repository
from services.funding.alerts import Alerts, index_entry
from services.funding.feeds import (
    ATOM_MEDIA_TYPE,
    CALENDAR_MEDIA_TYPE,
    atom_feed,
    deadline_calendar,
    select,
)
from services.funding.mapping import core_call
from services.funding.matching import SubscriptionFilter
from services.funding.models import Subscription
from services.funding.subscriptions import feed_token_hash
from shared.kit.auth import AuthenticatedRoute, internal_principal
from shared.kit.deps import DbSession
from shared.kit.http import IfNoneMatch, NotFound, content_etag, none_match, responses
from shared.kit.service import part_of

router = APIRouter(
    prefix="/api/v1/funding-feeds",
    tags=["feeds"],
    dependencies=[Depends(internal_principal)],
    route_class=AuthenticatedRoute,
)

FeedToken = Annotated[
    str,
    Path(min_length=10, max_length=100, pattern=r"^feed_[A-Za-z0-9_-]+$",
         description="the secret of the feed address"),
]  # fmt: skip


async def _subscription(session: AsyncSession, token: str) -> Subscription:
    found = await repository.subscription_by_feed_token(session, feed_token_hash(token))
    if found is None:
        raise NotFound("There is no feed at this address (any more).")
    return found


async def _filter(session: AsyncSession, subscription: Subscription) -> SubscriptionFilter:
    municipalities = await repository.known_municipalities(
        session, {subscription.owner_ags} if subscription.owner_ags else set()
    )
    # The filter as alerts apply it, whatever the subscription's delivery state.
    entry = index_entry(subscription, municipalities, active_only=False)
    return entry.filter if entry else SubscriptionFilter()


def _answer(body: bytes, media_type: str, if_none_match: str | None) -> Response:
    etag = content_etag(body)
    if not none_match(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type=media_type, headers={"ETag": etag})


@router.get(
    "/{token}/calls.atom",
    summary="Atom feed of the calls a subscription's filter finds",
    description="Newest change first, 50 entries. No key needed: the address is the secret.",
    response_class=Response,
    responses={
        200: {
            "description": "an Atom 1.0 feed (RFC 4287)",
            "content": {ATOM_MEDIA_TYPE: {"schema": {"type": "string"}}},
        },
        304: {"description": "Not modified: your copy is current"},
        **responses(NotFound),
    },
)
async def calls_feed(
    token: FeedToken, request: Request, session: DbSession, if_none_match: IfNoneMatch = None
) -> Response:
    subscription = await _subscription(session, token)
    wanted = await _filter(session, subscription)
    calls = [core_call(c) for c in await repository.feed_calls(session)]
    links = part_of(request, Alerts).links
    body = atom_feed(
        calls,
        feed_id=f"urn:lotse:funding-feed:{subscription.id}",
        title=f"Förderaufrufe: {subscription.name}",
        self_url=links.feeds(token).atom,
        subscription_filter=wanted,
    )
    return _answer(body, ATOM_MEDIA_TYPE, if_none_match)


@router.get(
    "/{token}/deadlines.ics",
    summary="iCalendar feed of the deadlines of those calls",
    description="One event per deadline with a stable UID; SEQUENCE rises when a deadline "
    "moves; a withdrawn call's deadline is CANCELLED; a reminder alarm. No key needed.",
    response_class=Response,
    responses={
        200: {
            "description": "an iCalendar (RFC 5545)",
            "content": {CALENDAR_MEDIA_TYPE: {"schema": {"type": "string"}}},
        },
        304: {"description": "Not modified: your copy is current"},
        **responses(NotFound),
    },
)
async def deadlines_feed(
    token: FeedToken, session: DbSession, if_none_match: IfNoneMatch = None
) -> Response:
    subscription = await _subscription(session, token)
    wanted = await _filter(session, subscription)
    calls = select([core_call(c) for c in await repository.feed_calls(session)], wanted)
    body = deadline_calendar(calls, name=f"Förderfristen: {subscription.name}")
    return _answer(body, CALENDAR_MEDIA_TYPE + "; charset=utf-8", if_none_match)
