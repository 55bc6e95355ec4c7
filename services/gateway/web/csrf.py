"""Forms' CSRF tokens and the same-origin check every POST of a page passes first.

Signed in, a form's token is derived from the session's own secret. Before sign-in (the
sign-in form itself) the browser gets a random `lotse_form` cookie and the token is
derived from it with the gateway's secret: a page of another site can neither read the
cookie nor compute the token.
"""

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response

from services.gateway.web.session import SignedIn, cookie_secure

FORM_COOKIE = "lotse_form"
FIELD = "csrf_token"


class CsrfRefused(Exception):
    """A POST that did not come from a form of this site: 403, nothing changed."""


def _derive(secret: str) -> str:
    return hmac.new(secret.encode(), b"lotse-web-form", hashlib.sha256).hexdigest()


def _anonymous_secret(request: Request, value: str) -> str:
    server: str = request.app.state.settings.internal_token_secret
    return hmac.new(server.encode(), value.encode(), hashlib.sha256).hexdigest()


def form_token(request: Request, signed_in: SignedIn | None) -> str:
    """The token a form on this page carries; sets the pre-sign-in cookie where needed."""
    if signed_in is not None:
        return _derive(signed_in.csrf_secret)
    value = request.cookies.get(FORM_COOKIE)
    if not value or len(value) != 43:
        value = secrets.token_urlsafe(32)
        request.state.new_form_cookie = value
    return _derive(_anonymous_secret(request, value))


def set_form_cookie(request: Request, response: Response) -> None:
    """Give the browser the cookie a fresh anonymous token was derived from."""
    value = getattr(request.state, "new_form_cookie", None)
    if value:
        response.set_cookie(
            FORM_COOKIE,
            value,
            path="/",
            httponly=True,
            samesite="lax",
            secure=cookie_secure(request),
        )


def check_form(request: Request, token: str | None, signed_in: SignedIn | None) -> None:
    """Refuse a POST from another origin, or without this browser's token."""
    if not same_origin(request):
        raise CsrfRefused("cross-origin")
    if signed_in is not None:
        expected = _derive(signed_in.csrf_secret)
    else:
        value = request.cookies.get(FORM_COOKIE)
        if not value:
            raise CsrfRefused("no form cookie")
        expected = _derive(_anonymous_secret(request, value))
    if not token or not hmac.compare_digest(token.encode(), expected.encode()):
        raise CsrfRefused("token")


def same_origin(request: Request) -> bool:
    """Origin (or, without it, Referer) names this site; a browser sends one of them on
    every form POST of ours (pages say Referrer-Policy: same-origin)."""
    netloc = request.url.netloc.lower()
    own = {(request.url.scheme, netloc)}
    if request.app.state.settings.secure_cookies:
        # The operator says browsers come over https through a front that does not tell
        # us so: their Origin says https while the request arrived over http.
        own.add(("https", netloc))
    origin = request.headers.get("origin")
    if origin is not None:
        return _origin_of(origin) in own
    referer = request.headers.get("referer")
    if referer is not None:
        return _origin_of(referer) in own
    return False


def _origin_of(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return (parts.scheme, parts.netloc.lower())
