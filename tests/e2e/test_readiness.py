"""Ready means ready: consumers caught up, and a just-registered municipality can publish."""

from functools import partial
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from services.projects.app import create_app as create_projects
from services.projects.models import KnownMunicipality
from services.projects.settings import Settings as ProjectsSettings
from shared.cli.broker import EmbeddedBroker, free_port
from shared.contracts import REGISTRY
from shared.contracts.topics import GATEWAY
from shared.kit.bus import EventBus, OutgoingRecord
from shared.kit.events import encode
from tests.conftest import (
    BACKENDS,
    SECRET,
    database_url,
    eventually,
    new_ags,
    running_platform,
    serve,
)
from tests.shared.test_bus import municipality_event

pytestmark = pytest.mark.long  # minutes: started first (tests/conftest.py)


async def is_ready(url: str) -> bool:
    async with httpx.AsyncClient(timeout=5) as client:
        return (await client.get(f"{url}/readyz")).status_code == 200


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_municipality_registered_right_after_start_publishes_at_once(
    backend: str, tmp_path: Path
) -> None:
    async with running_platform(backend, tmp_path) as platform:
        for url in (platform.gateway_url, platform.projects_url):  # as an orchestrator waits
            await eventually(partial(is_ready, url))
        for number in range(3):
            ags = new_ags()
            registered = await platform.admin.post(
                "/api/v1/municipalities",
                json={"ags": ags, "name": f"Neu {number}", "kind": "gemeinde"},
            )
            assert registered.status_code == 201, registered.text
            key = await platform.key("municipality", ags)
            published = await platform.client(key).post(
                "/api/v1/projects",
                json={"title": "Gleich nach der Anmeldung", "topics": ["energy"]},
            )
            assert published.status_code == 201, published.text
        # An AGS the gateway never registered is still refused (after the bounded wait).
        coordinator = platform.client(await platform.key("coordinator"))
        unknown = await coordinator.post(
            "/api/v1/projects",
            json={"title": "Niemandes", "topics": ["energy"], "municipality_ags": new_ags()},
        )
        assert unknown.status_code == 422
        assert unknown.json()["type"].endswith("unknown-municipality")


@pytest.mark.parametrize("backend", BACKENDS)
async def test_readyz_is_503_until_the_consumers_have_caught_up(
    backend: str, tmp_path: Path
) -> None:
    broker = EmbeddedBroker(free_port())
    broker.start()
    publisher = EventBus(broker.bootstrap, client_id="test", events=REGISTRY)
    try:
        # What the gateway announced before the projects service (re)starts.
        count = 3000
        records = []
        for number in range(count):
            key, value, headers = encode(municipality_event(f"06{500000 + number:06d}"))
            records.append(OutgoingRecord(GATEWAY, key, value, headers))
        assert not [r for r in await publisher.send(records) if isinstance(r, BaseException)]

        async with database_url(backend, tmp_path) as url:
            projects = create_projects(
                ProjectsSettings(
                    database_url=url,
                    LOTSE_KAFKA_BOOTSTRAP=broker.bootstrap,
                    LOTSE_INTERNAL_TOKEN_SECRET=SECRET,
                    LOTSE_KAFKA_SESSION_TIMEOUT_MS=2000,
                )
            )
            port = free_port()
            async with serve(projects, port), httpx.AsyncClient(timeout=5) as client:
                answers: list[int] = []

                async def known() -> int:
                    async with projects.state.runtime.db.session() as session:
                        return int(
                            await session.scalar(
                                select(func.count()).select_from(KnownMunicipality)
                            )
                            or 0
                        )

                async def ready_and_caught_up() -> bool:
                    response = await client.get(f"http://127.0.0.1:{port}/readyz")
                    answers.append(response.status_code)
                    if response.status_code == 200:
                        # Ready only once everything the topic held at start is applied.
                        assert await known() == count
                        return True
                    assert response.json()["checks"]["consumers"] == "catching up"
                    return False

                await eventually(ready_and_caught_up, within=60)
                assert answers[0] == 503
    finally:
        await publisher.stop()
        broker.stop()
