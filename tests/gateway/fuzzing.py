"""Schemathesis against the gateway's merged OpenAPI document, for the fuzzing tests.

A client generated from the document must not be surprised: no server errors, and every
status code, content type, response body and declared header as documented. Bounded
and derandomized, so it fails the same way every time.
"""

import asyncio
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import Platform, running_platform

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES = 15  # per operation and generation mode


def _kind(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return ", ".join(sorted({type(e).__name__ for e in exc.exceptions}))
    return type(exc).__name__


# An operation of any OpenAPI schema; the test reads its parameters only by name.
Operation = schemathesis.APIOperation[Any, Any, Any, Any]


def _fuzz_operation(
    operation: Operation,
    mode: GenerationMode,
    base_url: str,
    headers: dict[str, str],
    failures: dict[str, str],
    path_parameters: dict[str, str] | None = None,
) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
    label = f"{operation.label} [{mode.value}{' on existing' if path_parameters else ''}]"

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        # No shrinking: a failure is recorded, not raised, so the run stays bounded.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case[Operation]) -> None:
        try:
            case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup is a Base one
            failures.setdefault(f"{label}: {_kind(exc)}", str(exc))

    try:
        run()
    except Unsatisfiable:  # nothing to negate, e.g. an operation without parameters
        assert mode is GenerationMode.NEGATIVE, operation.label


def fuzz(
    document: dict[str, Any], base_url: str, headers: dict[str, str], existing: dict[str, str]
) -> dict[str, str]:
    """Every operation with valid and with invalid data, and with valid data on `existing`
    resources (random ids find nothing); what failed, once per kind."""
    schema = schemathesis.openapi.from_dict(document)
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz_operation(operation, mode, base_url, headers, failures)
        names = {p.name for p in operation.path_parameters}
        if names and names <= existing.keys():
            known = {name: existing[name] for name in names}
            _fuzz_operation(operation, GenerationMode.POSITIVE, base_url, headers, failures, known)
    return failures


async def fuzz_new_platform(backend: str, role: str, tmp: Path) -> str:
    """Start a platform on `backend` and fuzz it as `role`; the failures, empty if none."""
    # No webhook leaves the machine: generated URLs name hosts anywhere.
    async with running_platform(backend, tmp, webhook_deliverer_enabled=False) as platform:
        return await fuzz_platform(platform, role)


async def fuzz_platform(platform: Platform, role: str) -> str:
    """Fuzz a running platform as `role` (anonymous or municipality), with a project, a
    municipality, a spare key, a webhook and one of its deliveries to find; the failures
    as one report, empty if none."""
    ags = await platform.municipality()
    key = await platform.key("municipality", ags)
    municipality = platform.client(key)
    headers = {"Authorization": f"Bearer {key}"} if role == "municipality" else {}
    project = {"title": "Glasfaser", "topics": ["broadband"], "visibility": "public"}
    created = await municipality.post("/api/v1/projects", json=project)
    await platform.key("municipality", ags)
    keys = (await municipality.get("/api/v1/api-keys")).json()["items"]
    hook = {"url": "https://hooks.example/lotse", "event_types": ["de.lotse.project.created.v1"]}
    webhook = await municipality.post("/api/v1/webhooks", json=hook)
    ping = await municipality.post(f"/api/v1/webhooks/{webhook.json()['id']}/ping")
    existing = {
        "ags": ags,
        "project_id": created.json()["id"],
        # another key of the municipality: revoking it leaves the caller's key working
        "key_id": next(k["id"] for k in keys if not key.startswith(k["prefix"])),
        "webhook_id": webhook.json()["id"],
        "delivery_id": ping.json()["id"],
    }
    document = (await platform.client().get("/api/v1/openapi.json")).json()
    # The servers run in this event loop; schemathesis' blocking client runs beside it.
    failures = await asyncio.to_thread(fuzz, document, platform.gateway_url, headers, existing)
    return "\n\n".join(f"{k}\n{v}" for k, v in sorted(failures.items()))
