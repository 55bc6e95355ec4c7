"""The merged OpenAPI document tells the truth to a municipality's key, on PostgreSQL.

Schemathesis fuzzes the gateway with it (tests/gateway/fuzzing.py). Each caller is fuzzed
once and each database once, in a file of its own so that the two runs go side by side.
"""

from pathlib import Path

import pytest

from tests.conftest import running_platform
from tests.gateway.fuzzing import fuzz_platform

# schemathesis' own strategies draw from `random`, which Hypothesis warns about; not ours.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")


async def test_the_api_does_what_its_document_says(tmp_path: Path) -> None:
    async with running_platform("postgres", tmp_path) as platform:
        failures = await fuzz_platform(platform, "municipality")
    assert not failures, failures
