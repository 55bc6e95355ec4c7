"""The funding pages: open calls with whether a municipality may apply and why, the
deadline calendar by month, and the form that subscribes to funding alerts."""

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from services.gateway.web.api import PageApi, field_messages
from services.gateway.web.csrf import FIELD, check_form
from services.gateway.web.forms import read_form
from services.gateway.web.i18n import language_of, translator
from services.gateway.web.pages_catalogue import municipality_names
from services.gateway.web.render import date_in, render
from services.gateway.web.session import current_session, sign_in_redirect
from shared.kit.auth import Principal
from shared.kit.http import LotseError
from shared.region.topics import TOPICS

router = APIRouter(include_in_schema=False)

BERLIN = ZoneInfo("Europe/Berlin")
# Calls the funding page and its calendar show: what one can still apply for or expect.
UPCOMING = ("open", "forecasted")
# The form's fields that the API's field paths map to; anything else goes to the summary.
FORM_FIELDS = ("name", "channel", "email", "url", "mode", "topics", "keywords", "eligible_for_own")


@router.get("/funding", response_class=HTMLResponse)
async def funding(request: Request) -> Response:
    signed_in = await current_session(request)
    principal = signed_in.principal if signed_in else None
    # Eligibility for the AGS asked for, else for the signed-in municipality's own.
    asked = request.query_params.get("eligible_for")
    eligible_for = asked if asked is not None else (principal.ags if principal else None)
    only_eligible = bool(eligible_for) and request.query_params.get("only") == "eligible"
    calls: list[dict[str, Any]] = []
    verdicts: dict[str, dict[str, Any]] = {}
    unavailable = False
    error: str | None = None
    async with PageApi.of(request, principal) as api:
        try:
            for status in UPCOMING:
                params: dict[str, Any] = {"status": status, "limit": 200}
                calls += (await api.get("/api/v1/funding-calls", params))["items"]
        except LotseError as exc:
            if exc.status < 500:
                raise  # the page's own parameters: a refusal here is a bug, not input
            calls, unavailable = [], True
        if eligible_for and not unavailable:
            try:
                verdicts = await _verdicts(api, eligible_for)
            except LotseError as exc:
                if exc.status >= 500:
                    unavailable = True
                else:
                    # A bad AGS is the reader's to fix beside the field; the calls and
                    # the calendar stay, without verdicts.
                    error = field_messages(exc).get("eligible_for") or str(exc.detail or exc.title)
        names = await municipality_names(api) if calls else {}
    judged = bool(eligible_for) and not error and not unavailable
    if judged:
        for call in calls:
            call["eligibility"] = verdicts.get(call["id"], {"eligible": False, "reasons": []})
    if only_eligible and judged:
        calls = [call for call in calls if call["id"] in verdicts]
    language = language_of(request)
    open_calls = sorted((call for call in calls if call["status"] == "open"), key=_deadline_order)
    return await render(
        request,
        "funding.html",
        status_code=400 if error else 200,
        open_calls=[_shown(call, language) for call in open_calls],
        calendar=_calendar(calls, language),
        eligible_for=eligible_for or "",
        eligible_name=names.get(eligible_for or "", eligible_for),
        only_eligible=only_eligible,
        error=error,
        unavailable=unavailable,
        topics=TOPICS,
    )


async def _verdicts(api: PageApi, eligible_for: str) -> dict[str, dict[str, Any]]:
    """The eligibility of each upcoming call the municipality may apply for, by id: the
    API lists only those, each with its reasons; the others are the ones it may not."""
    verdicts: dict[str, dict[str, Any]] = {}
    for status in UPCOMING:
        params = {"status": status, "limit": 200, "eligible_for": eligible_for}
        mine = await api.get("/api/v1/funding-calls", params)
        verdicts |= {call["id"]: call["eligibility"] for call in mine["items"]}
    return verdicts


def _deadline_order(call: dict[str, Any]) -> tuple[bool, str]:
    # Rolling calls (no deadline) last.
    return (call["deadline_at"] is None, call["deadline_at"] or "")


