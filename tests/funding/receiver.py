"""A real HTTP webhook receiver on loopback that verifies with the `standardwebhooks`
library, answers as a test scripts it, and keeps what it acknowledged."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shared.cli.broker import free_port
from tests.conftest import serve


@dataclass
class Received:
    webhook_id: str
    headers: dict[str, str]
    body: bytes
    payload: dict[str, Any] | None
    """The verified payload; None when the signature did not verify."""


@dataclass
class Receiver:
    url: str
    secrets: list[str] = field(default_factory=list)
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    """Scripted answers, used up in order; then 204."""
    hold: asyncio.Event | None = None
    """While set to an unset event, requests wait for it (a slow receiver)."""
    hold_after: int = 0
    """How many requests pass before `hold` applies."""
    received: list[Received] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    """webhook-ids answered 2xx, in order: the deliveries that took effect."""

    def verify(self, headers: dict[str, str], body: bytes) -> dict[str, Any] | None:
        for secret in self.secrets:
            try:
                payload: dict[str, Any] = Webhook(secret).verify(body, headers)
                return payload
            except Exception:
                continue
        return None

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        webhook_id = headers.get("webhook-id", "")
        self.received.append(Received(webhook_id, headers, body, self.verify(headers, body)))
        if self.hold is not None and len(self.received) > self.hold_after:
            await self.hold.wait()
        status, extra = self.answers.pop(0) if self.answers else (204, {})
        if 200 <= status < 300:
            self.acknowledged.append(webhook_id)
        return Response(status_code=status, headers=extra)


@contextlib.asynccontextmanager
async def receiver(*secrets: str) -> AsyncIterator[Receiver]:
    port = free_port()
    box = Receiver(url=f"http://127.0.0.1:{port}/hook", secrets=list(secrets))
    app = Starlette(routes=[Route("/hook", box.handle, methods=["POST"])])
    async with serve(app, port):
        yield box


def verified_types(box: Receiver) -> list[str]:
    return [r.payload["type"] for r in box.received if r.payload is not None]


def payload_data(received: Received) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(received.body)["data"]
    return data
