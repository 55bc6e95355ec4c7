"""Single sign-on in the browser: the authorization code flow with PKCE (S256).

`/auth/oidc/login` sends the browser to the issuer with a fresh state, nonce and code
challenge; the three and the local path to return to travel in an encrypted, HttpOnly
cookie that lives ten minutes, so any gateway replica can finish the login.
`/auth/oidc/callback` checks the state, exchanges the code with the verifier, verifies
the ID token and its nonce, maps its claims to a Principal and hands that to
`start_web_session`, the one place where a sign-on becomes a web session.
"""

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import httpx
from cryptography.fernet import Fernet, InvalidToken
from fastapi import APIRouter, Cookie, Query, Request, Response
from fastapi.responses import RedirectResponse

from services.gateway.oidc import OidcIssuer, TokenRefused
from services.gateway.oidc_claims import ClaimMapping, NoLotseRole
from services.gateway.ratelimit import CallBudget
from services.gateway.web.session import cookie_secure, start_session
from shared.kit.auth import Principal
from shared.kit.http import (
    LotseError,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    responses,
)
from shared.kit.service import part_of

log = logging.getLogger("lotse.gateway.oidc")

LOGIN_COOKIE = "lotse_oidc_login"
COOKIE_PATH = "/auth/oidc"
LOGIN_SECONDS = 600
"""How long a browser may take at the issuer before the login must start again."""
MAX_PENDING = 100_000
_ISSUER_ERROR = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class LoginExpired(LotseError):
    status, slug, title = 400, "sign-on-expired", "The sign-on cannot be finished"


class SignOnRefused(Unauthorized):
    slug, title = "sign-on-refused", "The sign-on was refused"


class NotLocalPath(LotseError):
    status, slug, title = 400, "not-a-local-path", "Only a path of this site can follow a sign-on"


@dataclass(frozen=True)
class PendingLogin:
    """What the browser carries from login to callback, encrypted."""

    state: str
    nonce: str
    verifier: str
    next_path: str


