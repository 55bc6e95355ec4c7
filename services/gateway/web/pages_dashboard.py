"""The dashboard: the region in figures, on a picture, live, with its next deadlines.

Every part asks the API on its own, all at once; a part whose service is away (or that
refuses) is left out with a note, and the page stands without it. The live part is
`/dashboard/stream`: the API's stream of the signed-in person's feed, for a browser
whose cookie (not a key) says who it is.
"""

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse

from services.gateway.ratelimit import identity_of
from services.gateway.stream import LiveStreams, StreamFilter
from services.gateway.web.api import PageApi
from services.gateway.web.dashboard import bar_chart, region_map
from services.gateway.web.i18n import language_of
from services.gateway.web.messages import CATALOGUES
from services.gateway.web.render import render
from services.gateway.web.session import current_session, sign_in_redirect
from shared.contracts import REGISTRY
from shared.kit.http import LotseError, Unauthorized
from shared.kit.service import part_of

router = APIRouter(include_in_schema=False)

BERLIN = ZoneInfo("Europe/Berlin")
ACTIVITY_ENTRIES = 8
DEADLINES = 5
DEADLINE_WINDOW = 200
"""Open calls read to find the nearest deadlines (the API lists newest change first)."""
SUGGESTIONS = 5
MATCH_FOUND = "de.lotse.match.found.v1"
EVENT_TYPES = sorted(payload.event_type for payload in REGISTRY)
"""What the live list listens for: a browser hears only the events it names."""
STATUSES = ("idea", "planned", "in_progress", "completed", "paused", "cancelled")

T = TypeVar("T")


async def _part(call: Awaitable[T]) -> T | None:
    """One part's data, or None when its service is away or refuses: shown as a note."""
    try:
        return await call
    except LotseError:
        return None


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request) -> Response:
    signed_in = await current_session(request)
    if signed_in is None:
        return sign_in_redirect(request)
    principal = signed_in.principal
    language = language_of(request)
    now = datetime.now(UTC)
    async with PageApi.of(request, principal) as api:
        (municipalities, counts, feed, calls, matches) = await asyncio.gather(
            _part(api.get("/api/v1/municipalities", {"limit": 500})),
            _part(api.get("/api/v1/projects/counts")),
            _part(api.get("/api/v1/feed", {"limit": ACTIVITY_ENTRIES})),
            _part(
                api.get(
                    "/api/v1/funding-calls",
                    {
                        "status": "open",
                        "deadline_from": now.isoformat(),
                        "limit": DEADLINE_WINDOW,
                    },
                )
            ),
            _part(api.get("/api/v1/feed", {"type": MATCH_FOUND, "limit": SUGGESTIONS})),
        )
    region = (municipalities or {}).get("items", [])
    names = {m["ags"]: m["name"] for m in region}
    own = next((m for m in region if m["ags"] == principal.ags), None)
    charts = None
    if counts is not None:
        charts = {
            "total": counts["total"],
            "status": bar_chart(
                (_label(language, f"dashboard.status.{key}", key), counts["by_status"].get(key, 0))
                for key in STATUSES
            ),
            "topic": bar_chart(
                (_label(language, f"dashboard.topic.{key}", key), value)
                for key, value in counts["by_topic"].items()
            ),
        }
    picture = None
    if municipalities is not None and counts is not None:
        picture = region_map(municipalities["items"], counts["by_municipality"])
    deadlines = None
    if calls is not None:
        dated = [c for c in calls["items"] if c.get("deadline_at")]
        deadlines = sorted(dated, key=lambda c: datetime.fromisoformat(c["deadline_at"]))[
            :DEADLINES
        ]
    return await render(
        request,
        "dashboard.html",
        municipality=own,
        unavailable=principal.ags is not None and own is None,
        charts=charts,
        picture=picture,
        names=names,
        activity=None if feed is None else [_entry(e, names) for e in feed["items"]],
        deadlines=None if deadlines is None else [_deadline(c, now) for c in deadlines],
        suggestions=None if matches is None else matches["items"],
        event_types=EVENT_TYPES,
        activity_limit=ACTIVITY_ENTRIES,
    )


def _label(language: str, key: str, fallback: str) -> str:
    """A vocabulary word in the reader's language; its key if the catalogue lacks it (a
    topic newer than the web app's texts)."""
    return CATALOGUES[language].get(key, fallback)


def _entry(entry: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    occurred = datetime.fromisoformat(entry["occurred_at"]).astimezone(BERLIN)
    return {
        "id": entry["id"],
        "title": entry["title"],
        "municipality": names.get(entry.get("municipality_ags") or ""),
        "datetime": occurred.isoformat(),
        "shown": occurred.strftime("%d.%m.%Y %H:%M"),
    }


def _deadline(call: dict[str, Any], now: datetime) -> dict[str, Any]:
    deadline = datetime.fromisoformat(call["deadline_at"]).astimezone(BERLIN)
    return {
        "id": call["id"],
        "title": call["title"],
        "funder": call["funder"],
        "datetime": deadline.isoformat(),
        "shown": deadline.strftime("%d.%m.%Y"),
        "days": max((deadline - now).days, 0),
        "soon": deadline - now < timedelta(days=14),
    }


@router.get("/dashboard/stream")
async def dashboard_stream(
    request: Request,
    after: Annotated[int | None, Query(ge=0)] = None,
    last_event_id: Annotated[int | None, Header(ge=0)] = None,
) -> Response:
    """The signed-in person's feed, live: the API's stream (same visibility, same bound
    per key) for a browser, which sends its cookie but cannot send a key.

    `after` is the newest entry the page already shows, so nothing that happened while
    it loaded is missed; a reconnecting browser's Last-Event-ID goes before it."""
    signed_in = await current_session(request)
    if signed_in is None:
        raise Unauthorized("Sign in to follow the region live.")
    principal = signed_in.principal
    streams = part_of(request, LiveStreams)
    identity = identity_of(request, principal)
    streams.open.admit(identity)  # a 429 before the answer starts
    return StreamingResponse(
        streams.events(
            principal, identity, StreamFilter(), after if last_event_id is None else last_event_id
        ),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
