"""The services of Lotse: the one list that `lotse up`, the gateway and the tests read.

Adding a service is its folder under services/ plus one entry here. Modules are named
by path, not imported, so nothing that reads the registry depends on a service's code.
"""

import os
from dataclasses import dataclass, field

KiB = 1024
MiB = 1_048_576


@dataclass(frozen=True)
class ServiceEntry:
    """One service: where its app lives, its port, what the gateway routes to it."""

    name: str
    app: str
    """`module:factory` of the service's `create_app(settings=None)`."""
    settings: str
    """`module:class` of the service's Settings."""
    default_port: int
    public_prefixes: tuple[str, ...] = ()
    """Paths under /api/v1 the gateway forwards to this service (with everything below).

    A `{name}` segment stands for any one segment; where prefixes of two services
    overlap, the most specific one (most segments) wins."""
    secret_link_paths: tuple[str, ...] = ()
    """Exact paths (under a public prefix) whose writes a secret in the URL authorises:
    the gateway forwards them without a key (SecretLinkRoute)."""
    body_limits: dict[str, int] = field(default_factory=dict)
    """Paths whose body limit differs from the platform's 1 MiB default, with their limit."""

    @property
    def env_prefix(self) -> str:
        return f"LOTSE_{self.name.upper()}_"

    @property
    def port(self) -> int:
        """The port `lotse up` runs it on: `LOTSE_<NAME>_PORT`, else the default."""
        return int(os.environ.get(f"{self.env_prefix}PORT", self.default_port))

    def url(self, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}"


GATEWAY = ServiceEntry(
    name="gateway",
    app="services.gateway.app:create_app",
    settings="services.gateway.settings:Settings",
    default_port=8000,
)

SERVICES: tuple[ServiceEntry, ...] = (
    ServiceEntry(
        name="projects",
        app="services.projects.app:create_app",
        settings="services.projects.settings:Settings",
        default_port=8001,
        public_prefixes=("/api/v1/projects",),
        body_limits={"/api/v1/projects/import": 16 * MiB},
    ),
    ServiceEntry(
        name="funding",
        app="services.funding.app:create_app",
        settings="services.funding.settings:Settings",
        default_port=8002,
        public_prefixes=(
            "/api/v1/funding-calls",
            "/api/v1/subscriptions",
            "/api/v1/funding-feeds",
            "/api/v1/projects/{project_id}/funding-matches",
        ),
        secret_link_paths=("/api/v1/subscriptions/unsubscribe",),
    ),
    ServiceEntry(
        name="knowledge",
        app="services.knowledge.app:create_app",
        settings="services.knowledge.settings:Settings",
        default_port=8003,
        public_prefixes=(
            "/api/v1/solutions",
            "/api/v1/adoptions",
            "/api/v1/articles",
            "/api/v1/contacts",
            "/api/v1/search",
            "/api/v1/projects/{project_id}/suggestions",
            "/api/v1/municipalities/{ags}/solutions",
        ),
        # A publiccode.yml is a few KiB; the importer refuses more than 256 KiB itself.
        body_limits={"/api/v1/solutions/import": 256 * KiB},
    ),
)
"""The services behind the gateway, in the order `lotse up` starts them."""

ALL: tuple[ServiceEntry, ...] = (*SERVICES, GATEWAY)
"""Every process of the platform; the gateway last, once what it routes to is up."""


def by_name(name: str) -> ServiceEntry:
    for entry in ALL:
        if entry.name == name:
            return entry
    raise KeyError(name)
