"""The funding service refuses the development link secret outside dev."""

import pytest
from pydantic import ValidationError

from services.funding.settings import Settings
from tests.conftest import SECRET


def test_outside_dev_the_link_secret_must_be_set() -> None:
    with pytest.raises(ValidationError, match="LOTSE_FUNDING_LINK_SECRET"):
        Settings(LOTSE_ENV="production", LOTSE_INTERNAL_TOKEN_SECRET=SECRET)
    Settings(
        LOTSE_ENV="production",
        LOTSE_INTERNAL_TOKEN_SECRET=SECRET,
        link_secret="a-link-secret-of-the-operators-0123456789",
    )


def test_allowed_webhook_networks_are_read_comma_separated() -> None:
    settings = Settings(LOTSE_WEBHOOK_ALLOWED_CIDRS="10.20.0.0/16, fd00:1::/64")
    assert [str(n) for n in settings.policy().allowed_networks] == ["10.20.0.0/16", "fd00:1::/64"]