def _local(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone(BERLIN)


def _date(moment: str | None, language: str) -> str:
    if moment is None:
        return ""
    return date_in(language, _local(moment).date())


def _shown(call: dict[str, Any], language: str) -> dict[str, Any]:
    return {
        **call,
        "deadline_shown": _date(call["deadline_at"], language),
        "deadline_iso": _local(call["deadline_at"]).date().isoformat()
        if call["deadline_at"]
        else "",
    }


def _calendar(calls: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    """Deadlines still ahead, grouped by month (Berlin time), nearest first."""
    now = datetime.now(UTC)
    months: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for call in sorted(calls, key=_deadline_order):
        if call["deadline_at"] is None or datetime.fromisoformat(call["deadline_at"]) < now:
            continue
        day = _local(call["deadline_at"])
        months.setdefault((day.year, day.month), []).append(_shown(call, language))
    return [
        {"year": year, "month": month, "id": f"{year}-{month:02d}", "calls": shown}
        for (year, month), shown in months.items()
    ]


@router.get("/funding/subscribe", response_class=HTMLResponse)
async def subscribe_form(request: Request) -> Response:
    signed_in = await current_session(request)
    if signed_in is None:
        return sign_in_redirect(request)
    if not signed_in.principal.can_write:
        return await _refused(request)
    return await _form(request, signed_in.principal, {}, {}, [])


@router.post("/funding/subscribe", response_class=HTMLResponse)
async def subscribe(request: Request) -> Response:
    form = await read_form(request)
    signed_in = await current_session(request)
    check_form(request, form.get(FIELD), signed_in)
    if signed_in is None:
        return sign_in_redirect(request)
    principal = signed_in.principal
    if not principal.can_write:
        return await _refused(request)
    body = _subscription(form)
    async with PageApi.of(request, principal) as api:
        try:
            created = await api.post("/api/v1/subscriptions", body)
        except LotseError as exc:
            if exc.status >= 500:
                raise
            errors, summary = _errors(request, exc)
            # Bad input is a 400 page; a refusal (403, 409, 429) keeps the API's status.
            status = 400 if exc.status == 422 else exc.status
            return await _form(request, principal, form, errors, summary, status_code=status)
    return await render(request, "funding_subscribed.html", subscription=created)


async def _refused(request: Request) -> Response:
    """A read-only key may not subscribe: say so before the form, not after it."""
    t = translator(language_of(request))
    return await render(request, "refused.html", status_code=403, message=t("subscribe.no_writing"))


def _subscription(form: dict[str, str]) -> dict[str, Any]:
    """The API's body from the form: empty fields are absent, the API checks the rest."""
    keywords = [word.strip() for word in form.get("keywords", "").split(",") if word.strip()]
    channel = form.get("channel", "email")
    return {
        "name": form.get("name", ""),
        "channel": channel,
        "mode": form.get("mode", "immediate"),
        # A form keeps both fields filled while one switches channel; the API takes
        # only the one the channel uses.
        "email": (form.get("email", "").strip() or None) if channel == "email" else None,
        "url": (form.get("url", "").strip() or None) if channel == "webhook" else None,
        "filter": {
            "topics": [key for key in TOPICS if form.get(f"topic_{key}")],
            "keywords": keywords,
            "eligible_for_own": bool(form.get("eligible_for_own")),
        },
    }


def _errors(request: Request, error: LotseError) -> tuple[dict[str, str], list[str]]:
    """The API's messages: per form field where it names one, else for the summary."""
    per_field: dict[str, str] = {}
    summary: list[str] = []
    for path, message in field_messages(error).items():
        name = path.removeprefix("filter.").split(".")[0]
        if name in FORM_FIELDS:
            per_field.setdefault(name, message)
        else:
            summary.append(f"{path}: {message}")
    if not per_field and not summary:
        t = translator(language_of(request))
        summary.append(str(error.detail or error.title or t("subscribe.refused")))
    return per_field, summary


async def _form(
    request: Request,
    principal: Principal,
    form: dict[str, str],
    errors: dict[str, str],
    summary: list[str],
    status_code: int = 200,
) -> Response:
    return await render(
        request,
        "funding_subscribe.html",
        status_code=status_code,
        form=form,
        errors=errors,
        summary=summary,
        topics=TOPICS,
        own_municipality=principal.ags is not None,
    )
