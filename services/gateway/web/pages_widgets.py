"""Widgets for intranets: small pages that other sites frame, chosen by an API key's id.

An iframe cannot send a key, so a widget asks the API as an anonymous caller and shows
public data only. The key's id (never its secret) selects the municipality whose
projects "our projects" lists, and the origins allowed to frame the page: the answer's
CSP names them in `frame-ancestors` (none: 'none'). `/widgets/embed.js` is the one-line
snippet's script that inserts the frame.
"""

import math
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response

from services.gateway import repository
from services.gateway.headers import CONTENT_SECURITY_POLICY
from services.gateway.models import ApiKey
from services.gateway.origins import frame_ancestors
from services.gateway.ratelimit import CallBudget
from services.gateway.settings import Settings
from services.gateway.web.api import PageApi
from services.gateway.web.i18n import DEFAULT, LANGUAGES, Translate, translator
from services.gateway.web.render import TEMPLATES
from services.gateway.web.snippets import highlighted
from shared.kit.http import LotseError, TooManyRequests, content_etag, none_match
from shared.kit.service import part_of

router = APIRouter(include_in_schema=False)

WIDGETS = ("projects", "funding-calls", "search")
KEY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MAX_QUERY = 200
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
BERLIN = ZoneInfo("Europe/Berlin")
APP_LINKS = {
    "projects": "/projects",
    "project": "/projects/{id}",
    "funding": "/funding",
    "catalogue": "/catalogue",
    "solution": "/catalogue/solutions/{id}",
}
"""Where a widget's links open the full app (in a new tab)."""

EMBED_JS = (Path(__file__).parents[1] / "static" / "embed.js").read_bytes()
EMBED_JS_SECONDS = 3600


@router.get("/widgets/embed.js")
async def embed_script(request: Request) -> Response:
    """The snippet's script; any site may load it (it only inserts the frame)."""
    etag = content_etag(EMBED_JS)
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={EMBED_JS_SECONDS}",
        # A host page that isolates itself (COEP require-corp) may still load it.
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if not none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(EMBED_JS, media_type="text/javascript; charset=utf-8", headers=headers)


@router.get("/widgets/{key_id}/{widget}")
async def widget_page(request: Request, key_id: str, widget: str) -> Response:
    """One widget of one key, in the language of `?lang=` (German without it)."""
    language = request.query_params.get("lang", DEFAULT)
    language = language if language in LANGUAGES else DEFAULT
    t = translator(language)
    address = request.client.host if request.client else "unknown"
    limited: TooManyRequests | None = None
    try:
        # Charged like an anonymous API call: a widget is one, and guessing ids costs.
        await part_of(request, CallBudget).charge_address(address)
    except TooManyRequests as exc:
        limited = exc
    key = None
    if widget in WIDGETS and KEY_ID.fullmatch(key_id):
        async with request.app.state.db.session() as session:
            key = await repository.embedding_key(session, key_id)
    if key is None:
        return _page(request, "widget_message.html", language, [], 404, message=t("widgets.gone"))
    if limited is not None:
        seconds = math.ceil(limited.retry_after or 1)
        busy = _page(
            request,
            "widget_message.html",
            language,
            key.embed_origins,
            429,
            message=t("widgets.busy", seconds=seconds),
        )
        busy.headers["Retry-After"] = str(seconds)
        return busy
    settings: Settings = request.app.state.settings
    context: dict[str, Any] = {
        "key_id": key.id,
        "unavailable": False,
        # What each template names, so one that is cut short by a service still renders.
        "municipality": None,
        "projects": [],
        "calls": [],
        "eligible": False,
        "more": APP_LINKS["catalogue"],
        "query": CONTROL.sub("", request.query_params.get("q", ""))[:MAX_QUERY],
        "error": None,
        "hits": None,
        "total": 0,
    }
    status = 200
    async with PageApi.of(request, None) as api:
        try:
            if widget == "projects":
                template = "widget_projects.html"
                context |= await _projects(api, key, settings.widget_items)
            elif widget == "funding-calls":
                template = "widget_funding.html"
                context |= await _funding_calls(api, key, settings.widget_items)
            else:
                template = "widget_search.html"
                query = request.query_params.get("q", "")
                context |= await _search(api, query, settings.widget_items, t)
                status = 400 if context["error"] else 200
        except LotseError as exc:
            if exc.status < 500:
                raise
            context["unavailable"] = True  # a service is away: say so in the frame
            status = 503
    return _page(request, template, language, key.embed_origins, status, **context)


