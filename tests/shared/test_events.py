"""CloudEvents in Kafka binary mode and the registry of event types."""

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import get_args

import pytest
import yaml

from shared.contracts import REGISTRY
from shared.contracts.asyncapi import asyncapi_document
from shared.contracts.gateway import MunicipalityCreated, MunicipalitySnapshot
from shared.kit.events import CloudEvent, InvalidEvent, decode, encode
from shared.region.topics import TOPICS, Topic

Headers = list[tuple[str, bytes]]  # a Kafka record's headers, as encode() makes them
SNAPSHOT = MunicipalitySnapshot(
    ags="06534014",
    name="Marburg",
    kind="stadt",
    land="Hessen",
    population=77000,
    version=1,
    updated_at=datetime(2026, 11, 1, tzinfo=UTC),
)


def test_event_round_trips_through_kafka_headers() -> None:
    event = CloudEvent.of(
        MunicipalityCreated(municipality=SNAPSHOT),
        source="/lotse/gateway",
        subject="06534014",
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    )
    key, value, headers = encode(event)
    names = dict(headers)
    assert key == b"06534014"
    assert names["ce_specversion"] == b"1.0"
    assert names["ce_type"] == b"de.lotse.municipality.created.v1"
    assert names["ce_source"] == b"/lotse/gateway"
    assert names["content-type"] == b"application/json"
    assert uuid.UUID(names["ce_id"].decode())
    assert names["traceparent"].startswith(b"00-0af7")
    back = decode(headers, value, REGISTRY)
    assert back.id == event.id
    assert back.data == event.data


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (
            lambda h, v: ([(k, b"9.9" if k == "ce_specversion" else x) for k, x in h], v),
            "specversion",
        ),
        (
            lambda h, v: ([(k, b"de.lotse.nothing.v1" if k == "ce_type" else x) for k, x in h], v),
            "unknown event type",
        ),
        (lambda h, v: (h, b'{"municipality": {"ags": "1"}}'), "payload does not match"),
        (lambda h, v: ([(k, x) for k, x in h if k != "ce_id"], v), "missing"),
    ],
    ids=["specversion", "unknown-type", "invalid-payload", "missing-id"],
)
def test_records_we_cannot_read_say_why(
    mutate: Callable[[Headers, bytes], tuple[Headers, bytes]], reason: str
) -> None:
    event = CloudEvent.of(
        MunicipalityCreated(municipality=SNAPSHOT), source="/lotse/gateway", subject="x"
    )
    _, value, headers = encode(event)
    bad_headers, bad_value = mutate(headers, value)
    with pytest.raises(InvalidEvent, match=reason):
        decode(bad_headers, bad_value, REGISTRY)


def test_every_event_type_exports_a_json_schema() -> None:
    schemas = REGISTRY.json_schemas()
    assert "de.lotse.project.created.v1" in schemas
    assert "de.lotse.municipality.created.v1" in schemas
    for name, schema in schemas.items():
        assert schema["type"] == "object", name
        json.dumps(schema)


def test_asyncapi_document_is_up_to_date() -> None:
    checked_in = yaml.safe_load(Path("docs/asyncapi.yaml").read_text())
    assert checked_in == asyncapi_document(), "run `make asyncapi` and commit docs/asyncapi.yaml"


def test_topic_type_matches_the_vocabulary() -> None:
    assert set(get_args(Topic)) == set(TOPICS)
