"""Loading the demo region waits out a rate limit instead of failing."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from shared.cli.seed import PatientTransport


@pytest.fixture
def limited_server() -> Iterator[tuple[str, list[str]]]:
    """Answers 429 (Retry-After: 0) to the first two calls, then 201."""
    calls: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            calls.append(body.decode())
            status = 429 if len(calls) <= 2 else 201
            self.send_response(status)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", calls
    finally:
        server.shutdown()


def test_a_429_is_waited_out_and_the_same_request_sent_again(
    limited_server: tuple[str, list[str]],
) -> None:
    url, calls = limited_server
    with httpx.Client(base_url=url, transport=PatientTransport()) as client:
        response = client.post("/api/v1/municipalities", json={"ags": "06534014"})
    assert response.status_code == 201
    assert calls == ['{"ags":"06534014"}'] * 3
