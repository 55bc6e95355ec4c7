"""Routes under /api/v1 that belong to a service: forwarded with the caller's identity."""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response

from services.gateway.identity import caller
from services.gateway.proxy import ServiceProxy
from shared.kit.auth import AuthenticatedRoute, SecretLinkRoute
from shared.kit.service import part_of

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def specificity(prefix: str) -> int:
    """How many segments a prefix names: the most specific prefix wins a path."""
    return prefix.count("/")


def service_router(routes: dict[str, str], secret_links: dict[str, str] | None = None) -> APIRouter:
    """One forwarding route per service prefix (its OpenAPI is merged, not repeated).

    Routes match in the order they are added, so the most specific prefix comes first:
    /api/v1/projects/{project_id}/funding-matches belongs to funding although
    /api/v1/projects/... belongs to projects.
    """
    router = APIRouter(include_in_schema=False, route_class=AuthenticatedRoute)
    # Exact paths whose writes need no key (one-click unsubscribe): before the prefixes.
    for path, base_url in (secret_links or {}).items():
        owner = next(p for p in sorted(routes, key=specificity, reverse=True) if _under(path, p))
        router.add_api_route(
            path, _forwarder(owner, base_url), methods=METHODS, route_class_override=SecretLinkRoute
        )
    for prefix in sorted(routes, key=specificity, reverse=True):
        base_url = routes[prefix]
        router.add_api_route(prefix, _forwarder(prefix, base_url), methods=METHODS)
        router.add_api_route(prefix + "/{rest:path}", _forwarder(prefix, base_url), methods=METHODS)
    return router


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _forwarder(prefix: str, base_url: str) -> Callable[[Request], Awaitable[Response]]:
    async def forward(request: Request) -> Response:
        principal = await caller(request)
        proxy = part_of(request, ServiceProxy)
        return await proxy.forward(request, principal, prefix, base_url)

    return forward
