"""The AsyncAPI document of every Lotse event, generated from the contract registry.

`python -m shared.contracts.asyncapi > docs/asyncapi.yaml` (or `make asyncapi`) writes it; a test
checks that the committed file matches the contracts.
"""

import sys
from typing import Any

import yaml

from shared.contracts import REGISTRY

HEADERS_SCHEMA = {
    "type": "object",
    "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject"],
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "format": "uuid"},
        "ce_source": {"type": "string", "examples": ["/lotse/projects"]},
        "ce_type": {"type": "string"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_subject": {"type": "string", "description": "the aggregate id; also the record key"},
        "content-type": {"type": "string", "const": "application/json"},
        "traceparent": {"type": "string", "description": "W3C trace context"},
    },
}


def asyncapi_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for model in REGISTRY:
        name, topic = model.event_type, model.topic
        message_id = name.replace(".", "_")
        messages[message_id] = {
            "name": name,
            "title": model.__name__,
            "contentType": "application/json",
            "headers": HEADERS_SCHEMA,
            "payload": model.model_json_schema(mode="serialization"),
        }
        channel_id = topic.replace(".", "_")
        channel = channels.setdefault(
            channel_id,
            {
                "address": topic,
                "description": f"events of {topic}, keyed by aggregate id",
                "messages": {},
            },
        )
        channel["messages"][message_id] = {"$ref": f"#/components/messages/{message_id}"}
    for channel_id, channel in channels.items():
        operations[f"publish_{channel_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [
                {"$ref": f"#/channels/{channel_id}/messages/{m}"} for m in channel["messages"]
            ],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Lotse events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 in Kafka binary mode. Each event carries the "
            "full public snapshot of its aggregate after the change.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


if __name__ == "__main__":
    yaml.safe_dump(asyncapi_document(), sys.stdout, sort_keys=False, allow_unicode=True)
