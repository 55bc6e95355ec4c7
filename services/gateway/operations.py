"""/metrics and /readyz answer the operator's networks only, not the public.

They tell an attacker what runs and how busy it is. Orchestrators and Prometheus
reach the gateway from inside (loopback or a private network); a public caller,
whose address a trusted front passes on in X-Forwarded-For, gets 404 as for any path
that does not exist. /healthz says only "ok" and stays open for load balancers.
"""

from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.kit.http import NotFound, reply_problem
from shared.kit.networks import IPNetwork, contains

INSIDE_ONLY = {"/metrics", "/readyz"}


class OperationsStayInside:
    def __init__(self, app: ASGIApp, *, networks: Sequence[IPNetwork]) -> None:
        self.app = app
        self.networks = networks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in INSIDE_ONLY:
            client = scope.get("client")
            if not (client and contains(self.networks, client[0])):
                await reply_problem(scope, send, NotFound("There is no such path."))
                return
        await self.app(scope, receive, send)
