"""Pages from templates: the layout's context, and the headers every page carries.

Autoescape is on for every template; a text is marked safe only where it was sanitised
(legal.py). Pages are never cached (they show who is signed in) and may send their
Referer to this site only, so a form's POST carries an Origin we can check.
"""

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from services.gateway.headers import CONTENT_SECURITY_POLICY
from services.gateway.web.csrf import FIELD, form_token, set_form_cookie
from services.gateway.web.i18n import LANGUAGES, language_of, translator
from services.gateway.web.session import SignedIn, current_session

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,  # a misspelt name fails the test, not the reader
    trim_blocks=True,
    lstrip_blocks=True,
)


def number_in(language: str, value: float | None, decimals: int | None = None) -> str:
    """`value` as the language writes it: 12.500,5 in German, 12,500.5 in English; a whole
    number without ".0", `decimals` places if given."""
    if value is None:
        return ""
    if decimals is not None:
        text = f"{value:,.{decimals}f}"
    elif isinstance(value, float) and value.is_integer():
        text = f"{int(value):,}"
    else:
        text = f"{value:,}"
    return text.translate(str.maketrans(",.", ".,")) if language == "de" else text


def date_in(language: str, value: str | date | None) -> str:
    """A day as the language writes it: 1. Mai 2027, 1 May 2027; empty for none."""
    if value is None or value == "":
        return ""
    day = value if isinstance(value, date) else datetime.fromisoformat(value)
    month = translator(language)(f"funding.month.{day.month}")
    return f"{day.day}. {month} {day.year}" if language == "de" else f"{day.day} {month} {day.year}"


@pass_context
def _number(context: Context, value: float | None, decimals: int | None = None) -> str:
    return number_in(context["lang"], value, decimals)


@pass_context
def _money(context: Context, value: float | None) -> str:
    return f"{number_in(context['lang'], value, 2)} €" if value is not None else ""


@pass_context
def _date(context: Context, value: str | date | None) -> str:
    return date_in(context["lang"], value)


TEMPLATES.filters |= {"number": _number, "money": _money, "day": _date}

PAGE_HEADERS = {
    # The gateway's policy already has no 'unsafe-inline'; pages say it themselves too.
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

NAVIGATION = (
    ("/dashboard", "nav.dashboard"),
    ("/projects", "nav.projects"),
    ("/catalogue", "nav.catalogue"),
    ("/funding", "nav.funding"),
)


async def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """`template` in the layout, in the reader's language, with a form token at hand."""
    signed_in: SignedIn | None = await current_session(request)
    language = language_of(request)
    page = TEMPLATES.get_template(template).render(
        t=translator(language),
        lang=language,
        other_lang=next(code for code in LANGUAGES if code != language),
        path=request.url.path,
        navigation=NAVIGATION,
        principal=signed_in.principal if signed_in else None,
        csrf_field=FIELD,
        csrf_token=form_token(request, signed_in),
        **context,
    )
    response = HTMLResponse(page, status_code=status_code, headers=PAGE_HEADERS)
    set_form_cookie(request, response)
    return response
