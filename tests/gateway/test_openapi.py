"""The merged OpenAPI document is valid OpenAPI 3.1 and states the rules the server enforces."""

from typing import Any

import jsonschema
from openapi_spec_validator import validate

from tests.conftest import Platform, new_ags

METHODS = ("get", "put", "post", "patch", "delete")


async def _document(platform: Platform) -> dict[str, Any]:
    response = await platform.client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


async def test_the_merged_document_is_valid_openapi_3_1(platform: Platform) -> None:
    document = await _document(platform)
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema


async def test_every_problem_is_documented_as_problem_json(platform: Platform) -> None:
    document = await _document(platform)
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, method, operation in _operations(document):
        label = f"{method.upper()} {path}"
        for status, answer in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert answer["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, f"{label} {status}"
        if path.startswith("/api/"):
            assert "401" in operation["responses"], label  # any call with a revoked key
        # Any request: a header or query string that is not plain text, malformed JSON,
        # a bad cursor.
        assert "400" in operation["responses"], label
        if method == "patch":
            if_match = next(p for p in operation["parameters"] if p["name"].lower() == "if-match")
            assert if_match["in"] == "header"
            assert if_match["required"] is True
            assert {"412", "428"} <= set(operation["responses"]), label


async def test_schemas_state_the_rules_the_server_enforces(platform: Platform) -> None:
    """What the document's schemas refuse, the server refuses, and the other way round."""
    document = await _document(platform)

    def allowed(schema: str, body: dict[str, Any]) -> bool:
        root = {"$ref": f"#/components/schemas/{schema}", "components": document["components"]}
        return jsonschema.Draft202012Validator(root).is_valid(body)

    ags = await platform.municipality()
    keys = {
        "municipality key with its ags": ({"name": "k", "role": "municipality", "ags": ags}, 201),
        "municipality key without ags": ({"name": "k", "role": "municipality"}, 422),
        "reader key with an ags": ({"name": "k", "role": "reader", "ags": ags}, 422),
        "reader key": ({"name": "k", "role": "reader"}, 201),
    }
    for case, (body, status) in keys.items():
        response = await platform.admin.post("/api/v1/api-keys", json=body)
        assert response.status_code == status, (case, response.text)
        assert allowed("ApiKeyCreate", body) is (status == 201), case

    for land, status in (("00", 422), ("17", 422), ("06", 201), ("16", 201)):
        body = {"ags": land + new_ags()[2:], "name": "Teststadt", "kind": "stadt"}
        response = await platform.admin.post("/api/v1/municipalities", json=body)
        assert response.status_code == status, (land, response.text)
        assert allowed("MunicipalityCreate", body) is (status == 201), land

    client = platform.client(await platform.key("municipality", ags))
    project = (
        await client.post("/api/v1/projects", json={"title": "T", "topics": ["energy"]})
    ).json()
    for change, status in (({"title": None}, 422), ({"value_proposition": None}, 200)):
        current = await client.get(f"/api/v1/projects/{project['id']}")
        response = await client.patch(
            f"/api/v1/projects/{project['id']}",
            json=change,
            headers={"If-Match": current.headers["etag"]},
        )
        assert response.status_code == status, (change, response.text)
        assert allowed("ProjectUpdate", change) is (status == 200), change

    municipality_ags = document["components"]["schemas"]["ProjectCreate"]["properties"][
        "municipality_ags"
    ]
    # Which caller must name it is no JSON Schema matter: the description says so.
    assert "coordinator" in municipality_ags["description"]


async def test_feeds_declare_only_the_media_types_they_send(platform: Platform) -> None:
    document = await _document(platform)
    feeds = {
        path: operation["responses"]["200"]["content"]
        for path, method, operation in _operations(document)
        if method == "get" and path.endswith((".atom", ".ics"))
    }
    assert any(path.endswith("/calls.atom") for path in feeds), sorted(feeds)
    assert any(path.endswith("/deadlines.ics") for path in feeds), sorted(feeds)
    for path, content in feeds.items():
        assert "application/json" not in content, path
        assert len(content) == 1, (path, content)
