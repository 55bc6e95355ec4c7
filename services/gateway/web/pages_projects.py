"""The projects pages: the list with its filters and exports, the matrix municipality x
topic, a project with its history and Kooperationsradar, and the forms that publish and
change a project. Every figure comes from the API as the signed-in person sees it."""

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.gateway.web.api import PageApi, field_messages
from services.gateway.web.csrf import FIELD, check_form
from services.gateway.web.forms import read_form
from services.gateway.web.i18n import language_of, translator
from services.gateway.web.project_form import ProjectForm, field_errors, idempotency_key
from services.gateway.web.render import render
from services.gateway.web.session import SignedIn, current_session, sign_in_redirect
from shared.kit.auth import Principal
from shared.kit.http import LotseError, etag_of
from shared.region.topics import TOPICS

router = APIRouter(include_in_schema=False)

FILTERS = ("status", "topic", "municipality", "q")
STATUSES = ("idea", "planned", "in_progress", "completed", "paused", "cancelled")
VISIBILITIES = ("public", "region", "private")
EXPORTS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PAGE_SIZE = 50
# The matrix counts what the list API gives, page by page; a region's projects fit in
# these many pages of 200 (10,000), and the page says so when there are more.
MATRIX_PAGES = 50
SUGGESTIONS = 5
CONTACTS_PER_MUNICIPALITY = 3
HISTORY = 50
# A project may hold a 20,000-character description and long lists; percent-encoded, a
# non-ASCII character takes up to 9 bytes. The app's body limit still applies.
PROJECT_FORM_BYTES = 256 * 1024
BERLIN = ZoneInfo("Europe/Berlin")
EVENT_KINDS = frozenset({"created", "updated", "status_changed", "deleted"})
# Fields with a label of their own (projects.field.<name>); others show their name.
FIELD_LABELS = frozenset(
    {
        "title", "summary", "description", "topics", "status", "target_groups",
        "value_proposition", "indicators", "budget_eur", "funding_sources", "start_date",
        "end_date", "partner_municipalities", "contact", "links", "based_on_solution",
        "visibility", "tags", "municipality_ags",
    }
)  # fmt: skip


def _filters(request: Request) -> dict[str, str]:
    """The list's filters as the reader set them; the API judges their values."""
    return {
        name: value for name in FILTERS if (value := request.query_params.get(name, "").strip())
    }


async def _municipalities(api: PageApi) -> dict[str, str]:
    """AGS -> name of every registered municipality (one page holds a region)."""
    try:
        page = await api.get("/api/v1/municipalities", {"limit": 500})
    except LotseError:
        return {}
    return {m["ags"]: m["name"] for m in page["items"]}


def _principal(signed_in: SignedIn | None) -> Principal | None:
    return signed_in.principal if signed_in else None


async def _not_found(request: Request) -> Response:
    t = translator(language_of(request))
    return await render(request, "refused.html", status_code=404, message=t("projects.not_found"))


@router.get("/projects", response_class=HTMLResponse)
async def project_list(request: Request) -> Response:
    signed_in = await current_session(request)
    filters = _filters(request)
    cursor = request.query_params.get("cursor", "")
    problem: LotseError | None = None
    unavailable = False
    page: dict[str, Any] = {"items": [], "next_cursor": None, "total": 0}
    async with PageApi.of(request, _principal(signed_in)) as api:
        names = await _municipalities(api)
        try:
            params: dict[str, Any] = {**filters, "limit": PAGE_SIZE}
            if cursor:
                params["cursor"] = cursor
            page = await api.get("/api/v1/projects", params)
        except LotseError as exc:
            if exc.status >= 500:
                unavailable = True  # the page stands without the projects
            else:
                problem = exc
    exports = {
        kind: (
            f"/projects/export.{kind}?{urlencode(filters)}"
            if signed_in
            else f"/api/v1/projects?{urlencode({**filters, 'format': kind})}"
        )
        for kind in EXPORTS
    }
    return await render(
        request,
        "projects_list.html",
        status_code=400 if problem else 200,
        projects=page["items"],
        total=page.get("total"),
        next_page=(
            f"/projects?{urlencode({**filters, 'cursor': page['next_cursor']})}"
            if page.get("next_cursor")
            else None
        ),
        filters=filters,
        problem=problem,
        unavailable=unavailable,
        errors=field_messages(problem) if problem else {},
        names=names,
        topics=TOPICS,
        statuses=STATUSES,
        exports=exports,
        may_write=bool(signed_in and signed_in.principal.can_write),
    )


