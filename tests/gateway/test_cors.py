"""Intranet pages on the allowed origins may call the API from the browser; others not."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from services.gateway.settings import Settings
from tests.conftest import ADMIN_KEY, Platform, running_platform

INTRANET = "https://intranet.kreis-beispiel.de"


async def test_an_allowed_origin_may_call_and_read_what_it_needs(tmp_path: Path) -> None:
    async with running_platform("sqlite", tmp_path, cors_origins=INTRANET) as platform:
        client = platform.client()
        preflight = await client.options(
            "/api/v1/projects/x",
            headers={
                "Origin": INTRANET,
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "authorization, if-match, content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == INTRANET
        allowed = preflight.headers["access-control-allow-headers"].lower()
        assert {"authorization", "if-match", "content-type"} <= set(allowed.split(", "))
        assert "access-control-allow-credentials" not in preflight.headers

        read = await platform.client(ADMIN_KEY).get("/api/v1/topics", headers={"Origin": INTRANET})
        assert read.headers["access-control-allow-origin"] == INTRANET
        assert "etag" in read.headers["access-control-expose-headers"].lower()

        stranger = await client.get("/api/v1/topics", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in stranger.headers
        refused = await client.options(
            "/api/v1/topics",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers


async def test_without_origins_set_no_page_elsewhere_may_call(platform: Platform) -> None:
    response = await platform.client().get("/api/v1/topics", headers={"Origin": INTRANET})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("origins", ["intranet.example.de", "*", "https://x.de/path", "ftp://x.de"])
def test_an_origin_setting_that_is_not_an_origin_is_refused(origins: str) -> None:
    with pytest.raises(ValidationError, match="not an origin"):
        Settings(cors_origins=origins)
