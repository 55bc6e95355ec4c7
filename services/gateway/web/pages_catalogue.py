"""The solution catalogue's pages: search with facets and highlights, one solution."""

import uuid
from collections.abc import Mapping
from typing import Any, get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from services.gateway.web.api import PageApi
from services.gateway.web.i18n import Translate, language_of, translator
from services.gateway.web.render import render
from services.gateway.web.session import current_session
from services.gateway.web.snippets import highlighted
from shared.contracts.knowledge import Maturity
from shared.kit.http import LotseError
from shared.region.topics import TOPICS

router = APIRouter(include_in_schema=False)

# The search's filters a reader can set, in the order the page shows their facets.
FACETS = ("topic", "maturity", "license", "municipality")
PAGE_SIZE = 20
MATURITIES = frozenset(get_args(Maturity))


@router.get("/catalogue", response_class=HTMLResponse)
async def catalogue(request: Request) -> Response:
    signed_in = await current_session(request)
    principal = signed_in.principal if signed_in else None
    # Passed on as typed; the API checks them and its refusal becomes a 400 page.
    wanted = {
        name: value
        for name in ("q", *FACETS, "cursor")
        if (value := request.query_params.get(name))
    }
    found: dict[str, Any] | None = None
    error: LotseError | None = None
    async with PageApi.of(request, principal) as api:
        try:
            found = await api.get(
                "/api/v1/search", {**wanted, "kind": "solution", "limit": PAGE_SIZE}
            )
        except LotseError as exc:
            error = exc
        names = await municipality_names(api) if found else {}
    status = 400 if error is not None and error.status < 500 else 200
    t = translator(language_of(request))
    filters = {name: value for name, value in wanted.items() if name != "cursor"}
    return await render(
        request,
        "catalogue.html",
        status_code=status,
        query=wanted.get("q", ""),
        filters=filters,
        found=found,
        facets=_facets(found, filters, names, t) if found else [],
        active=[
            (name, _label(name, value, names, t), _link({**filters, name: None}))
            for name, value in filters.items()
            if name != "q" and found
        ],
        next_link=_link({**filters, "cursor": found["next_cursor"]})
        if found and found.get("next_cursor")
        else None,
        first_link=_link(filters) if "cursor" in wanted else None,
        refused=_refusal(error, t) if status == 400 else None,
        unavailable=error is not None and status == 200,
        names=names,
        topics=TOPICS,
        highlighted=highlighted,
    )


def _facets(
    found: dict[str, Any], filters: dict[str, str], names: dict[str, str], t: Translate
) -> list[tuple[str, list[tuple[str, int, str, bool]]]]:
    """Per facet: (name, [(label, count, link, selected)]); a link sets or clears it."""
    facets = []
    for name in FACETS:
        counts: dict[str, int] = found.get("facets", {}).get(name, {})
        values = []
        for value, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            selected = filters.get(name) == value
            link = _link({**filters, name: None if selected else value})
            values.append((_label(name, value, names, t), count, link, selected))
        if values:
            facets.append((name, values))
    return facets


def _label(name: str, value: str, names: dict[str, str], t: Translate) -> str:
    if name == "topic":
        return TOPICS.get(value, value)
    if name == "municipality":
        return names.get(value, value)
    if name == "maturity" and value in MATURITIES:
        return t(f"catalogue.maturity.{value}")
    return value


def _link(params: Mapping[str, str | None]) -> str:
    kept = {name: value for name, value in params.items() if value}
    return "/catalogue" + (f"?{urlencode(kept)}" if kept else "")


def _refusal(error: LotseError | None, t: Translate) -> list[str]:
    """What the API found wrong, one line per field, in its own words."""
    if error is None:
        return []
    lines = [
        f"{item.get('field', '')}: {item.get('message', '')}"
        for item in error.errors or []
        if isinstance(item, dict)
    ]
    return lines or [str(error.detail or error.title or t("catalogue.refused"))]


async def municipality_names(api: PageApi) -> dict[str, str]:
    """AGS -> name of the region's municipalities; empty when the list is not at hand."""
    try:
        page = await api.get("/api/v1/municipalities", {"limit": 500})
    except LotseError:
        return {}
    return {item["ags"]: item["name"] for item in page["items"]}


@router.get("/catalogue/solutions/{solution_id}", response_class=HTMLResponse)
async def solution(request: Request, solution_id: str) -> Response:
    t = translator(language_of(request))
    try:
        wanted = uuid.UUID(solution_id)
    except ValueError:
        return await render(request, "refused.html", status_code=404, message=t("solution.missing"))
    signed_in = await current_session(request)
    principal = signed_in.principal if signed_in else None
    async with PageApi.of(request, principal) as api:
        try:
            entry = await api.get(f"/api/v1/solutions/{wanted}")
        except LotseError as exc:
            status = 404 if exc.status == 404 else 503
            message = t("solution.missing") if status == 404 else t("catalogue.unavailable")
            return await render(request, "refused.html", status_code=status, message=message)
        adoptions = await _members_part(api, f"/api/v1/solutions/{wanted}/adoptions")
        articles = await _members_part(api, "/api/v1/articles", {"solution": str(wanted)})
        provider = entry.get("provider_ags")
        contacts = (
            await _members_part(api, "/api/v1/contacts", {"municipality": provider})
            if provider
            else {"items": [], "refused": None}
        )
        names = await municipality_names(api)
    return await render(
        request,
        "solution.html",
        solution=entry,
        adoptions=adoptions,
        articles=articles,
        contacts=contacts,
        names=names,
        topics=TOPICS,
    )


async def _members_part(
    api: PageApi, path: str, params: dict[str, str] | None = None
) -> dict[str, Any]:
    """A list of the API, or why there is none: members only (401/403), or unavailable."""
    try:
        page = await api.get(path, {**(params or {}), "limit": 50})
    except LotseError as exc:
        return {"items": [], "refused": "members" if exc.status in (401, 403) else "unavailable"}
    return {"items": page["items"], "refused": None}
