"""/metrics and /readyz for the operator's networks; the public gets the usual 404."""

from tests.conftest import Platform

# What a proxy adds: a call that came through one is the public's.
PROXIED = [{"X-Forwarded-For": "203.0.113.7"}, {"Forwarded": "for=10.1.2.3"}]


async def test_operations_answer_inside_and_are_not_there_for_the_public(
    platform: Platform,
) -> None:
    client = platform.client()
    missing = await client.get("/no-such-path", headers=PROXIED[0])
    for path in ("/metrics", "/readyz"):
        assert (await client.get(path)).status_code == 200, path
        for headers in PROXIED:
            hidden = await client.get(path, headers=headers)
            assert hidden.status_code == 404, (path, headers)
            # Told apart from a path that does not exist by nothing but the path.
            assert hidden.json() | {"instance": None} == missing.json() | {"instance": None}
            assert hidden.headers["content-type"] == missing.headers["content-type"]
            assert "x-request-id" in hidden.headers
            assert "lotse_" not in hidden.text
    # Load balancers still see that it lives (GET or HEAD); the API is public as ever.
    assert (await client.get("/healthz", headers=PROXIED[0])).status_code == 200
    assert (await client.head("/healthz", headers=PROXIED[0])).status_code == 200
    assert (await client.get("/api/v1/topics", headers=PROXIED[0])).status_code == 200