class SignOn:
    """The gateway's client side of the issuer: logins under way and their completion."""

    def __init__(
        self,
        issuer: OidcIssuer,
        mapping: ClaimMapping,
        *,
        client_id: str,
        client_secret: str | None,
        scope: str,
        callback_url: str,
        secret: str,
    ) -> None:
        self.issuer = issuer
        self.mapping = mapping
        self.client_id = client_id
        self.client_secret = client_secret
        self.scope = scope
        self.callback_url = callback_url
        # Its own key, derived from the internal secret: a login cookie is no token.
        derived = hmac.new(secret.encode(), b"lotse oidc login cookie", hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))
        # States finished in this process, until their cookie would have expired anyway.
        self._finished: OrderedDict[str, float] = OrderedDict()

    @property
    def secure_cookie(self) -> bool:
        return self.callback_url.startswith("https://")

    def seal(self, login: PendingLogin) -> str:
        payload = {"s": login.state, "n": login.nonce, "v": login.verifier, "r": login.next_path}
        return self._fernet.encrypt(json.dumps(payload).encode()).decode()

    def unseal(self, cookie: str | None) -> PendingLogin:
        if not cookie:
            raise LoginExpired(
                "No sign-on is under way in this browser (the cookie is missing); "
                "start again at /auth/oidc/login."
            )
        try:
            payload = json.loads(self._fernet.decrypt(cookie.encode(), ttl=LOGIN_SECONDS))
            return PendingLogin(payload["s"], payload["n"], payload["v"], payload["r"])
        except (InvalidToken, ValueError, KeyError, TypeError) as exc:
            raise LoginExpired(
                "The sign-on took too long or was started elsewhere; start again at "
                "/auth/oidc/login."
            ) from exc

    def finish_once(self, state: str) -> None:
        """Each login is finished once: a replayed callback is refused here, before the
        issuer (which refuses a used code anyway) is even asked."""
        now = time.monotonic()
        while self._finished and next(iter(self._finished.values())) < now:
            self._finished.popitem(last=False)
        if state in self._finished:
            raise LoginExpired("This sign-on was finished already; start again.")
        self._finished[state] = now + LOGIN_SECONDS
        if len(self._finished) > MAX_PENDING:
            self._finished.popitem(last=False)

    async def authorization_url(self, login: PendingLogin) -> str:
        metadata = await self.issuer.metadata()
        if metadata.authorization_endpoint is None:
            raise ServiceUnavailable("The issuer publishes no authorization endpoint.")
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": self.callback_url,
                "scope": self.scope,
                "state": login.state,
                "nonce": login.nonce,
                "code_challenge": code_challenge(login.verifier),
                "code_challenge_method": "S256",
            }
        )
        separator = "&" if "?" in metadata.authorization_endpoint else "?"
        return metadata.authorization_endpoint + separator + query

    async def redeem(self, code: str, login: PendingLogin) -> dict[str, Any]:
        """Exchange `code` for tokens; the claims of the verified ID token."""
        metadata = await self.issuer.metadata()
        if metadata.token_endpoint is None:
            raise ServiceUnavailable("The issuer publishes no token endpoint.")
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.callback_url,
            "code_verifier": login.verifier,
            "client_id": self.client_id,
        }
        headers = {"Accept": "application/json"}
        if self.client_secret is not None:
            if "client_secret_basic" in metadata.token_auth_methods:
                # RFC 6749, 2.3.1: id and secret are form-encoded before Basic encoding.
                pair = f"{_form_encoded(self.client_id)}:{_form_encoded(self.client_secret)}"
                headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
            else:
                form["client_secret"] = self.client_secret
        try:
            answer = await self.issuer.http.post(
                metadata.token_endpoint, data=form, headers=headers
            )
        except httpx.HTTPError as exc:
            log.warning("OIDC token endpoint not reachable: %r", exc)
            raise ServiceUnavailable(
                "The sign-on issuer cannot be reached right now; try again shortly.",
                retry_after=5,
            ) from exc
        body = _json_object(answer)
        if answer.status_code != 200:
            error = body.get("error")
            log.info(
                "OIDC code exchange refused by the issuer: %s",
                error if isinstance(error, str) and _ISSUER_ERROR.fullmatch(error) else "?",
            )
            raise SignOnRefused(
                "The issuer did not accept this sign-on's code: it was used already, has "
                "expired, or was not issued for this login. Start again."
            )
        id_token = body.get("id_token")
        if not isinstance(id_token, str):
            raise SignOnRefused("The issuer answered without an ID token.")
        claims = await self.issuer.verify(id_token, audience=self.client_id)
        nonce = claims.get("nonce")
        if not isinstance(nonce, str) or not hmac.compare_digest(nonce, login.nonce):
            log.info("OIDC ID token refused: its nonce is not this login's")
            raise SignOnRefused("The ID token was not issued for this login (nonce).")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise SignOnRefused("The ID token was issued to another party (azp).")
        return claims