@router.get("/projects/export.{kind}")
async def project_export(request: Request, kind: str) -> Response:
    """The filtered list as a file, fetched as the signed-in person: the browser's
    session does not open the API, so the page asks it and hands the bytes on."""
    if kind not in EXPORTS:
        return await _not_found(request)
    filters = _filters(request)
    signed_in = await current_session(request)
    if signed_in is None:
        # Signed out, the API's own address gives the same public file.
        return RedirectResponse(
            f"/api/v1/projects?{urlencode({**filters, 'format': kind})}", status_code=303
        )
    async with PageApi.of(request, signed_in.principal) as api:
        try:
            answer = await api.download("/api/v1/projects", {**filters, "format": kind})
        except LotseError as exc:
            return await render(
                request, "refused.html", status_code=exc.status, message=exc.detail or exc.title
            )
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    headers["Content-Disposition"] = answer.headers.get(
        "content-disposition", f'attachment; filename="projects.{kind}"'
    )
    return Response(
        answer.content,
        media_type=answer.headers.get("content-type", EXPORTS[kind]),
        headers=headers,
    )


@router.get("/projects/matrix", response_class=HTMLResponse)
async def project_matrix(request: Request) -> Response:
    """Who does what where: projects per municipality and topic, as the reader may see."""
    signed_in = await current_session(request)
    status = request.query_params.get("status", "").strip()
    counts: dict[tuple[str, str], int] = {}
    complete = True
    problem: LotseError | None = None
    unavailable = False
    async with PageApi.of(request, _principal(signed_in)) as api:
        names = await _municipalities(api)
        params: dict[str, Any] = {"limit": 200} | ({"status": status} if status else {})
        try:
            for _ in range(MATRIX_PAGES):
                page = await api.get("/api/v1/projects", params)
                for project in page["items"]:
                    for topic in project["topics"]:
                        key = (project["municipality_ags"], topic)
                        counts[key] = counts.get(key, 0) + 1
                if not page.get("next_cursor"):
                    break
                params["cursor"] = page["next_cursor"]
            else:
                complete = False
        except LotseError as exc:
            if exc.status >= 500:
                unavailable = True  # the page stands without the projects
            else:
                problem = exc
    rows = sorted(
        set(names) | {ags for ags, _ in counts}, key=lambda ags: (names.get(ags, ags), ags)
    )
    return await render(
        request,
        "projects_matrix.html",
        status_code=400 if problem else 200,
        rows=rows,
        names=names,
        topics=TOPICS,
        counts=counts,
        row_totals={ags: sum(n for (a, _), n in counts.items() if a == ags) for ags in rows},
        status=status,
        statuses=STATUSES,
        complete=complete,
        problem=problem,
        unavailable=unavailable,
        cell_href=lambda ags, topic: (
            "/projects?"
            + urlencode(
                {"municipality": ags, "topic": topic} | ({"status": status} if status else {})
            )
        ),
    )


@router.get("/projects/new", response_class=HTMLResponse)
async def new_project(request: Request) -> Response:
    signed_in = await current_session(request)
    if signed_in is None:
        return sign_in_redirect(request)
    if not signed_in.principal.can_write:
        return await _refused_writing(request)
    form = ProjectForm(values={"status": "idea", "visibility": "region"})
    return await _project_form(request, signed_in, form, project=None, key=str(uuid.uuid4()))


