"""Settings of the funding service (env prefix LOTSE_FUNDING_; mail and webhook settings
are platform-wide: LOTSE_SMTP_*, LOTSE_MAIL_FROM, LOTSE_WEBHOOK_ALLOWED_CIDRS)."""

from typing import ClassVar

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.kit.mail import MailSettings
from shared.kit.settings import ServiceSettings
from shared.kit.webhooks import WebhookSettings

DEV_LINK_SECRET = "lotse-dev-link-secret-do-not-use-in-production"


class Settings(ServiceSettings, MailSettings, WebhookSettings):
    model_config = SettingsConfigDict(
        env_prefix="LOTSE_FUNDING_", extra="ignore", populate_by_name=True
    )

    service_name: ClassVar[str] = "funding"
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        validation_alias=AliasChoices("LOTSE_PUBLIC_URL"),
        description="the gateway's address as subscribers reach it: links in mails and "
        "feeds (https in production, so mails carry RFC 8058 one-click unsubscribe)",
    )
    link_secret: str = Field(
        default=DEV_LINK_SECRET,
        description="signs the confirmation and unsubscribe links of e-mail subscriptions",
    )
    scheduler_seconds: float = Field(
        default=30.0,
        gt=0,
        description="how often the scheduler moves calls on by date and looks for due "
        "reminders and digests",
    )
    digest_hour: int = Field(
        default=7, ge=0, le=23, description="the daily digest goes out at this hour, Berlin time"
    )
    delivery_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        description="how often the delivery worker looks for due retries (new alerts wake it)",
    )
    delivery_lease_seconds: float = Field(
        default=60.0,
        gt=10,
        description="a worker's claim on a delivery; after a crash it is sent again this late",
    )
    delivery_retention_days: float = Field(
        default=30,
        gt=0,
        description="delivered and cancelled deliveries are kept this long (failed ones "
        "stay, to be listed and redelivered)",
    )
    workers_enabled: bool = Field(
        default=True, description="run the delivery worker and the scheduler in this process"
    )

    @model_validator(mode="after")
    def _refuse_dev_link_secret_outside_dev(self) -> "Settings":
        if len(self.link_secret) < 32:
            raise ValueError("LOTSE_FUNDING_LINK_SECRET must have at least 32 characters")
        if self.environment != "dev" and self.link_secret == DEV_LINK_SECRET:
            raise ValueError("LOTSE_FUNDING_LINK_SECRET must be set outside the dev environment")
        return self
