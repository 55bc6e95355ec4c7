"""Mail over real SMTP: the kit's Mailer sends, an aiosmtpd mail sink receives and writes files."""

import asyncio
import email
import email.policy
import os
import socket
import ssl
import sys
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr

from shared.cli.broker import free_port
from shared.cli.mailsink import start_mailsink
from shared.kit.mail import Mailer, MailError, MailSettings, build_message
from tests.certificates import self_signed
from tests.conftest import eventually

ROOT = Path(__file__).resolve().parents[2]
UNSUBSCRIBE = "https://lotse.example.org/abmelden/tok_123"


def read_mail(folder: Path) -> list[EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted(folder.glob("*.eml"))
    ]


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[tuple[int, Path]]:
    port, folder = free_port(), tmp_path / "mail"
    server = await start_mailsink(folder, port=port)
    yield port, folder
    server.close()
    await server.wait_closed()


def sink_settings(port: int) -> MailSettings:
    return MailSettings(mailsink_port=port, mail_sender="Lotse <post@lotse.example.org>")


async def test_a_german_message_with_html_and_one_click_unsubscribe_arrives(
    sink: tuple[int, Path],
) -> None:
    port, folder = sink
    mailer = Mailer(sink_settings(port))
    assert mailer.settings.uses_mailsink
    message = mailer.message(
        to="kaemmerei@gemeinde-musterstadt.de",
        subject="Neuer Förderaufruf: Glasfaser für Gemeinden",
        text="Grüß Gott,\nein neuer Aufruf passt zu Ihrem Abonnement.\n",
        html="<p>Grüß Gott,</p><p>ein <strong>neuer Aufruf</strong> passt.</p>",
        unsubscribe_url=UNSUBSCRIBE,
    )
    await mailer.send(message)

    [received] = await eventually(lambda: asyncio.to_thread(read_mail, folder))
    assert received["Subject"] == "Neuer Förderaufruf: Glasfaser für Gemeinden"
    assert received["From"] == "Lotse <post@lotse.example.org>"
    assert received["To"] == "kaemmerei@gemeinde-musterstadt.de"
    assert received["X-Sink-Envelope-To"] == "kaemmerei@gemeinde-musterstadt.de"
    assert received["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Message-ID"].endswith("@lotse.example.org>")
    assert received.get_content_type() == "multipart/alternative"
    plain = received.get_body(preferencelist=("plain",))
    html = received.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    text = plain.get_content().replace("\r\n", "\n")  # SMTP carries CRLF line ends
    assert text == "Grüß Gott,\nein neuer Aufruf passt zu Ihrem Abonnement.\n"
    assert "<strong>neuer Aufruf</strong>" in html.get_content()


def test_one_click_post_only_for_an_https_unsubscribe_url() -> None:
    message = build_message(
        sender="a@b.de", to="c@d.de", subject="x", text="y", unsubscribe_url="http://x/abmelden"
    )
    assert message["List-Unsubscribe"] == "<http://x/abmelden>"
    assert message["List-Unsubscribe-Post"] is None
    plain_only = build_message(sender="a@b.de", to="c@d.de", subject="x", text="y")
    assert plain_only.get_content_type() == "text/plain" and plain_only["List-Unsubscribe"] is None


async def test_starttls_and_credentials_from_settings(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path, common_name="127.0.0.1", alt_name="IP:127.0.0.1")
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins: list[tuple[str, str]] = []

    def authenticator(*args: Any) -> AuthResult:
        data = args[-1]
        assert isinstance(data, LoginPassword)
        logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password == b"richtig", handled=False)

    port, folder = free_port(), tmp_path / "mail"
    server = await start_mailsink(
        folder,
        port=port,
        tls_context=server_tls,
        require_starttls=True,
        auth_required=True,
        authenticator=authenticator,
    )
    try:
        settings = MailSettings(
            LOTSE_SMTP_HOST="127.0.0.1",
            LOTSE_SMTP_PORT=port,
            LOTSE_SMTP_USERNAME="lotse",
            LOTSE_SMTP_PASSWORD="richtig",
            LOTSE_MAIL_FROM="Lotse <post@lotse.example.org>",
        )
        assert settings.smtp_starttls and not settings.uses_mailsink
        client_tls = ssl.create_default_context(cafile=str(cert))
        mailer = Mailer(settings, tls_context=client_tls)
        await mailer.send(mailer.message(to="a@b.de", subject="Test", text="Hallo"))
        assert len(await eventually(lambda: asyncio.to_thread(read_mail, folder))) == 1

        wrong = Mailer(
            settings.model_copy(update={"smtp_password": SecretStr("falsch")}),
            tls_context=client_tls,
        )
        with pytest.raises(MailError) as refused:
            await wrong.send(wrong.message(to="a@b.de", subject="Test", text="Hallo"))
        assert refused.value.permanent
    finally:
        server.close()
        await server.wait_closed()
    assert logins[0] == ("lotse", "richtig")
    assert set(logins[1:]) == {("lotse", "falsch")}  # aiosmtplib tries each offered mechanism


async def test_an_unreachable_server_is_a_transient_error() -> None:
    mailer = Mailer(MailSettings(mailsink_port=free_port(), smtp_timeout_seconds=2))
    with pytest.raises(MailError) as failed:
        await mailer.send(mailer.message(to="a@b.de", subject="x", text="y"))
    assert not failed.value.permanent


async def test_the_mailsink_command_writes_received_mail_to_its_folder(tmp_path: Path) -> None:
    port, folder = free_port(), tmp_path / "data" / "mail"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shared.cli.mailsink", "--port", str(port), "--dir", str(folder),
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:

        async def listening() -> bool:
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        await eventually(listening)
        mailer = Mailer(sink_settings(port))
        await mailer.send(mailer.message(to="x@y.de", subject="Über", text="Straße"))
        [received] = await eventually(lambda: asyncio.to_thread(read_mail, folder))
        assert received["Subject"] == "Über"
        assert [p.suffix for p in folder.iterdir()] == [".eml"]
    finally:
        process.terminate()
        out, _ = await asyncio.wait_for(process.communicate(), timeout=10)
    assert process.returncode == 0
    assert f"127.0.0.1:{port}" in out.decode()


def test_a_long_unsubscribe_link_is_sent_as_a_link() -> None:
    url = "https://lotse.kreis-beispiel.de/api/v1/subscriptions/unsubscribe?token=" + "x" * 120
    message = build_message(
        sender="Lotse <lotse@kreis-beispiel.de>",
        to="a@b.example",
        subject="Neuer Förderaufruf:\r\nBcc: c@d.example",
        text="Hallo",
        unsubscribe_url=url,
    )
    raw = message.as_bytes()
    # As written, on one line: mail clients do not read RFC 2047 encoded words as links.
    assert f"List-Unsubscribe: <{url}>\n".encode() in raw
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw
    assert b"\nBcc:" not in raw  # the subject stays one line
    assert all(len(line) <= 998 for line in raw.splitlines())