@router.post("/projects/new", response_class=HTMLResponse)
async def create_project(request: Request) -> Response:
    posted = await read_form(request, max_bytes=PROJECT_FORM_BYTES)
    signed_in = await current_session(request)
    check_form(request, posted.get(FIELD), signed_in)
    if signed_in is None:
        return sign_in_redirect(request)
    form = ProjectForm.posted(posted)
    key = idempotency_key(posted.get("idempotency_key", ""))
    async with PageApi.of(request, signed_in.principal) as api:
        try:
            created = await api.post(
                "/api/v1/projects", form.body(for_update=False), headers={"Idempotency-Key": key}
            )
        except LotseError as exc:
            if exc.status in (401, 403):
                return await _refused_writing(request, exc)
            if exc.status >= 500:
                raise
            return await _project_form(request, signed_in, form, project=None, key=key, error=exc)
    return RedirectResponse(f"/projects/{created['id']}?done=created", status_code=303)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
async def project_detail(request: Request, project_id: str) -> Response:
    signed_in = await current_session(request)
    project_id = _canonical_id(project_id) or ""
    if not project_id:
        return await _not_found(request)
    principal = _principal(signed_in)
    async with PageApi.of(request, principal) as api:
        try:
            project = await api.get(f"/api/v1/projects/{project_id}")
        except LotseError as exc:
            if exc.status == 404:
                return await _not_found(request)
            raise
        names = await _municipalities(api)
        history: list[dict[str, Any]] | None
        try:
            feed = await api.get("/api/v1/feed", {"subject": project_id, "limit": HISTORY})
            history = [_history_entry(entry) for entry in feed["items"]]
        except LotseError:
            history = None  # the page stands without it
        radar = await _radar(api, project, signed_in is not None)
    done = request.query_params.get("done", "")
    return await render(
        request,
        "project_detail.html",
        project=project,
        names=names,
        topics=TOPICS,
        history=history,
        radar=radar,
        done=done if done in ("created", "saved") else "",
        field_labels=FIELD_LABELS,
        may_edit=_may_edit(signed_in, project),
    )


def _history_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A feed entry about the project as a line of its history, in Berlin's time."""
    data = entry.get("data") or {}
    parts = entry["type"].split(".")
    kind = parts[3] if entry["type"].startswith("de.lotse.project.") and len(parts) > 4 else ""
    when = datetime.fromisoformat(entry["occurred_at"]).astimezone(BERLIN)
    return {
        "type": entry["type"],
        "kind": kind if kind in EVENT_KINDS else "",
        "at": entry["occurred_at"],
        "when": when.strftime("%d.%m.%Y %H:%M"),
        "previous_status": data.get("previous_status"),
        "status": (data.get("project") or {}).get("status"),
        "changed": [str(name) for name in data.get("changed") or []],
    }


async def _radar(api: PageApi, project: dict[str, Any], members: bool) -> dict[str, Any] | None:
    """Similar projects and fitting solutions with their reason; for members, the
    directory's people of the municipalities behind the similar projects."""
    try:
        found = await api.get(
            f"/api/v1/projects/{project['id']}/suggestions", {"limit": SUGGESTIONS}
        )
    except LotseError:
        return None
    contacts: dict[str, list[dict[str, Any]]] = {}
    if members:
        others = [
            s["municipality_ags"]
            for s in found["projects"]
            if s.get("municipality_ags") and s["municipality_ags"] != project["municipality_ags"]
        ]
        for ags in dict.fromkeys(others):
            try:
                page = await api.get(
                    "/api/v1/contacts", {"municipality": ags, "limit": CONTACTS_PER_MUNICIPALITY}
                )
            except LotseError:
                continue
            if page["items"]:
                contacts[ags] = page["items"]
    return {"projects": found["projects"], "solutions": found["solutions"], "contacts": contacts}


