"""The merged OpenAPI document tells the truth to an anonymous caller, on SQLite.

Schemathesis fuzzes the gateway with it (tests/gateway/fuzzing.py). Each caller is fuzzed
once and each database once, in a file of its own so that the two runs go side by side.
"""

from pathlib import Path

import pytest

from tests.gateway.fuzzing import fuzz_new_platform

pytestmark = pytest.mark.long  # minutes: started first (tests/conftest.py)


# Every operation twice or thrice, 15 examples each: minutes on 2 busy cores, bounded.
@pytest.mark.timeout(900)
async def test_the_api_does_what_its_document_says(tmp_path: Path) -> None:
    failures = await fuzz_new_platform("sqlite", "anonymous", tmp_path)
    assert not failures, failures
