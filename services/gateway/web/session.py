"""Sign-in sessions of the web app: a random id in an HttpOnly cookie, its hash in the DB.

A session carries the principal it was started for. One started from an API key holds
the key's id, and ends the moment the key is revoked (the lookup joins the key). Any
way of proving who someone is (an API key on the sign-in form, single sign-on) ends in
`start_session`, which is the one function that signs a browser in.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse

from services.gateway import repository
from services.gateway.models import WebSession
from services.gateway.settings import Settings
from shared.kit.auth import Principal, Role
from shared.kit.sqltypes import utcnow

COOKIE = "lotse_session"
# A new page touches `last_seen_at` at most this often: not a write per page.
TOUCH_EVERY = timedelta(minutes=1)
_ID_SHAPE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class SignedIn:
    """The session behind a request: who, and the secret its forms' tokens come from."""

    id_hash: str
    principal: Principal
    csrf_secret: str


def id_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def cookie_secure(request: Request) -> bool:
    """Secure where the browser came over https, or where the operator says it does."""
    settings: Settings = request.app.state.settings
    return settings.secure_cookies or request.url.scheme == "https"


async def start_session(
    request: Request,
    principal: Principal,
    *,
    key_id: str | None = None,
    next_path: str = "/dashboard",
) -> RedirectResponse:
    """Sign the browser of `request` in as `principal`: a new session row and its cookie,
    on a 303 to `next_path` (a path of this site; anything else goes to the dashboard).

    The caller has proven who `principal` is (an API key, a single sign-on callback).
    `key_id` ties the session to an API key, so revoking the key ends it. A session the
    browser had before is ended: a sign-in never continues an old id (fixation).
    """
    settings: Settings = request.app.state.settings
    now = utcnow()
    session_id = secrets.token_urlsafe(32)
    async with request.app.state.db.session() as db:
        old = request.cookies.get(COOKIE)
        if old:
            await repository.delete_web_session(db, id_hash(old))
        # Each sign-in sweeps the dead sessions away: the table holds the live ones only.
        await repository.delete_dead_web_sessions(
            db, now=now, seen_since=now - timedelta(minutes=settings.session_idle_minutes)
        )
        db.add(
            WebSession(
                id_hash=id_hash(session_id),
                key_id=key_id,
                role=principal.role.value,
                subject=principal.subject,
                ags=principal.ags,
                csrf_secret=secrets.token_hex(32),
                created_at=now,
                expires_at=now + timedelta(hours=settings.session_hours),
                last_seen_at=now,
            )
        )
        await db.commit()
    response = RedirectResponse(safe_next(next_path), status_code=303)
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(settings.session_hours * 3600),
        path="/",
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
    )
    return response


def sign_in_redirect(request: Request) -> RedirectResponse:
    """Where a page that needs a sign-in sends a browser without one; back here after."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/sign-in?next=" + quote(target, safe="/"), status_code=303)


MAX_NEXT = 500


def safe_next(path: str, fallback: str = "/dashboard") -> str:
    """Only a path of this site: never `//host` or `https://host` (an open redirect), and
    not longer than 500 characters."""
    if (
        len(path) <= MAX_NEXT
        and path.startswith("/")
        and not path.startswith("//")
        and "\\" not in path
    ):
        return path
    return fallback


async def current_session(request: Request) -> SignedIn | None:
    """The live session of this browser, or None (none, expired, idle, or key revoked)."""
    if hasattr(request.state, "web_session"):
        known: SignedIn | None = request.state.web_session
        return known
    found = await _lookup(request)
    request.state.web_session = found
    return found


async def _lookup(request: Request) -> SignedIn | None:
    session_id = request.cookies.get(COOKIE)
    if not session_id or len(session_id) > 100 or not _ID_SHAPE.issuperset(session_id):
        return None
    settings: Settings = request.app.state.settings
    now = utcnow()
    digest = id_hash(session_id)
    async with request.app.state.db.session() as db:
        row = await repository.live_web_session(
            db, digest, now=now, seen_since=now - timedelta(minutes=settings.session_idle_minutes)
        )
        if row is None:
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
            await db.commit()
        principal = Principal(role=Role(row.role), subject=row.subject, ags=row.ags)
        return SignedIn(id_hash=digest, principal=principal, csrf_secret=row.csrf_secret)


async def end_session(request: Request, signed_in: SignedIn) -> None:
    """Sign out: the row goes, so the cookie is worth nothing even if kept."""
    async with request.app.state.db.session() as db:
        await repository.delete_web_session(db, signed_in.id_hash)
        await db.commit()
