"""Settings of the projects service (env prefix LOTSE_PROJECTS_)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="LOTSE_PROJECTS_", extra="ignore", populate_by_name=True
    )

    service_name: ClassVar[str] = "projects"
    import_max_rows: int = 10_000
    municipality_wait_seconds: float = 2.0  # see domain.await_municipalities
