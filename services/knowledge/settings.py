"""Settings of the knowledge service (env prefix LOTSE_KNOWLEDGE_)."""

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.kit.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="LOTSE_KNOWLEDGE_", extra="ignore", populate_by_name=True
    )

    service_name: ClassVar[str] = "knowledge"
    search_index_dir: Path | None = Field(
        default=None,
        description="directory of the search index; default in memory. Either way it is "
        "rebuilt from the database at start (it is a read model, never the truth)",
    )
    adoption_stale_days: int = Field(
        default=365,
        gt=0,
        description="an adoption not confirmed for this many days is shown as stale",
    )
    municipality_wait_seconds: float = Field(
        default=2.0,
        description="how long a write naming a municipality not known yet waits for the "
        "gateway's events to catch up",
    )
