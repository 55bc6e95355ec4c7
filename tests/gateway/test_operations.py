"""/metrics and /readyz for the operator's networks; the public gets 404."""

from tests.conftest import Platform

# What a trusted front (here: loopback, uvicorn's default) says of the caller.
PUBLIC_CALLER = {"X-Forwarded-For": "203.0.113.7"}
MAPPED_CALLER = {"X-Forwarded-For": "::ffff:10.1.2.3"}


async def test_operations_answer_inside_and_are_not_there_for_the_public(
    platform: Platform,
) -> None:
    client = platform.client()
    for path in ("/metrics", "/readyz"):
        assert (await client.get(path)).status_code == 200, path
        assert (await client.get(path, headers=MAPPED_CALLER)).status_code == 200, path
        hidden = await client.get(path, headers=PUBLIC_CALLER)
        assert hidden.status_code == 404, path
        assert hidden.headers["content-type"] == "application/problem+json"
        assert "lotse_" not in hidden.text
    # Load balancers still see that it lives; the API is public as ever.
    assert (await client.get("/healthz", headers=PUBLIC_CALLER)).status_code == 200
    assert (await client.get("/api/v1/topics", headers=PUBLIC_CALLER)).status_code == 200
