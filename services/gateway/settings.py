"""Settings of the gateway (env prefix LOTSE_GATEWAY_; the webhook allow-list is
platform-wide: LOTSE_WEBHOOK_ALLOWED_CIDRS)."""

import json
import os
import re
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    Field,
    FilePath,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shared.kit.auth import Role
from shared.kit.networks import IPNetwork, parse_cidrs
from shared.kit.settings import DEV_ADMIN_KEY, ServiceSettings
from shared.kit.webhooks import WebhookSettings
from shared.registry import GATEWAY, SERVICES, by_name

_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")
SIGNED_IN_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.MUNICIPALITY, Role.READER)


class OidcSettings(BaseSettings):
    """Single sign-on with an OpenID Connect issuer (Keycloak, Azure AD/Entra ID, ...).

    Off while `oidc_issuer` is unset. The fields take the gateway's prefix:
    LOTSE_GATEWAY_OIDC_ISSUER and so on.
    """

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    oidc_issuer: str | None = Field(
        default=None,
        description="the issuer's identifier exactly as its discovery document states it, "
        "e.g. https://sso.kreis.de/realms/lotse; unset: no single sign-on",
    )
    oidc_client_id: str | None = Field(
        default=None, description="Lotse's client id at the issuer; required with an issuer"
    )
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="the client's secret; unset for a public client (PKCE only)"
    )
    oidc_audience: str | None = Field(
        default=None,
        description="the `aud` a bearer token must name; default the client id (ID tokens "
        "and issuers that put the client in access tokens)",
    )
    oidc_scopes: str = Field(
        default="openid profile email",
        description="scopes asked for at sign-on, space-separated; openid is always added",
    )
    oidc_role_claim: str = Field(
        default="groups",
        description="the claim whose values say a user's role; dots reach into objects "
        "(Keycloak's realm_access.roles)",
    )
    oidc_ags_claim: str = Field(
        default="ags", description="the claim holding a municipality user's AGS"
    )
    oidc_role_map: Annotated[dict[str, Role], NoDecode] = Field(
        default_factory=dict,
        description="claim value -> Lotse role, as `value=role,value=role` or a JSON object; "
        "values of the role claim not named here are ignored",
    )
    oidc_default_role: Role | None = Field(
        default=None,
        description="the role of a signed-in user whose claims map to none; unset: such a "
        "user is refused (403)",
    )
    oidc_redirect_url: str | None = Field(
        default=None,
        description="the callback registered at the issuer; default "
        "<LOTSE_PUBLIC_URL>/auth/oidc/callback",
    )
    oidc_leeway_seconds: float = Field(
        default=60, ge=0, le=300, description="clock skew allowed between issuer and gateway"
    )
    oidc_cache_seconds: float = Field(
        default=3600,
        gt=0,
        description="how long discovery document and signing keys (JWKS) are used before "
        "they are fetched again",
    )
    oidc_refresh_seconds: float = Field(
        default=60,
        ge=0,
        description="at most one fetch of the keys this often for tokens with an unknown "
        "key id (key rotation), and after the issuer failed to answer",
    )
    oidc_timeout_seconds: float = Field(
        default=5, gt=0, description="how long the issuer may take to answer"
    )

    @field_validator("oidc_role_map", mode="before")
    @classmethod
    def _role_map(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("{"):
                return json.loads(text)
            pairs = [part.partition("=") for part in text.split(",") if part.strip()]
            for name, equals, _ in pairs:
                if not equals or not name.strip():
                    raise ValueError(f"not `value=role`: {name!r}")
            return {name.strip(): role.strip() for name, _, role in pairs}
        return value

    @field_validator("oidc_role_map", mode="after")
    @classmethod
    def _signed_in_roles(cls, value: dict[str, Role]) -> dict[str, Role]:
        for role in value.values():
            if role not in SIGNED_IN_ROLES:
                raise ValueError(f"{role.value} is not a role a user can be given")
        return value

    @field_validator("oidc_default_role", mode="after")
    @classmethod
    def _default_role(cls, value: Role | None) -> Role | None:
        if value is not None and value not in SIGNED_IN_ROLES:
            raise ValueError(f"{value.value} is not a role a user can be given")
        return value

    @property
    def oidc_enabled(self) -> bool:
        return self.oidc_issuer is not None

    @property
    def oidc_token_audience(self) -> str:
        """The audience bearer tokens must name."""
        return self.oidc_audience or self.oidc_client_id or ""

    @property
    def oidc_scope(self) -> str:
        scopes = self.oidc_scopes.split()
        return " ".join(["openid", *(s for s in scopes if s != "openid")])

    def _check_oidc(self, environment: str) -> None:
        if self.oidc_issuer is None:
            return
        if not self.oidc_client_id:
            raise ValueError("LOTSE_GATEWAY_OIDC_CLIENT_ID is required with an issuer")
        for name, url in (("ISSUER", self.oidc_issuer), ("REDIRECT_URL", self.oidc_redirect_url)):
            if url is None:
                continue
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"LOTSE_GATEWAY_OIDC_{name} must be an http(s) URL")
            # Keys and codes over plain http only where nothing leaves the machine.
            if parts.scheme == "http" and environment != "dev":
                raise ValueError(f"LOTSE_GATEWAY_OIDC_{name} must be https outside dev")


