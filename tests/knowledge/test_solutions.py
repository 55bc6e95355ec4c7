"""The solution catalogue as municipalities and coordinators use it, through the gateway."""

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.knowledge import domain
from services.knowledge.publiccode import import_publiccode
from tests.conftest import Platform, eventually

DATA = Path(__file__).parent / "data" / "publiccode"
YAML = {"Content-Type": "application/yaml"}

SOLUTION: dict[str, Any] = {
    "name": "Ratsfenster",
    "short_description": "Sitzungen, Vorlagen und Beschlüsse des Gemeinderats online.",
    "long_description": "Ein Ratsinformationssystem mit OParl-Schnittstelle.",
    "topics": ["participation", "administration"],
    "leika_refs": [{"ozg_id": "10405"}],
    "license": "EUPL-1.2",
    "maturity": "stable",
    "software_type": "standalone/web",
    "maintenance_type": "community",
    "contacts": [{"name": "Erika Mustermann", "email": "erika@teststadt.example"}],
    "repository_url": "https://example.org/ratsfenster.git",
}


class TestPublishing:
    async def test_municipality_publishes_and_everyone_reads(self, platform: Platform) -> None:
        ags = await platform.municipality()
        client = platform.client(await platform.key("municipality", ags))
        created = await client.post("/api/v1/solutions", json=SOLUTION)
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["owner_ags"], body["provider_ags"]) == (ags, ags)
        assert body["license"] == "EUPL-1.2" and body["status"] == "active"
        assert created.headers["etag"] == '"1"'
        read = await platform.client().get(created.headers["location"])
        assert read.status_code == 200
        assert read.json()["name"] == "Ratsfenster"

    async def test_a_license_that_is_not_spdx_is_refused_naming_the_field(
        self, platform: Platform
    ) -> None:
        client = platform.client(await platform.key("coordinator"))
        response = await client.post("/api/v1/solutions", json=SOLUTION | {"license": "EUPL-9"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "license"
        assert "EUPL-9" in response.json()["errors"][0]["message"]

    async def test_short_description_over_150_characters_is_refused(
        self, platform: Platform
    ) -> None:
        client = platform.client(await platform.key("coordinator"))
        response = await client.post(
            "/api/v1/solutions", json=SOLUTION | {"short_description": "x" * 151}
        )
        assert response.status_code == 422
        assert "short_description" in response.text

    async def test_readers_cannot_publish_and_municipalities_only_as_themselves(
        self, platform: Platform
    ) -> None:
        mine, theirs = await platform.municipality(), await platform.municipality()
        reader = platform.client(await platform.key("reader"))
        assert (await reader.post("/api/v1/solutions", json=SOLUTION)).status_code == 403
        client = platform.client(await platform.key("municipality", mine))
        other = await client.post("/api/v1/solutions", json=SOLUTION | {"provider_ags": theirs})
        assert other.status_code == 403
        assert other.json()["errors"][0]["field"] == "provider_ags"

    async def test_a_retry_with_the_same_key_publishes_once(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        headers = {"Idempotency-Key": "ratsfenster-1"}
        first = await client.post("/api/v1/solutions", json=SOLUTION, headers=headers)
        again = await client.post("/api/v1/solutions", json=SOLUTION, headers=headers)
        assert again.json()["id"] == first.json()["id"]
        assert again.headers["idempotent-replayed"] == "true"


class TestEditing:
    async def test_only_the_publisher_or_a_coordinator_edits(self, platform: Platform) -> None:
        owner, neighbour = await platform.municipality(), await platform.municipality()
        owner_client = platform.client(await platform.key("municipality", owner))
        created = (await owner_client.post("/api/v1/solutions", json=SOLUTION)).json()
        url = f"/api/v1/solutions/{created['id']}"
        stranger = platform.client(await platform.key("municipality", neighbour))
        refused = await stranger.patch(url, json={"maturity": "beta"}, headers={"If-Match": '"1"'})
        assert refused.status_code == 403
        changed = await owner_client.patch(
            url, json={"maturity": "beta"}, headers={"If-Match": '"1"'}
        )
        assert changed.status_code == 200 and changed.json()["maturity"] == "beta"
        coordinator = platform.client(await platform.key("coordinator"))
        stale = await coordinator.patch(url, json={"name": "X"}, headers={"If-Match": '"1"'})
        assert stale.status_code == 412
        fresh = await coordinator.patch(url, json={"name": "Rats"}, headers={"If-Match": '"2"'})
        assert fresh.status_code == 200 and fresh.json()["version"] == 3

    async def test_a_retired_solution_stays_readable_but_leaves_the_list(
        self, platform: Platform
    ) -> None:
        client = platform.client(await platform.key("coordinator"))
        created = (await client.post("/api/v1/solutions", json=SOLUTION)).json()
        url = f"/api/v1/solutions/{created['id']}"
        retired = await client.delete(url)
        assert retired.status_code == 200 and retired.json()["status"] == "retired"
        assert (await client.get(url)).json()["status"] == "retired"
        active = (await client.get("/api/v1/solutions", params={"limit": 200})).json()
        assert created["id"] not in {s["id"] for s in active["items"]}
        listed = await client.get("/api/v1/solutions", params={"status": "retired", "limit": 200})
        assert created["id"] in {s["id"] for s in listed.json()["items"]}
        frozen = await client.patch(url, json={"name": "Neu"}, headers={"If-Match": '"2"'})
        assert frozen.status_code == 409

    async def test_changes_reach_the_topic_as_events(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        created = (await client.post("/api/v1/solutions", json=SOLUTION)).json()
        url = f"/api/v1/solutions/{created['id']}"
        await client.patch(url, json={"maturity": "beta"}, headers={"If-Match": '"1"'})
        await client.delete(url)

        async def events() -> list[dict[str, Any]]:
            feed = (await client.get("/api/v1/feed", params={"limit": 200})).json()["items"]
            mine = [e for e in feed if e["subject"] == created["id"]]
            return mine if len(mine) == 3 else []

        entries = list(reversed(await eventually(events)))
        assert [e["type"] for e in entries] == [
            "de.lotse.solution.published.v1",
            "de.lotse.solution.updated.v1",
            "de.lotse.solution.retired.v1",
        ]
        assert entries[1]["data"]["changed"] == ["maturity"]


class TestPubliccodeImport:
    async def test_a_complete_file_imports_and_exports_every_field(
        self, platform: Platform
    ) -> None:
        client = platform.client(await platform.key("coordinator"))
        original = (DATA / "valid" / "ratsinfo_full.yml").read_bytes()
        imported = await client.post("/api/v1/solutions/import", content=original, headers=YAML)
        assert imported.status_code == 201, imported.text
        body = imported.json()
        assert body["warnings"] == []
        assert body["solution"]["name"] == "Ratsfenster"
        assert body["solution"]["leika_refs"] == [{"leika_id": "99006024000000", "ozg_id": "10405"}]
        exported = await client.get(f"/api/v1/solutions/{body['solution']['id']}/publiccode.yml")
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("application/yaml")
        again = import_publiccode(exported.content)
        assert again.ok and again.errors == [], again.errors
        assert again.solution == import_publiccode(original).solution
        assert yaml.safe_load(exported.text)["publiccodeYmlVersion"] == "0"

    async def test_a_solution_entered_through_the_api_exports_a_valid_file(
        self, platform: Platform
    ) -> None:
        client = platform.client(await platform.key("coordinator"))
        created = (await client.post("/api/v1/solutions", json=SOLUTION)).json()
        exported = await client.get(f"/api/v1/solutions/{created['id']}/publiccode.yml")
        result = import_publiccode(exported.content)
        assert result.ok and result.errors == [], result.errors
        assert result.solution is not None
        assert result.solution.name == "Ratsfenster" and result.solution.license == "EUPL-1.2"
        assert result.solution.ozg_refs == ["10405"]
        assert result.solution.topics == ["participation", "administration"]

    async def test_edits_through_the_api_show_in_the_export(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        original = (DATA / "valid" / "ratsinfo_full.yml").read_bytes()
        imported = (
            await client.post("/api/v1/solutions/import", content=original, headers=YAML)
        ).json()
        url = f"/api/v1/solutions/{imported['solution']['id']}"
        await client.patch(
            url, json={"maturity": "beta", "cost_notes": "frei"}, headers={"If-Match": '"1"'}
        )
        exported = yaml.safe_load((await client.get(url + "/publiccode.yml")).text)
        assert exported["developmentStatus"] == "beta"
        assert exported["DE"]["kosten"] == "frei"
        # What the API has no field for is kept from the file.
        before = yaml.safe_load(original)
        assert exported["platforms"] == before["platforms"]
        assert exported["categories"] == before["categories"]

    async def test_older_versions_and_sloppy_files_import_with_warnings(
        self, platform: Platform
    ) -> None:
        client = platform.client(await platform.key("coordinator"))
        for name in ("valid/termin_v02_lowercase_it.yml", "nonconforming/fachverfahren_sloppy.yml"):
            response = await client.post(
                "/api/v1/solutions/import", content=(DATA / name).read_bytes(), headers=YAML
            )
            assert response.status_code == 201, (name, response.text)
            warnings = response.json()["warnings"]
            assert warnings, name
            assert all(w["field"] and w["message"] for w in warnings)

    async def test_unknown_keys_are_warnings_that_name_key_and_line(
        self, platform: Platform
    ) -> None:
        client = platform.client(await platform.key("coordinator"))
        text = (DATA / "valid" / "ratsinfo_full.yml").read_text() + "erfundenesFeld: 1\n"
        response = await client.post("/api/v1/solutions/import", content=text, headers=YAML)
        assert response.status_code == 201
        (warning,) = [w for w in response.json()["warnings"] if w["field"] == "erfundenesFeld"]
        assert warning["line"] == len(text.splitlines())

    async def test_a_bad_spdx_id_is_refused_naming_key_and_line(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        body = (DATA / "refused" / "bad_license.yml").read_bytes()
        response = await client.post("/api/v1/solutions/import", content=body, headers=YAML)
        assert response.status_code == 422
        assert response.json()["type"].endswith("publiccode-invalid")
        (error,) = [e for e in response.json()["errors"] if e["field"] == "legal.license"]
        line = next(i for i, text in enumerate(body.decode().splitlines(), 1) if "license:" in text)
        assert error["line"] == line

    async def test_bad_yaml_a_bomb_and_a_latin1_file_are_refused_and_change_nothing(
        self, platform: Platform
    ) -> None:
        client = platform.client(await platform.key("coordinator"))
        before = (await client.get("/api/v1/solutions")).json()["total"]
        for name, says in (
            ("not_yaml.yml", "not valid YAML"),
            ("billion_laughs.yml", "YAML bomb"),
            ("latin1.yml", "UTF-8"),
            ("no_name.yml", "name"),
        ):
            body = (DATA / "refused" / name).read_bytes()
            response = await client.post("/api/v1/solutions/import", content=body, headers=YAML)
            assert response.status_code == 422, (name, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert says in response.text, (name, response.text)
        assert (await client.get("/api/v1/solutions")).json()["total"] == before

    async def test_an_oversized_file_is_refused_at_the_gateway(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        body = b"name: x\n" + b"# " + b"x" * (256 * 1024) + b"\n"
        response = await client.post("/api/v1/solutions/import", content=body, headers=YAML)
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"

    async def test_only_yaml_is_accepted(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        body = (DATA / "valid" / "ratsinfo_full.yml").read_bytes()
        response = await client.post(
            "/api/v1/solutions/import", content=body, headers={"Content-Type": "text/plain"}
        )
        assert response.status_code == 415


class TestImportReview:
    """The security review's findings on the import and on POST/PATCH."""

    async def test_a_nul_character_is_a_422_naming_key_and_line(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        text = (DATA / "valid" / "ratsinfo_full.yml").read_text()
        text = text.replace("name: Ratsfenster", 'name: "Quok\\x00ka"', 1)
        response = await client.post("/api/v1/solutions/import", content=text, headers=YAML)
        assert response.status_code == 422, response.text
        assert response.json()["type"].endswith("publiccode-invalid")
        line = next(i for i, row in enumerate(text.splitlines(), 1) if "Quok" in row)
        assert response.json()["errors"] == [
            {"field": "name", "message": "text may not contain control characters (U+0000)",
             "line": line}
        ]  # fmt: skip

    async def test_control_characters_are_refused_by_post_and_patch_naming_the_field(
        self, platform: Platform
    ) -> None:
        client = platform.client(await platform.key("coordinator"))
        contacts = [{"name": "Erika\x07", "email": "erika@teststadt.example"}]
        response = await client.post("/api/v1/solutions", json=SOLUTION | {"contacts": contacts})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "contacts"
        assert "[0].name" in response.json()["errors"][0]["message"]
        created = (await client.post("/api/v1/solutions", json=SOLUTION)).json()
        response = await client.patch(
            f"/api/v1/solutions/{created['id']}",
            json={"name": "Rats\x00fenster"},
            headers={"If-Match": '"1"'},
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "name"

    async def test_license_refs_are_kept_and_a_bad_one_is_named(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        response = await client.post(
            "/api/v1/solutions", json=SOLUTION | {"license": "MIT OR LicenseRef-Foo"}
        )
        assert response.status_code == 201, response.text
        assert response.json()["license"] == "MIT OR LicenseRef-Foo"
        response = await client.post(
            "/api/v1/solutions", json=SOLUTION | {"license": "MIT OR LicenseRef-Foo_Bar"}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "license"
        text = (DATA / "valid" / "ratsinfo_full.yml").read_text()
        text = text.replace("EUPL-1.2 OR AGPL-3.0-or-later", "LicenseRef-Proprietary")
        response = await client.post("/api/v1/solutions/import", content=text, headers=YAML)
        assert response.status_code == 201, response.text
        assert response.json()["solution"]["license"] == "LicenseRef-Proprietary"

    async def test_warnings_name_the_entry_and_are_capped(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        text = (DATA / "valid" / "ratsinfo_full.yml").read_text()
        wrong_email = text.replace("erika.mustermann@lra-musterhausen.example", "nein")
        response = await client.post("/api/v1/solutions/import", content=wrong_email, headers=YAML)
        (warning,) = response.json()["warnings"]
        assert warning["field"] == "maintenance.contacts[0].email"
        line = next(i for i, row in enumerate(wrong_email.splitlines(), 1) if "nein" in row)
        assert warning["line"] == line
        many = text.replace(
            "  - document-management\n", "".join(f"  - erfunden{i}\n" for i in range(150))
        )
        response = await client.post("/api/v1/solutions/import", content=many, headers=YAML)
        assert response.status_code == 201, response.text
        warnings = response.json()["warnings"]
        assert len(warnings) == 101
        assert warnings[-1] == {"field": "(root)", "line": None, "message": "and 50 more warnings"}

    async def test_a_coded_body_or_another_charset_is_a_415(self, platform: Platform) -> None:
        client = platform.client(await platform.key("coordinator"))
        body = (DATA / "valid" / "ratsinfo_full.yml").read_bytes()
        before = (await client.get("/api/v1/solutions")).json()["total"]
        for headers in (
            YAML | {"Content-Encoding": "gzip"},
            {"Content-Type": "application/yaml; charset=latin-1"},
        ):
            response = await client.post("/api/v1/solutions/import", content=body, headers=headers)
            assert response.status_code == 415, (headers, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        # The kit refuses a content coding on every body, JSON as well.
        response = await client.post(
            "/api/v1/solutions", json=SOLUTION, headers={"Content-Encoding": "br"}
        )
        assert response.status_code == 415
        assert (await client.get("/api/v1/solutions")).json()["total"] == before
        utf8 = {"Content-Type": "application/yaml; charset=UTF-8"}
        response = await client.post("/api/v1/solutions/import", content=body, headers=utf8)
        assert response.status_code == 201

    async def test_the_file_is_read_off_the_event_loop(
        self, platform: Platform, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        client = platform.client(await platform.key("coordinator"))
        on_loop: list[bool] = []
        read = domain.read_publiccode

        def watched(body: bytes) -> Any:
            try:
                asyncio.get_running_loop()
                on_loop.append(True)
            except RuntimeError:  # no loop in this thread: a worker's
                on_loop.append(False)
            return read(body)

        monkeypatch.setattr(domain, "read_publiccode", watched)
        body = (DATA / "valid" / "ratsinfo_full.yml").read_bytes()
        response = await client.post("/api/v1/solutions/import", content=body, headers=YAML)
        assert response.status_code == 201
        assert on_loop == [False]
