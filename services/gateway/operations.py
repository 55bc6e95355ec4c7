"""/metrics and /readyz answer the operator's networks only, not the public.

They tell an attacker what runs and how busy it is. Orchestrators and Prometheus
call the gateway directly, from loopback or a private network. A call that came
through a proxy (it carries X-Forwarded-For or Forwarded) is the public's, whatever
address the proxy has: it gets the 404 any missing path gets. /healthz says only
"ok" and stays open for load balancers.
"""

from collections.abc import Callable, Sequence

from fastapi import Request

from shared.kit.networks import IPNetwork, contains


def operators_only(networks: Sequence[IPNetwork]) -> Callable[[Request], bool]:
    def from_operators(request: Request) -> bool:
        if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
            return False
        return request.client is not None and contains(networks, request.client.host)

    return from_operators
