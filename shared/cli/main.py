"""The `lotse` command: run the platform, load the demo region, issue keys, replay events.

`lotse up` runs every service of the registry as its own process next to the embedded
broker; `lotse seed` and `lotse keys` talk to the public API like any client, so the
rules stay in the services.
"""

import argparse
import json
import os
from pathlib import Path

from shared.cli.keys import create_key
from shared.cli.replay import replay_topic
from shared.cli.seed import DEMO_DIR, seed_demo_region
from shared.cli.up import run_platform
from shared.kit.settings import DEV_ADMIN_KEY
from shared.registry import GATEWAY


def _up(args: argparse.Namespace) -> int:
    return run_platform(host=args.host, broker_port=args.broker_port, seed=args.seed)


def _seed(args: argparse.Namespace) -> int:
    data_dir = Path(os.environ.get("LOTSE_DATA_DIR", "data"))
    keys = seed_demo_region(args.url, args.admin_key, data_dir, demo_dir=args.demo_dir)
    print(json.dumps(keys, indent=2))
    return 0


def _keys_create(args: argparse.Namespace) -> int:
    key = create_key(
        url=args.url, admin_key=args.admin_key, name=args.name, role=args.role, ags=args.ags
    )
    if key is None:
        return 1
    print(key)
    return 0


def _replay(args: argparse.Namespace) -> int:
    count = replay_topic(bootstrap=args.bootstrap, topic=args.topic, to=args.to)
    print(f"Replayed {count} events from {args.topic}.")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="lotse", description=__doc__.splitlines()[0])
    sub = root.add_subparsers(dest="command", required=True)

    p_up = sub.add_parser("up", help="start the whole platform")
    p_up.add_argument("--seed", action="store_true", help="load the demo region on first start")
    p_up.add_argument("--host", default="127.0.0.1")
    p_up.add_argument(
        "--broker-port",
        type=int,
        default=int(os.environ.get("LOTSE_BROKER_PORT", "9092")),
        help="the embedded broker's port (LOTSE_BROKER_PORT, default 9092)",
    )
    p_up.set_defaults(run=_up)

    admin_key = os.environ.get("LOTSE_ADMIN_KEY") or os.environ.get(
        "LOTSE_BOOTSTRAP_ADMIN_KEY", DEV_ADMIN_KEY
    )
    p_seed = sub.add_parser("seed", help="load the demo region through the API")
    p_seed.add_argument("--url", default=GATEWAY.url(), help="the gateway (LOTSE_GATEWAY_PORT)")
    p_seed.add_argument("--admin-key", default=admin_key)
    p_seed.add_argument(
        "--demo-dir", type=Path, default=DEMO_DIR, help="folder of the demo data files"
    )
    p_seed.set_defaults(run=_seed)

    p_keys = sub.add_parser("keys", help="manage API keys")
    keys_sub = p_keys.add_subparsers(dest="keys_command", required=True)
    p_create = keys_sub.add_parser("create", help="issue a key and print it")
    p_create.add_argument(
        "--role", required=True, choices=["admin", "coordinator", "municipality", "reader"]
    )
    p_create.add_argument("--ags", help="the municipality of a municipality key")
    p_create.add_argument("--name", default="issued with lotse keys create")
    p_create.add_argument("--url", default=GATEWAY.url(), help="the gateway (LOTSE_GATEWAY_PORT)")
    p_create.add_argument("--admin-key", default=admin_key)
    p_create.set_defaults(run=_keys_create)

    p_replay = sub.add_parser(
        "replay", help="publish a topic's events again, e.g. a DLQ back to its topic"
    )
    p_replay.add_argument("topic", help="e.g. lotse.projects.dlq")
    p_replay.add_argument("--to", help="target topic; default: where each event came from")
    p_replay.add_argument(
        "--bootstrap", default=os.environ.get("LOTSE_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    )
    p_replay.set_defaults(run=_replay)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))