@router.get("/projects/{project_id}/edit", response_class=HTMLResponse)
async def edit_project(request: Request, project_id: str) -> Response:
    signed_in = await current_session(request)
    if signed_in is None:
        return sign_in_redirect(request)
    project_id = _canonical_id(project_id) or ""
    if not project_id:
        return await _not_found(request)
    async with PageApi.of(request, signed_in.principal) as api:
        try:
            project = await api.get(f"/api/v1/projects/{project_id}")
        except LotseError as exc:
            if exc.status == 404:
                return await _not_found(request)
            raise
    if not _may_edit(signed_in, project):
        return await _refused_writing(request)
    return await _project_form(request, signed_in, ProjectForm.of_project(project), project=project)


@router.post("/projects/{project_id}/edit", response_class=HTMLResponse)
async def update_project(request: Request, project_id: str) -> Response:
    posted = await read_form(request, max_bytes=PROJECT_FORM_BYTES)
    signed_in = await current_session(request)
    check_form(request, posted.get(FIELD), signed_in)
    if signed_in is None:
        return sign_in_redirect(request)
    project_id = _canonical_id(project_id) or ""
    if not project_id:
        return await _not_found(request)
    form = ProjectForm.posted(posted)
    version = posted.get("version", "")
    path = f"/api/v1/projects/{project_id}"
    async with PageApi.of(request, signed_in.principal) as api:
        try:
            await api.call(
                "PATCH",
                path,
                json=form.body(for_update=True),
                headers={"If-Match": etag_of(_posted_version(version))},
            )
        except LotseError as exc:
            if exc.status == 404:
                return await _not_found(request)
            if exc.status in (401, 403):
                return await _refused_writing(request, exc)
            if exc.status >= 500:
                raise
            try:
                current = await api.get(path)
            except LotseError:
                return await _not_found(request)
            return await _project_form(
                request, signed_in, form, project=current, error=exc, stale=exc.status == 412
            )
    return RedirectResponse(f"/projects/{project_id}?done=saved", status_code=303)


async def _project_form(
    request: Request,
    signed_in: SignedIn,
    form: ProjectForm,
    *,
    project: dict[str, Any] | None,
    key: str = "",
    error: LotseError | None = None,
    stale: bool = False,
) -> Response:
    municipalities: dict[str, str] = {}
    if signed_in.principal.region_wide and project is None:
        async with PageApi.of(request, signed_in.principal) as api:
            municipalities = await _municipalities(api)
    errors = field_errors(error) if error else {}
    return await render(
        request,
        "project_form.html",
        status_code=(409 if stale else error.status) if error else 200,
        form=form,
        project=project,
        key=key,
        problem=error,
        errors=errors,
        stale=stale,
        topics=TOPICS,
        statuses=STATUSES,
        visibilities=VISIBILITIES,
        municipalities=municipalities,
    )


async def _refused_writing(request: Request, error: LotseError | None = None) -> Response:
    t = translator(language_of(request))
    message = t("projects.no_writing")
    if error is not None and error.detail:
        message = f"{message} {error.detail}"
    return await render(request, "refused.html", status_code=403, message=message)


def _may_edit(signed_in: SignedIn | None, project: dict[str, Any]) -> bool:
    """Whether to offer the edit form; the API decides again when it is sent."""
    if signed_in is None or not signed_in.principal.can_write:
        return False
    principal = signed_in.principal
    return principal.region_wide or principal.ags == project["municipality_ags"]


def _posted_version(value: str) -> int:
    """The version the form was filled in at; anything else is 0, which no project has,
    so the API answers 412 and the form comes back as stale. Only ASCII digits, and few:
    str.isdigit() also takes "²", which int() refuses, and int() refuses 5000 digits."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else 0


def _canonical_id(value: str) -> str | None:
    """A project id in its one spelling, or None: a page asks the API for nothing else."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None
