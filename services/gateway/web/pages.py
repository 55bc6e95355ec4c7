"""The pages of the web app: thin routes that read the session, ask the API, render."""

import math
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from services.gateway.identity import KEY_SHAPE, KeyResolver
from services.gateway.ratelimit import CallBudget
from services.gateway.settings import Settings
from services.gateway.web.csrf import FIELD, CsrfRefused, check_form
from services.gateway.web.forms import FormUnreadable, read_form
from services.gateway.web.i18n import COOKIE as LANGUAGE_COOKIE
from services.gateway.web.i18n import LANGUAGES, language_of, translator
from services.gateway.web.legal import operator_text
from services.gateway.web.render import render
from services.gateway.web.session import (
    COOKIE,
    cookie_secure,
    current_session,
    end_session,
    safe_next,
    start_session,
)
from shared.kit.http import TooManyRequests, Unauthorized
from shared.kit.service import part_of

router = APIRouter(include_in_schema=False)

# No length bound here: a page answers a page; safe_next drops what is too long.
NextPath = Annotated[str, Query(alias="next")]


@router.get("/favicon.ico")
async def favicon() -> Response:
    # Browsers ask for it whatever the page links; the icon is the SVG under /static.
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    # The API example works from where the reader stands.
    return await render(request, "home.html", base_url=str(request.base_url))


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_form(
    request: Request, next_path: NextPath = "/dashboard", signed_out: bool = False
) -> Response:
    return await render(
        request,
        "sign_in.html",
        next_path=safe_next(next_path),
        signed_out=signed_out,
        error=None,
        hours=_hours(request),
        single_sign_on=_single_sign_on(request),
    )


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request) -> Response:
    form = await read_form(request)
    check_form(request, form.get(FIELD), await current_session(request))
    next_path = safe_next(form.get("next", "/dashboard"))
    secret = form.get("key", "").strip()
    t = translator(language_of(request))
    if not secret:
        return await _sign_in_refused(request, next_path, t("signin.missing"))
    budget = part_of(request, CallBudget)
    resolver = part_of(request, KeyResolver)
    address = request.client.host if request.client else "unknown"
    try:
        # Charged as an API call with this key would be: a guess costs the address.
        await budget.charge_address(address)
        if not KEY_SHAPE.fullmatch(secret):
            raise Unauthorized()
        principal = await resolver.resolve(secret)
        await budget.charge_key(principal.subject)
    except TooManyRequests as exc:
        seconds = math.ceil(exc.retry_after or 1)
        busy = await render(
            request,
            "refused.html",
            status_code=429,
            message=t("refused.busy", seconds=seconds),
        )
        busy.headers["Retry-After"] = str(seconds)
        return busy
    except Unauthorized:
        return await _sign_in_refused(request, next_path, t("signin.refused"))
    key_id = principal.subject.removeprefix("key:")
    return await start_session(request, principal, key_id=key_id, next_path=next_path)


async def _sign_in_refused(request: Request, next_path: str, error: str) -> Response:
    return await render(
        request,
        "sign_in.html",
        status_code=401,
        next_path=next_path,
        signed_out=False,
        error=error,
        hours=_hours(request),
        single_sign_on=_single_sign_on(request),
    )


def _single_sign_on(request: Request) -> bool:
    settings: Settings = request.app.state.settings
    return settings.oidc_enabled


def _hours(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return f"{settings.session_hours:g}"


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    form = await read_form(request)
    signed_in = await current_session(request)
    check_form(request, form.get(FIELD), signed_in)
    if signed_in is not None:
        await end_session(request, signed_in)
    response = RedirectResponse("/sign-in?signed_out=true", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/language/{code}")
async def switch_language(request: Request, code: str, next_path: NextPath = "/") -> Response:
    """A plain link sets the language: it works without JavaScript."""
    response = RedirectResponse(safe_next(next_path, "/"), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            path="/",
            samesite="lax",
            secure=cookie_secure(request),
        )
    return response


@router.get("/accessibility", response_class=HTMLResponse)
async def accessibility(request: Request) -> Response:
    return await _legal(request, "legal.accessibility", "accessibility_file")


@router.get("/imprint", response_class=HTMLResponse)
async def imprint(request: Request) -> Response:
    return await _legal(request, "legal.imprint", "imprint_file")


@router.get("/privacy", response_class=HTMLResponse)
async def privacy(request: Request) -> Response:
    return await _legal(request, "legal.privacy", "privacy_file")


async def _legal(request: Request, title: str, setting: str) -> Response:
    settings: Settings = request.app.state.settings
    return await render(
        request,
        "legal.html",
        title=title,
        text=operator_text(getattr(settings, setting)),
        setting="LOTSE_GATEWAY_" + setting.upper(),
        is_accessibility=setting == "accessibility_file",
    )


def install_page_refusals(app: FastAPI) -> None:
    """Refused forms answer as pages, not problem+json: a person reads them."""

    async def csrf_refused(request: Request, exc: Exception) -> Response:
        t = translator(language_of(request))
        return await render(request, "refused.html", status_code=403, message=t("refused.csrf"))

    async def form_unreadable(request: Request, exc: Exception) -> Response:
        t = translator(language_of(request))
        return await render(request, "refused.html", status_code=400, message=t("refused.form"))

    app.add_exception_handler(CsrfRefused, csrf_refused)
    app.add_exception_handler(FormUnreadable, form_unreadable)
