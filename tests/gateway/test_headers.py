"""What the gateway tells browsers: a strict policy, and no request to another host."""

import re

from tests.conftest import Platform

PAGES = ["/", "/docs", "/api/v1/topics", "/api/v1/projects", "/api/v1/no-such-thing"]


async def test_every_answer_carries_the_security_headers(platform: Platform) -> None:
    client = platform.client()
    for path in PAGES:
        response = await client.get(path)
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy, path
        assert "script-src 'self'" in policy and "unsafe-eval" not in policy, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        # Pages send their Referer to this site only, so their forms' Origin is checked.
        expected = "same-origin" if path == "/" else "no-referrer"
        assert response.headers["referrer-policy"] == expected, path
        # Plain http here: HSTS would pin a developer's localhost.
        assert "strict-transport-security" not in response.headers


async def test_behind_an_https_front_hsts_is_sent(platform: Platform) -> None:
    # The front says https; uvicorn trusts X-Forwarded-Proto from loopback.
    response = await platform.client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_the_api_docs_load_nothing_from_another_host(platform: Platform) -> None:
    client = platform.client()
    page = await client.get("/docs")
    assert page.status_code == 200
    assert "<script>" not in page.text, "the policy allows no inline script"
    references = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert references and all(ref.startswith("/static/") for ref in references)
    for ref in references:
        asset = await client.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 0
    bundle = await client.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    landing = await client.get("/")
    assert "<style>" not in landing.text