class Settings(ServiceSettings, WebhookSettings, OidcSettings):
    model_config = SettingsConfigDict(
        env_prefix="LOTSE_GATEWAY_", extra="ignore", populate_by_name=True
    )

    service_name: ClassVar[str] = "gateway"
    bootstrap_admin_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("LOTSE_BOOTSTRAP_ADMIN_KEY"),
        description="an admin key that exists from the first start; at least 24 characters",
    )
    service_urls: dict[str, str] = Field(
        default_factory=dict,
        description="base URL of each service by registry name; from LOTSE_GATEWAY_<NAME>_URL, "
        "default http://127.0.0.1:<its port>",
    )
    service_connect_timeout_seconds: float = 1.0
    service_read_timeout_seconds: float = Field(
        default=15.0, gt=0, description="how long a service may take to answer"
    )
    service_timeouts: dict[str, float] = Field(
        default_factory=dict,
        description="read timeout of a service by registry name, where it differs; from "
        "LOTSE_GATEWAY_<NAME>_TIMEOUT_SECONDS",
    )
    breaker_failures: int = Field(
        default=5, ge=1, description="failed calls in a row that open a service's circuit"
    )
    breaker_open_seconds: float = Field(
        default=10.0, gt=0, description="how long an open circuit refuses calls at once"
    )
    calls_per_identity: int = Field(
        default=16,
        ge=0,
        description="forwarded calls a key (or address) may have under way; 0: no bound",
    )
    rate_limit_per_minute: int = Field(
        default=600, ge=0, description="calls a minute per API key on average; 0: no limit"
    )
    rate_limit_burst: int = Field(default=60, ge=1, description="calls at once per API key")
    anonymous_rate_limit_per_minute: int = Field(
        default=120,
        ge=0,
        description="calls a minute per client address without a key, or with a refused "
        "one; 0: no limit",
    )
    anonymous_rate_limit_burst: int = Field(default=30, ge=1)
    operations_networks: Annotated[tuple[IPNetwork, ...], NoDecode] = Field(
        default=parse_cidrs(
            "127.0.0.0/8, ::1/128, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7"
        ),
        description="comma-separated networks whose callers may read /metrics and /readyz",
    )

    @field_validator("operations_networks", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return parse_cidrs(value) if isinstance(value, str | list | tuple) else value

    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="comma-separated origins (https://intranet.example.de) whose pages may "
        "call the API from the browser; none by default",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            for origin in value:
                if not _ORIGIN.fullmatch(str(origin)):
                    raise ValueError(f"not an origin (scheme://host[:port]): {origin!r}")
            return tuple(value)
        return value

    stream_per_identity: int = Field(
        default=5, ge=1, description="live streams one key (or address) may hold open at once"
    )
    stream_heartbeat_seconds: float = Field(default=15.0, gt=0)
    stream_max_seconds: float = Field(
        default=300.0, gt=0, description="a live stream ends after this, to be resumed"
    )
    stream_poll_seconds: float = Field(
        default=0.5,
        gt=0,
        description="how often the gateway looks for new feed entries besides when its "
        "feed consumer records one",
    )
    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("LOTSE_REDIS_URL"),
        description="keep rate limits in this Redis, shared by every gateway replica",
    )
    webhook_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        description="how often the webhook deliverer looks for due retries (new feed entries "
        "wake it)",
    )
    webhook_lease_seconds: float = Field(
        default=60.0,
        ge=1,
        description="a gateway's claim on a webhook delivery; after a crash it is sent again "
        "this late",
    )
    webhook_retention_days: float = Field(
        default=30,
        gt=0,
        description="delivered and cancelled webhook deliveries are kept this long (failed "
        "ones stay, to be listed and redelivered)",
    )
    webhook_deliverer_enabled: bool = Field(
        default=True, description="send webhook deliveries from this process"
    )
    session_hours: float = Field(
        default=8.0, gt=0, description="a web sign-in ends this long after it began"
    )
    session_idle_minutes: float = Field(
        default=60.0, gt=0, description="a web sign-in ends after this long without a page"
    )
    secure_cookies: bool = Field(
        default=False,
        description="mark the session cookie Secure even where the request came over plain "
        "http (a TLS front that does not say so), and take this host's https origin on "
        "form posts; over https it is Secure anyway",
    )
    # FilePath: a missing file, or a folder, stops the start instead of failing every view.
    imprint_file: FilePath | None = Field(
        default=None, description="the operator's imprint (Impressum), Markdown or HTML"
    )
    privacy_file: FilePath | None = Field(
        default=None, description="the operator's privacy notice (Datenschutz), Markdown or HTML"
    )
    accessibility_file: FilePath | None = Field(
        default=None,
        description="the operator's accessibility statement (Erklärung zur Barrierefreiheit), "
        "Markdown or HTML; a default that names what to fill in otherwise",
    )
    widget_cache_seconds: int = Field(
        default=60,
        ge=0,
        le=86_400,
        description="how long a browser or proxy may keep a widget page (/widgets/...) "
        "without asking again; a changed key's origins take at most this long to apply",
    )
    widget_items: int = Field(default=10, ge=1, le=50, description="entries a widget lists at most")
    key_cache_seconds: float = 30.0
    last_used_flush_seconds: float = 10.0
    # A registration answers once its event is published, or after this long (broker away).
    registration_publish_seconds: float = 2.0

    @model_validator(mode="before")
    @classmethod
    def _service_urls_from_env(cls, data: Any) -> Any:
        # One variable per service (LOTSE_GATEWAY_PROJECTS_URL, ...), named by the registry.
        if isinstance(data, dict):
            urls = {
                entry.name: url
                for entry in SERVICES
                if (url := os.environ.get(f"{GATEWAY.env_prefix}{entry.name.upper()}_URL"))
            }
            data["service_urls"] = urls | dict(data.get("service_urls") or {})
            timeouts = {
                entry.name: float(seconds)
                for entry in SERVICES
                if (
                    seconds := os.environ.get(
                        f"{GATEWAY.env_prefix}{entry.name.upper()}_TIMEOUT_SECONDS"
                    )
                )
            }
            data["service_timeouts"] = timeouts | dict(data.get("service_timeouts") or {})
        return data

    public_url: str = Field(
        default="http://127.0.0.1:8000",
        validation_alias=AliasChoices("LOTSE_PUBLIC_URL"),
        description="the gateway's address as browsers reach it: the default sign-on callback",
    )

    @property
    def oidc_callback_url(self) -> str:
        return self.oidc_redirect_url or self.public_url.rstrip("/") + "/auth/oidc/callback"

    @model_validator(mode="after")
    def _oidc_complete(self) -> "Settings":
        self._check_oidc(self.environment)
        return self

    @model_validator(mode="after")
    def _refuse_dev_admin_key_outside_dev(self) -> "Settings":
        if self.bootstrap_admin_key is not None and len(self.bootstrap_admin_key) < 24:
            raise ValueError("LOTSE_BOOTSTRAP_ADMIN_KEY must have at least 24 characters")
        if self.environment != "dev" and self.bootstrap_admin_key == DEV_ADMIN_KEY:
            raise ValueError("the development admin key may not be used outside dev")
        return self

    def service_url(self, name: str) -> str:
        return self.service_urls.get(name) or by_name(name).url()

    @property
    def read_timeouts(self) -> dict[str, float]:
        """Base URL -> read timeout, for the services whose timeout is set apart."""
        return {self.service_url(name): t for name, t in self.service_timeouts.items()}

    @property
    def secret_link_routes(self) -> dict[str, str]:
        """Exact paths a secret in the URL authorises -> base URL of their service."""
        return {
            path: self.service_urls.get(entry.name) or entry.url()
            for entry in SERVICES
            for path in entry.secret_link_paths
        }

    @property
    def service_routes(self) -> dict[str, str]:
        """Public path prefix -> base URL of the service that owns it, from the registry."""
        return {
            prefix: self.service_url(entry.name)
            for entry in SERVICES
            for prefix in entry.public_prefixes
        }
