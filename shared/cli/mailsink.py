"""A local mail sink: an SMTP server that writes every message it receives to a folder.

For development and tests, where no SMTP server is configured. Each message lands as
`<dir>/<UTC timestamp>-<id>.eml`, with the envelope in `X-Sink-*` headers on top.
Usage: python -m shared.cli.mailsink [--host 127.0.0.1] [--port 8025] [--dir data/mail]
"""

import argparse
import asyncio
import contextlib
import os
import signal
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from shared.kit.mail import MAILSINK_PORT


class FolderSink:
    """aiosmtpd handler: one `.eml` file per message, written whole or not at all."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
        head = (
            f"X-Sink-Envelope-From: {envelope.mail_from}\r\n"
            f"X-Sink-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        partial = path.with_suffix(".part")
        partial.write_bytes(head + content)
        os.replace(partial, path)  # readers never see half a message
        return "250 Message accepted for delivery"


async def start_mailsink(
    folder: Path, host: str = "127.0.0.1", port: int = MAILSINK_PORT, **smtp: Any
) -> asyncio.Server:
    """Serve SMTP on host:port in this event loop; `smtp` goes to aiosmtpd's SMTP."""
    handler = FolderSink(folder)
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(handler, hostname="lotse-mailsink", enable_SMTPUTF8=True, loop=loop, **smtp),
        host=host,
        port=port,
    )


async def _serve(folder: Path, host: str, port: int) -> None:
    server = await start_mailsink(folder, host, port)
    print(f"Mail sink on {host}:{port}, writing to {folder}/", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.cli.mailsink", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("LOTSE_MAILSINK_PORT", MAILSINK_PORT))
    )
    parser.add_argument(
        "--dir", type=Path, default=Path(os.environ.get("LOTSE_DATA_DIR", "data")) / "mail"
    )
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.dir, args.host, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
