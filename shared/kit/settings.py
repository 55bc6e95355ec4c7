"""Settings every Lotse service shares; each service subclasses with its own prefix."""

from pathlib import Path
from typing import ClassVar

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_INTERNAL_SECRET = "lotse-dev-internal-secret-do-not-use-in-production"
DEV_ADMIN_KEY = "lotse_dev_admin_key_for_local_use_only"
"""The admin key `lotse up` gives a dev platform; refused outside dev."""


def _shared(name: str) -> AliasChoices:
    # Platform-wide settings are read without the service prefix, so one
    # environment configures every process that `lotse up` starts.
    return AliasChoices(name)


class ServiceSettings(BaseSettings):
    """What every service needs: its database, the bus, the internal token secret."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    # The name is the code's, not an operator's: it names the database file and the
    # events' source, so no environment variable may change it.
    service_name: ClassVar[str] = "service"
    environment: str = Field(
        default="dev",
        validation_alias=_shared("LOTSE_ENV"),
        description="dev allows the built-in development secrets; anything else refuses them",
    )
    data_dir: Path = Field(default=Path("data"), validation_alias=_shared("LOTSE_DATA_DIR"))
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: a SQLite file under data_dir",
    )
    kafka_bootstrap: str = Field(
        default="127.0.0.1:9092", validation_alias=_shared("LOTSE_KAFKA_BOOTSTRAP")
    )
    kafka_idempotence: bool = Field(
        default=False,
        validation_alias=_shared("LOTSE_KAFKA_IDEMPOTENCE"),
        description="turn on for Apache Kafka; the embedded broker rejects InitProducerId",
    )
    kafka_session_timeout_ms: int = Field(
        default=6000, validation_alias=_shared("LOTSE_KAFKA_SESSION_TIMEOUT_MS")
    )
    kafka_fetch_max_wait_ms: int = Field(
        default=20, validation_alias=_shared("LOTSE_KAFKA_FETCH_MAX_WAIT_MS")
    )
    kafka_partitions: int = Field(
        default=4,
        validation_alias=_shared("LOTSE_KAFKA_PARTITIONS"),
        description="partitions of topics the platform creates; 4 is also what the "
        "embedded broker gives a topic it creates on first use, so both agree after it "
        "restarts empty",
    )
    internal_token_secret: str = Field(
        default=DEV_INTERNAL_SECRET, validation_alias=_shared("LOTSE_INTERNAL_TOKEN_SECRET")
    )
    max_body_bytes: int = Field(default=1_048_576, description="largest request body accepted")
    export_max_rows: int = Field(
        default=10_000,
        ge=1,
        le=1_000_000,
        validation_alias=_shared("LOTSE_EXPORT_MAX_ROWS"),
        description="most rows a CSV or XLSX export of a list holds; a longer list is "
        "refused with 422 (narrow the filters)",
    )
    outbox_poll_seconds: float = 1.0
    outbox_retention_days: float = Field(
        default=7,
        gt=0,
        validation_alias=_shared("LOTSE_OUTBOX_RETENTION_DAYS"),
        description="the outbox keeps every event this long (and the latest of every "
        "aggregate for ever), to refill a broker that lost its history",
    )
    outbox_refill_per_second: float = Field(
        default=2000,
        gt=0,
        validation_alias=_shared("LOTSE_OUTBOX_REFILL_PER_SECOND"),
        description="pace of a refill, so consumers keep up and new events never queue behind it",
    )
    log_level: str = Field(default="INFO", validation_alias=_shared("LOTSE_LOG_LEVEL"))
    opentelemetry: bool = Field(
        default=False,
        validation_alias=_shared("LOTSE_OPENTELEMETRY"),
        description="FastAPI's native OpenTelemetry tracing, metrics and logs (global "
        "providers); off by default: Lotse has its own metrics and JSON logs, and the "
        "check costs every request",
    )
    consumers_enabled: bool = True

    @model_validator(mode="after")
    def _refuse_dev_secret_outside_dev(self) -> "ServiceSettings":
        if len(self.internal_token_secret) < 32:
            raise ValueError("LOTSE_INTERNAL_TOKEN_SECRET must have at least 32 characters")
        if self.environment != "dev" and self.internal_token_secret == DEV_INTERNAL_SECRET:
            raise ValueError("LOTSE_INTERNAL_TOKEN_SECRET must be set outside the dev environment")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / (self.service_name + '.db')}"

    @property
    def source(self) -> str:
        """The CloudEvents source of this service's events."""
        return f"/lotse/{self.service_name}"
