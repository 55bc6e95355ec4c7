"""Security headers on every answer of the gateway, the only thing browsers talk to.

The policy allows this origin only: no page of Lotse asks another host for anything.
A route that needs a different policy (the API docs' styles) sets its own header,
which is kept. A route whose own policy lets some origins frame it (the widgets'
frame-ancestors) gets no X-Frame-Options: DENY would forbid what its policy allows.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)

HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]
# Only where the caller came over https (a front that says so): over plain http a
# browser ignores it, and on localhost it would pin the developer's browser.
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [*HEADERS, HSTS] if scope.get("scheme") == "https" else HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if _framable(headers):
                    present.add(b"x-frame-options")
                headers += [(name, value) for name, value in extra if name not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _framable(headers: list[tuple[bytes, bytes]]) -> bool:
    """Does the answer's own policy name origins that may frame it?"""
    for name, value in headers:
        if name.lower() == b"content-security-policy" and b"frame-ancestors" in value:
            return b"frame-ancestors 'none'" not in value
    return False
