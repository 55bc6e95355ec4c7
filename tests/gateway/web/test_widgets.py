"""Widgets for intranets over HTTP: the origins a key allows, what its widget pages
answer, and the API that sets them (SQLite and PostgreSQL)."""

import uuid
from typing import Any

import httpx
import pytest

from services.gateway.origins import NotAnOrigin, embed_origin
from tests.conftest import ADMIN_KEY
from tests.gateway.web.conftest import WebGateway, web_gateway

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
INTRANET = "https://intranet.example.de"


def admin(gateway: WebGateway) -> httpx.AsyncClient:
    return gateway.browser(headers=ADMIN)


async def issue(gateway: WebGateway, origins: list[str], role: str = "reader") -> dict[str, Any]:
    answer = await admin(gateway).post(
        "/api/v1/api-keys", json={"name": "Intranet", "role": role, "embed_origins": origins}
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def frame_ancestors(answer: httpx.Response) -> str:
    policy = answer.headers["content-security-policy"]
    (directive,) = [d.strip() for d in policy.split(";") if "frame-ancestors" in d]
    return directive


class TestOrigins:
    @pytest.mark.parametrize(
        ("given", "origin"),
        [
            ("https://intranet.example.de", "https://intranet.example.de"),
            ("https://Intranet.Example.DE:443", "https://intranet.example.de"),
            ("https://sharepoint.example:8443", "https://sharepoint.example:8443"),
            ("http://localhost:8080", "http://localhost:8080"),
            ("http://127.0.0.2", "http://127.0.0.2"),
            ("http://[::1]:3000", "http://[::1]:3000"),
            ("https://[2001:db8::1]", "https://[2001:db8::1]"),
            # A browser writes an IPv6 address in its short form: so must the policy.
            ("https://[2001:DB8:0:0::1]", "https://[2001:db8::1]"),
            ("http://[0:0:0:0:0:0:0:1]:3000", "http://[::1]:3000"),
        ],
    )
    def test_an_origin_is_kept_as_the_browser_sends_it(self, given: str, origin: str) -> None:
        assert embed_origin(given) == origin

    @pytest.mark.parametrize(
        "given",
        [
            "http://intranet.example.de",  # plain http only on loopback
            "http://10.0.0.5",
            "https://*.sharepoint.com",  # no wildcard: any tenant could frame it
            "https://intranet.example.de/",
            "https://intranet.example.de/path",
            "https://intranet.example.de:0",
            "https://intranet.example.de:70000",
            "https://-bad-.example.de",
            "https://a..b",
            "https://300.1.1.1",
            "https://[zz::1]",
            "ftp://intranet.example.de",
            "intranet.example.de",
            "'none'",
            "https://a.example; script-src *",
            "https://a.example\r\nX-Frame-Options: ALLOW",
            "https://" + "a" * 200 + ".de",
        ],
    )
    def test_anything_else_is_refused(self, given: str) -> None:
        with pytest.raises(NotAnOrigin):
            embed_origin(given)


class TestKeyApi:
    async def test_origins_are_set_at_issue_and_shown(self, gateway: WebGateway) -> None:
        key = await issue(gateway, [INTRANET, "https://Intranet.example.de", "http://localhost"])
        assert key["embed_origins"] == [INTRANET, "http://localhost"]  # normalised, once
        assert key["version"] == 1
        read = await admin(gateway).get(f"/api/v1/api-keys/{key['id']}")
        assert read.status_code == 200 and read.headers["etag"] == '"1"'
        assert read.json()["embed_origins"] == [INTRANET, "http://localhost"]
        listed = (await admin(gateway).get("/api/v1/api-keys", params={"limit": 500})).json()
        assert next(k for k in listed["items"] if k["id"] == key["id"])["embed_origins"] == [
            INTRANET,
            "http://localhost",
        ]

    async def test_origins_change_with_if_match(self, gateway: WebGateway) -> None:
        key = await issue(gateway, [INTRANET])
        path = f"/api/v1/api-keys/{key['id']}"
        body = {"embed_origins": ["https://wiki.example.de"]}
        missing = await admin(gateway).patch(path, json=body)
        assert missing.status_code == 428
        changed = await admin(gateway).patch(path, json=body, headers={"If-Match": '"1"'})
        assert changed.status_code == 200, changed.text
        assert changed.json()["embed_origins"] == ["https://wiki.example.de"]
        assert changed.headers["etag"] == '"2"'
        stale = await admin(gateway).patch(path, json={"name": "x"}, headers={"If-Match": '"1"'})
        assert stale.status_code == 412
        emptied = await admin(gateway).patch(
            path, json={"embed_origins": []}, headers={"If-Match": '"2"'}
        )
        assert emptied.json()["embed_origins"] == [] and emptied.json()["version"] == 3
        same = await admin(gateway).patch(
            path, json={"embed_origins": []}, headers={"If-Match": '"3"'}
        )
        assert same.json()["version"] == 3  # nothing changed, no new version

    @pytest.mark.parametrize(
        "origins",
        [
            ["http://intranet.example.de"],
            ["https://intranet.example.de/page"],
            [f"https://host{i}.example.de" for i in range(21)],
            ["https://" + "a" * 250 + ".de"],
            [42],
            "https://intranet.example.de",
            None,
        ],
    )
    async def test_bad_origins_are_refused_and_nothing_changes(
        self, gateway: WebGateway, origins: Any
    ) -> None:
        key = await issue(gateway, [INTRANET])
        path = f"/api/v1/api-keys/{key['id']}"
        refused = await admin(gateway).patch(
            path, json={"embed_origins": origins}, headers={"If-Match": '"1"'}
        )
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        if origins is not None:
            issued = await admin(gateway).post(
                "/api/v1/api-keys",
                json={"name": "x", "role": "reader", "embed_origins": origins},
            )
            assert issued.status_code == 422
        kept = (await admin(gateway).get(path)).json()
        assert kept["embed_origins"] == [INTRANET] and kept["version"] == 1

    async def test_only_who_manages_a_key_changes_it(self, gateway: WebGateway) -> None:
        key = await issue(gateway, [INTRANET], role="admin")
        coordinator, _ = await gateway.key("coordinator")
        reader, _ = await gateway.key("reader")
        path = f"/api/v1/api-keys/{key['id']}"
        body = {"embed_origins": ["https://evil.example"]}
        for secret, status in [(coordinator, 404), (reader, 403), (None, 401)]:
            headers = {"If-Match": '"1"'} | (
                {"Authorization": f"Bearer {secret}"} if secret else {}
            )
            answer = await gateway.browser().patch(path, json=body, headers=headers)
            assert answer.status_code == status, (secret, answer.text)
        assert (await admin(gateway).get(path)).json()["embed_origins"] == [INTRANET]

    async def test_a_revoked_key_is_not_changed(self, gateway: WebGateway) -> None:
        key = await issue(gateway, [INTRANET])
        path = f"/api/v1/api-keys/{key['id']}"
        assert (await admin(gateway).delete(path)).status_code == 204
        answer = await admin(gateway).patch(
            path, json={"embed_origins": []}, headers={"If-Match": '"1"'}
        )
        assert answer.status_code == 409


class TestWidgetHeaders:
    async def test_a_widget_may_be_framed_by_its_keys_origins_only(
        self, gateway: WebGateway
    ) -> None:
        mine = await issue(gateway, [INTRANET, "http://localhost:8080"])
        theirs = await issue(gateway, ["https://other.example"])
        answer = await gateway.browser().get(f"/widgets/{mine['id']}/search")
        assert answer.status_code == 200
        assert frame_ancestors(answer) == f"frame-ancestors {INTRANET} http://localhost:8080"
        assert "https://other.example" not in answer.headers["content-security-policy"]
        assert "x-frame-options" not in answer.headers
        other = await gateway.browser().get(f"/widgets/{theirs['id']}/search")
        assert frame_ancestors(other) == "frame-ancestors https://other.example"
        assert INTRANET not in other.headers["content-security-policy"]
        # The rest of the policy stays as strict as every page's.
        for directive in ["script-src 'self'", "form-action 'self'", "default-src 'none'"]:
            assert directive in answer.headers["content-security-policy"]

    async def test_a_key_without_origins_cannot_be_framed(self, gateway: WebGateway) -> None:
        key = await issue(gateway, [])
        answer = await gateway.browser().get(f"/widgets/{key['id']}/search")
        assert answer.status_code == 200
        assert frame_ancestors(answer) == "frame-ancestors 'none'"
        assert answer.headers["x-frame-options"] == "DENY"

    async def test_changed_origins_apply_to_the_next_answer(self, gateway: WebGateway) -> None:
        key = await issue(gateway, [INTRANET])
        await admin(gateway).patch(
            f"/api/v1/api-keys/{key['id']}",
            json={"embed_origins": ["https://wiki.example.de"]},
            headers={"If-Match": '"1"'},
        )
        answer = await gateway.browser().get(f"/widgets/{key['id']}/search")
        assert frame_ancestors(answer) == "frame-ancestors https://wiki.example.de"

    async def test_a_widget_is_cached_briefly_and_revalidated_with_its_policy(
        self, gateway: WebGateway
    ) -> None:
        key = await issue(gateway, [INTRANET])
        path = f"/widgets/{key['id']}/search"
        first = await gateway.browser().get(path)
        assert first.headers["cache-control"] == "public, max-age=60"
        again = await gateway.browser().get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and not again.content
        # A 304 refreshes the browser's stored headers: it must not fall back to 'none'.
        assert frame_ancestors(again) == f"frame-ancestors {INTRANET}"
        assert "x-frame-options" not in again.headers
        english = await gateway.browser().get(path, params={"lang": "en"})
        assert english.headers["etag"] != first.headers["etag"]
        assert '<html lang="en"' in english.text and "Search term" in english.text

    async def test_the_pages_of_the_app_still_refuse_every_frame(self, gateway: WebGateway) -> None:
        await issue(gateway, [INTRANET])
        for path in ["/", "/sign-in", "/api/v1/topics"]:
            answer = await gateway.browser().get(path)
            assert answer.headers["x-frame-options"] == "DENY", path
            assert "frame-ancestors 'none'" in answer.headers["content-security-policy"], path


class TestWidgetRefusals:
    async def test_a_revoked_key_has_no_widget(self, gateway: WebGateway) -> None:
        key = await issue(gateway, [INTRANET])
        assert (await admin(gateway).delete(f"/api/v1/api-keys/{key['id']}")).status_code == 204
        for widget in ["projects", "funding-calls", "search"]:
            answer = await gateway.browser().get(f"/widgets/{key['id']}/{widget}")
            assert answer.status_code == 404, widget
            assert answer.headers["content-type"].startswith("text/html")
            assert "Dieses Widget gibt es nicht" in answer.text
            assert frame_ancestors(answer) == "frame-ancestors 'none'"
            assert answer.headers["cache-control"] == "no-store"

    @pytest.mark.parametrize(
        "path",
        [
            "/widgets/0b6a1c1e-5d3f-4a8e-9c2b-7f4d1e2a3b5c/projects",  # no such key
            "/widgets/not-a-key/projects",
            "/widgets/%00/projects",
            "/widgets/%0d%0aSet-Cookie:%20x=1/search",
            "/widgets/%C3%A4%E2%80%AE/search",
            "/widgets/" + "a" * 3000 + "/search",
            "/widgets/../widgets/x/search",
        ],
    )
    async def test_bad_key_ids_are_a_small_404(self, gateway: WebGateway, path: str) -> None:
        answer = await gateway.browser().get(path)
        assert answer.status_code == 404, answer.text
        assert "set-cookie" not in answer.headers

    async def test_an_unknown_widget_is_a_404(self, gateway: WebGateway) -> None:
        key = await issue(gateway, [INTRANET])
        for widget in ["feed", "%00", "search%0a", "PROJECTS"]:
            answer = await gateway.browser().get(f"/widgets/{key['id']}/{widget}")
            assert answer.status_code == 404, widget

    async def test_a_search_too_long_is_refused_at_the_field(self, gateway: WebGateway) -> None:
        key = await issue(gateway, [INTRANET])
        path = f"/widgets/{key['id']}/search"
        answer = await gateway.browser().get(path, params={"q": "x" * 201})
        assert answer.status_code == 400
        assert 'aria-invalid="true"' in answer.text and "höchstens 200 Zeichen" in answer.text
        assert frame_ancestors(answer) == f"frame-ancestors {INTRANET}"

    async def test_control_characters_in_a_search_are_refused(self, gateway: WebGateway) -> None:
        key = await issue(gateway, [INTRANET])
        path = f"/widgets/{key['id']}/search"
        for query in ["Bauantrag\x00", "a\x1bb", "a\x7fb"]:
            answer = await gateway.browser().get(path, params={"q": query})
            assert answer.status_code == 400, query  # the door refuses them, as for the API
            assert "\x00" not in answer.text and "\x1b" not in answer.text

    async def test_a_service_away_is_said_in_the_frame(self, gateway: WebGateway) -> None:
        # This gateway runs alone: the projects service does not answer.
        key = await issue(gateway, [INTRANET])
        answer = await gateway.browser().get(f"/widgets/{key['id']}/projects")
        assert answer.status_code == 503
        assert "gerade nicht erreichbar" in answer.text
        assert frame_ancestors(answer) == f"frame-ancestors {INTRANET}"


async def test_widgets_are_rate_limited_by_address(tmp_path: Any) -> None:
    async with web_gateway(
        "sqlite", tmp_path, anonymous_rate_limit_per_minute=1, anonymous_rate_limit_burst=2
    ) as gateway:
        key = await issue(gateway, [INTRANET])  # the admin's first call costs one too
        answers = [await gateway.browser().get(f"/widgets/{key['id']}/search") for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 429, 429]
        assert int(answers[1].headers["retry-after"]) > 0
        assert "Zu viele Aufrufe" in answers[1].text
        # The refusal still shows in the intranet's frame.
        assert frame_ancestors(answers[1]) == f"frame-ancestors {INTRANET}"
        # Guessed ids pay from the same budget.
        guessed = await gateway.browser().get(f"/widgets/{uuid.uuid4()}/search")
        assert guessed.status_code == 404


class TestEmbedScript:
    async def test_any_site_may_load_the_snippet_script(self, gateway: WebGateway) -> None:
        answer = await gateway.browser().get("/widgets/embed.js")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/javascript")
        assert answer.headers["cross-origin-resource-policy"] == "cross-origin"
        assert "max-age" in answer.headers["cache-control"]
        again = await gateway.browser().get(
            "/widgets/embed.js", headers={"If-None-Match": answer.headers["etag"]}
        )
        assert again.status_code == 304