def code_challenge(verifier: str) -> str:
    """RFC 7636 S256: the base64url SHA-256 of the verifier, without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def local_path(path: str) -> str:
    """`path` if it is a path of this site (no scheme, no host, no `//` or `\\`), else 400:
    a sign-on never sends the browser on to another site (no open redirect)."""
    parts = urlsplit(path)
    if (
        not path.startswith("/")
        or path.startswith("//")
        or "\\" in path
        or any(ord(c) < 0x21 or ord(c) == 0x7F for c in path)
        or parts.scheme
        or parts.netloc
    ):
        raise NotLocalPath("`next` must be a path of this site, such as /dashboard.")
    return path


async def start_web_session(request: Request, principal: Principal, next_path: str) -> Response:
    """Where a finished sign-on becomes a web session: signed in as `principal`, the
    browser goes on to `next_path` (a local path, checked)."""
    # No API key stands behind the session: it lives its own hours, like the token's user.
    return await start_session(request, principal, key_id=None, next_path=next_path)


def _form_encoded(value: str) -> str:
    return urlencode({"": value})[1:]


def _json_object(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _sign_on(request: Request) -> SignOn:
    try:
        return part_of(request, SignOn)
    except LookupError:
        raise NotFound("Single sign-on is not configured on this platform.") from None


async def _charge(request: Request) -> None:
    # Each step may ask the issuer: paid for by the address, like a call without a key.
    await part_of(request, CallBudget).charge_address(
        request.client.host if request.client else "unknown"
    )


_REDIRECT: dict[str, Any] = {
    "description": "On to the next step",
    "headers": {
        "Location": {
            "description": "where the browser goes next",
            "required": True,
            "schema": {"type": "string"},
        }
    },
}
_COOKIE_HEADER = {
    "description": "the encrypted login under way (HttpOnly, ten minutes)",
    "required": True,
    "schema": {"type": "string"},
}

router = APIRouter(prefix="/auth/oidc", tags=["single sign-on"])


@router.get(
    "/login",
    status_code=303,
    response_class=Response,
    summary="Sign in with the region's identity provider (OpenID Connect)",
    description="Sends the browser to the configured issuer (authorization code flow with "
    "PKCE). `next` is the path of this site to return to after signing in. 404 where no "
    "issuer is configured.",
    responses={
        303: {
            **_REDIRECT,
            "description": "To the issuer's authorization endpoint",
            "headers": {**_REDIRECT["headers"], "Set-Cookie": _COOKIE_HEADER},
        },
        **responses(NotLocalPath, NotFound, TooManyRequests, ServiceUnavailable),
    },
)
async def login(
    request: Request,
    next_path: Annotated[
        str,
        Query(
            alias="next",
            min_length=1,
            max_length=500,
            description="a path of this site to return to (never another site's URL)",
            openapi_examples={"dashboard": {"value": "/dashboard"}},
        ),
    ] = "/dashboard",
) -> Response:
    sign_on = _sign_on(request)
    await _charge(request)
    pending = PendingLogin(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        verifier=secrets.token_urlsafe(64),  # 86 characters, within RFC 7636's 43-128
        next_path=local_path(next_path),
    )
    response = RedirectResponse(await sign_on.authorization_url(pending), status_code=303)
    response.set_cookie(
        LOGIN_COOKIE,
        sign_on.seal(pending),
        max_age=LOGIN_SECONDS,
        path=COOKIE_PATH,
        httponly=True,
        # Lax: the issuer sends the browser back with a top-level GET, which carries it.
        samesite="lax",
        secure=sign_on.secure_cookie or cookie_secure(request),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get(
    "/callback",
    status_code=303,
    response_class=Response,
    summary="Where the issuer sends the browser back after signing in",
    description="Checks the state against the login under way in this browser, exchanges "
    "the code (with the PKCE verifier) at the issuer, verifies the ID token and its nonce, "
    "maps its claims to a role (and AGS) and signs the browser in.",
    responses={
        303: {**_REDIRECT, "description": "Signed in: on to the path the login asked for"},
        **responses(
            LoginExpired, SignOnRefused, NoLotseRole, NotFound, TooManyRequests, ServiceUnavailable
        ),
    },
)
async def callback(
    request: Request,
    code: Annotated[str | None, Query(max_length=2048)] = None,
    state: Annotated[str | None, Query(max_length=512)] = None,
    error: Annotated[
        str | None, Query(max_length=200, description="the issuer's refusal, if any")
    ] = None,
    login_cookie: Annotated[
        str | None, Cookie(alias=LOGIN_COOKIE, max_length=4096, include_in_schema=False)
    ] = None,
) -> Response:
    sign_on = _sign_on(request)
    await _charge(request)
    pending = sign_on.unseal(login_cookie)
    if state is None or not hmac.compare_digest(state.encode(), pending.state.encode()):
        log.info("OIDC callback refused: its state is not this browser's login")
        raise LoginExpired("The sign-on's state does not match this browser's; start again.")
    sign_on.finish_once(pending.state)
    if error is not None:
        shown = error if _ISSUER_ERROR.fullmatch(error) else "an error"
        raise SignOnRefused(f"The issuer refused the sign-on ({shown}).")
    if not code:
        raise LoginExpired("The issuer sent no code; start again.")
    try:
        claims = await sign_on.redeem(code, pending)
    except TokenRefused as exc:
        raise SignOnRefused(exc.detail) from exc
    principal = sign_on.mapping.principal(claims)
    log.info("OIDC sign-on of %s as %s", principal.subject, principal.role.value)
    response = await start_web_session(request, principal, pending.next_path)
    response.delete_cookie(LOGIN_COOKIE, path=COOKIE_PATH)
    return response
