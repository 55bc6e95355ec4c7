"""Settings of the gateway (env prefix LOTSE_GATEWAY_)."""

import os
from typing import Any, ClassVar

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.kit.settings import DEV_ADMIN_KEY, ServiceSettings
from shared.registry import GATEWAY, SERVICES


class Settings(ServiceSettings):
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
    service_read_timeout_seconds: float = 15.0
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
        return data

    @model_validator(mode="after")
    def _refuse_dev_admin_key_outside_dev(self) -> "Settings":
        if self.bootstrap_admin_key is not None and len(self.bootstrap_admin_key) < 24:
            raise ValueError("LOTSE_BOOTSTRAP_ADMIN_KEY must have at least 24 characters")
        if self.environment != "dev" and self.bootstrap_admin_key == DEV_ADMIN_KEY:
            raise ValueError("the development admin key may not be used outside dev")
        return self

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
            prefix: self.service_urls.get(entry.name) or entry.url()
            for entry in SERVICES
            for prefix in entry.public_prefixes
        }
