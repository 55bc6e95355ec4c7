"""Pages from templates: the layout's context, and the headers every page carries.

Autoescape is on for every template; a text is marked safe only where it was sanitised
(legal.py). Pages are never cached (they show who is signed in) and may send their
Referer to this site only, so a form's POST carries an Origin we can check.
"""

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

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
