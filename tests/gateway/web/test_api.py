"""Pages ask the API in process, as the signed-in principal: they see what it sees."""

from collections.abc import AsyncIterator

import pytest

from services.gateway.web.api import PageApi, field_messages
from shared.kit.auth import ANONYMOUS, Principal, Role
from shared.kit.http import LotseError
from tests.conftest import Platform, running_platform
from tests.gateway.conftest import publish
from tests.gateway.web.forms import sign_in


@pytest.fixture(scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    async with running_platform("sqlite", tmp_path_factory.mktemp("api")) as running:
        yield running


async def _municipality_key(platform: Platform, name: str) -> tuple[str, Principal]:
    ags = await platform.municipality(name=name)
    answer = await platform.admin.post(
        "/api/v1/api-keys", json={"name": "web", "role": "municipality", "ags": ags}
    )
    assert answer.status_code == 201, answer.text
    key = answer.json()
    return key["key"], Principal(role=Role.MUNICIPALITY, subject=f"key:{key['id']}", ags=ags)


async def test_a_page_sees_what_the_api_shows_the_same_caller(platform: Platform) -> None:
    key, principal = await _municipality_key(platform, "Eigenstadt")
    project = await publish(platform.client(key), "Nur für uns", "private")
    path = f"/api/v1/projects/{project}"
    through_api = (await platform.client(key).get(path)).json()
    async with PageApi(platform.gateway, principal, {}) as api:
        assert await api.get(path) == through_api
    # Another caller is told what the API tells it: there is no such project.
    refused = await platform.client().get(path)
    async with PageApi(platform.gateway, ANONYMOUS, {}) as api:
        with pytest.raises(LotseError) as caught:
            await api.get(path)
    assert caught.value.status == refused.status_code == 404
    assert caught.value.problem()["detail"] == refused.json()["detail"]


async def test_the_apis_field_errors_come_back_for_the_form(platform: Platform) -> None:
    _, principal = await _municipality_key(platform, "Formstadt")
    async with PageApi(platform.gateway, principal, {}) as api:
        with pytest.raises(LotseError) as caught:
            await api.post("/api/v1/projects", {"title": "", "topics": ["no-such-topic"]})
    assert caught.value.status == 422
    messages = field_messages(caught.value)
    assert messages.get("title")


async def test_gateway_paths_answer_as_for_the_key(platform: Platform) -> None:
    _, principal = await _municipality_key(platform, "Schlüsselstadt")
    async with PageApi(platform.gateway, principal, {}) as api:
        keys = await api.get("/api/v1/api-keys", {"limit": 500})
    assert keys["items"] and all(k["ags"] == principal.ags for k in keys["items"])
    async with PageApi(platform.gateway, ANONYMOUS, {}) as api:
        with pytest.raises(LotseError) as caught:
            await api.get("/api/v1/api-keys")
    assert caught.value.status == 401


async def test_pages_ask_the_public_api_only(platform: Platform) -> None:
    async with PageApi(platform.gateway, ANONYMOUS, {}) as api:
        for path in [
            "/metrics",
            "/readyz",
            "//evil.example/api/v1/projects",
            "/api/v1/../../metrics",
            "/api/v1/projects/../../../readyz",
            "/api/v1/projects/%2e%2e/%2e%2e/%2e%2e/metrics",
            "http://evil.example/api/v1/projects",
        ]:
            with pytest.raises(ValueError):
                await api.get(path)


async def test_the_dashboard_names_the_callers_municipality(platform: Platform) -> None:
    key, _ = await _municipality_key(platform, "Dashstadt")
    browser = platform.client()
    assert (await sign_in(browser, key)).status_code == 303
    page = await browser.get("/dashboard")
    assert page.status_code == 200
    assert "Dashstadt" in page.text and "Kommune" in page.text
