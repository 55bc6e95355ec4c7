"""Settings of the gateway (env prefix LOTSE_GATEWAY_)."""

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

DEV_ADMIN_KEY = "lotse_dev_admin_key_for_local_use_only"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="LOTSE_GATEWAY_", extra="ignore", populate_by_name=True
    )

    service_name: str = "gateway"
    bootstrap_admin_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("LOTSE_BOOTSTRAP_ADMIN_KEY"),
        description="an admin key that exists from the first start; at least 24 characters",
    )
    projects_url: str = "http://127.0.0.1:8001"
    service_connect_timeout_seconds: float = 1.0
    service_read_timeout_seconds: float = 15.0
    key_cache_seconds: float = 30.0
    last_used_flush_seconds: float = 10.0
    import_max_bytes: int = 16 * 1_048_576
    # A registration answers once its event is published, or after this long (broker away).
    registration_publish_seconds: float = 2.0

    @model_validator(mode="after")
    def _refuse_dev_admin_key_outside_dev(self) -> "Settings":
        if self.bootstrap_admin_key is not None and len(self.bootstrap_admin_key) < 24:
            raise ValueError("LOTSE_BOOTSTRAP_ADMIN_KEY must have at least 24 characters")
        if self.environment != "dev" and self.bootstrap_admin_key == DEV_ADMIN_KEY:
            raise ValueError("the development admin key may not be used outside dev")
        return self

    @property
    def service_routes(self) -> dict[str, str]:
        """Path prefix under /api/v1 -> base URL of the service that owns it."""
        return {"/api/v1/projects": self.projects_url}
