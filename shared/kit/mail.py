"""Outgoing e-mail over SMTP: plain text with an HTML alternative, one-click unsubscribe.

Without `LOTSE_SMTP_HOST` mail goes to the local mail sink (`python -m shared.cli.mailsink`,
127.0.0.1:8025 by default), which writes every message to a folder.
"""

import email.policy
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import aiosmtplib
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

MAILSINK_PORT = 8025


class MailSettings(BaseSettings):
    """SMTP settings; every one is read without a service prefix."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    smtp_host: str | None = Field(
        default=None,
        validation_alias="LOTSE_SMTP_HOST",
        description="SMTP server; unset: the local mail sink on 127.0.0.1",
    )
    smtp_port: int = Field(default=587, validation_alias="LOTSE_SMTP_PORT")
    smtp_starttls: bool = Field(
        default=True,
        validation_alias="LOTSE_SMTP_STARTTLS",
        description="upgrade with STARTTLS (required when set: no fallback to plain text)",
    )
    smtp_implicit_tls: bool = Field(
        default=False,
        validation_alias="LOTSE_SMTP_IMPLICIT_TLS",
        description="TLS from the first byte (port 465) instead of STARTTLS",
    )
    smtp_username: str | None = Field(default=None, validation_alias="LOTSE_SMTP_USERNAME")
    smtp_password: SecretStr | None = Field(default=None, validation_alias="LOTSE_SMTP_PASSWORD")
    smtp_timeout_seconds: float = Field(default=30.0, validation_alias="LOTSE_SMTP_TIMEOUT")
    mail_sender: str = Field(
        default="Lotse <benachrichtigung@lotse.localhost>",
        validation_alias="LOTSE_MAIL_FROM",
        description="From: of every message",
    )
    mailsink_port: int = Field(default=MAILSINK_PORT, validation_alias="LOTSE_MAILSINK_PORT")

    @property
    def uses_mailsink(self) -> bool:
        return not self.smtp_host


def build_message(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    unsubscribe_url: str | None = None,
    reply_to: str | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """A UTF-8 message: plain text, the HTML as alternative, and unsubscribe headers.

    `List-Unsubscribe` names `unsubscribe_url`; `List-Unsubscribe-Post` (RFC 8058 one-click)
    is added only for an https URL, as the RFC requires.
    """
    message = EmailMessage(policy=HEADERS_UNFOLDED)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = " ".join(subject.split())  # one line, whatever it was given
    message["Date"] = format_datetime(now or datetime.now(UTC))
    _, address = parseaddr(sender)
    domain = address.rpartition("@")[2] or "lotse.localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    if reply_to:
        message["Reply-To"] = reply_to
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        if unsubscribe_url.startswith("https://"):
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Quoted-printable keeps the bodies 7-bit with short lines, whatever the policy allows.
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


HEADERS_UNFOLDED = email.policy.default.clone(max_line_length=998)
"""Headers up to RFC 5322's 998 characters stay as written: a long List-Unsubscribe URL
under the default 78 would be sent as RFC 2047 encoded words, which no mail client reads
as a link."""


class MailError(Exception):
    """Sending failed; `permanent` says whether trying again can help."""

    def __init__(self, detail: str, *, permanent: bool) -> None:
        super().__init__(detail)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    starttls: bool
    implicit_tls: bool
    username: str | None
    password: str | None


def smtp_target(settings: MailSettings) -> SmtpTarget:
    """Where mail goes: the configured server, or the local sink in plain SMTP."""
    if settings.uses_mailsink:
        return SmtpTarget("127.0.0.1", settings.mailsink_port, False, False, None, None)
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpTarget(
        host=settings.smtp_host or "",
        port=settings.smtp_port,
        starttls=settings.smtp_starttls and not settings.smtp_implicit_tls,
        implicit_tls=settings.smtp_implicit_tls,
        username=settings.smtp_username,
        password=password,
    )


class Mailer:
    """Sends messages with aiosmtplib, one connection per message."""

    def __init__(
        self, settings: MailSettings | None = None, *, tls_context: ssl.SSLContext | None = None
    ) -> None:
        self.settings = settings or MailSettings()
        self._tls = tls_context

    def message(
        self,
        *,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        unsubscribe_url: str | None = None,
    ) -> EmailMessage:
        """`build_message` with this mailer's sender."""
        return build_message(
            sender=self.settings.mail_sender,
            to=to,
            subject=subject,
            text=text,
            html=html,
            unsubscribe_url=unsubscribe_url,
        )

    async def send(self, message: EmailMessage) -> None:
        """Send one message; MailError says whether a retry can help."""
        target = smtp_target(self.settings)
        try:
            errors, _ = await aiosmtplib.send(
                message,
                hostname=target.host,
                port=target.port,
                username=target.username,
                password=target.password,
                start_tls=target.starttls,
                use_tls=target.implicit_tls,
                tls_context=self._tls,
                timeout=self.settings.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise MailError(f"recipients refused: {exc}", permanent=True) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise MailError(f"SMTP {exc.code}: {exc.message}", permanent=exc.code >= 500) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise MailError(f"{type(exc).__name__}: {exc}", permanent=False) from exc
        if errors:
            raise MailError(f"recipients refused: {errors}", permanent=True)