async def _projects(api: PageApi, key: ApiKey, limit: int) -> dict[str, Any]:
    """The key's municipality's public projects (the region's, for a key without one)."""
    params: dict[str, Any] = {"limit": limit}
    municipality = None
    if key.ags:
        params["municipality"] = key.ags
        municipality = await api.get(f"/api/v1/municipalities/{key.ags}")
    page = await api.get("/api/v1/projects", params)
    more = APP_LINKS["projects"] + (f"?municipality={key.ags}" if key.ags else "")
    return {"municipality": municipality, "projects": page["items"], "more": more}


async def _funding_calls(api: PageApi, key: ApiKey, limit: int) -> dict[str, Any]:
    """Open calls; for a municipality's key those it may apply for, where the funding
    service knows the municipality (else all open calls, and the heading says so)."""
    params: dict[str, Any] = {"status": "open", "limit": limit}
    eligible = False
    if key.ags:
        try:
            page = await api.get("/api/v1/funding-calls", params | {"eligible_for": key.ags})
            eligible = True
        except LotseError as exc:
            if exc.status != 422:  # 422: the funding service does not know it yet
                raise
    if not eligible:
        page = await api.get("/api/v1/funding-calls", params)
    more = APP_LINKS["funding"]
    if eligible:
        more += "?" + urlencode({"eligible_for": key.ags, "only": "eligible"})
    return {"calls": page["items"], "eligible": eligible, "more": more}


async def _search(api: PageApi, query: str, limit: int, t: Translate) -> dict[str, Any]:
    """The catalogue's solutions matching `query`; nothing asked for an empty one."""
    query = query.strip()
    if len(query) > MAX_QUERY or CONTROL.search(query):
        # Shown again without what cannot be shown; the error says why.
        shown = CONTROL.sub("", query)[:MAX_QUERY]
        return {"query": shown, "error": t("widgets.search_invalid", max=MAX_QUERY)}
    if not query:
        return {"query": ""}
    page = await api.get("/api/v1/search", {"q": query, "kind": "solution", "limit": limit})
    more = APP_LINKS["catalogue"] + "?" + urlencode({"q": query})
    return {"query": query, "hits": page["items"], "total": page["total"], "more": more}


def _day(value: str | None, language: str) -> str:
    """A date of the API (ISO 8601) as the reader writes it, in Berlin time."""
    if not value:
        return ""
    when = datetime.fromisoformat(value)
    if when.tzinfo is not None:
        when = when.astimezone(BERLIN)
    return when.strftime("%d.%m.%Y" if language == "de" else "%Y-%m-%d")


def _page(
    request: Request,
    template: str,
    language: str,
    origins: list[str],
    status: int,
    **context: Any,
) -> Response:
    """A widget page whose policy lets `origins` frame it; a 200 may be kept a while."""
    t = translator(language)
    body = (
        TEMPLATES.get_template(template)
        .render(
            t=t,
            lang=language,
            origins=origins,
            links=APP_LINKS,
            highlighted=highlighted,
            day=lambda value: _day(value, language),
            **context,
        )
        .encode()
    )
    policy = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", frame_ancestors(origins))
    settings: Settings = request.app.state.settings
    headers = {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }
    if status != 200:
        return Response(body, status_code=status, media_type="text/html", headers=headers)
    # The policy is part of what is cached: a 304 must carry it too, or the browser's
    # copy would fall back to the gateway's frame-ancestors 'none'.
    etag = content_etag(body + policy.encode())
    headers["ETag"] = etag
    if settings.widget_cache_seconds:
        headers["Cache-Control"] = f"public, max-age={settings.widget_cache_seconds}"
    if not none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/html", headers=headers)
