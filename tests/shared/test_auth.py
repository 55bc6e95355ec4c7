"""The internal token: only what the gateway signed, and only while it is fresh."""

import time

import jwt
import pytest

from shared.kit.auth import (
    AUDIENCE,
    ISSUER,
    Principal,
    Role,
    sign_internal_token,
    verify_internal_token,
)
from shared.kit.http import Unauthorized

SECRET = "a-secret-of-at-least-thirty-two-characters"


def test_a_signed_principal_comes_back_intact() -> None:
    principal = Principal(role=Role.MUNICIPALITY, subject="key:1", ags="06534014")
    assert verify_internal_token(sign_internal_token(principal, SECRET), SECRET) == principal


@pytest.mark.parametrize(
    "token",
    [
        sign_internal_token(
            Principal(role=Role.ADMIN, subject="x"), "another-secret-of-32-characters!!"
        ),
        jwt.encode(
            {
                "iss": ISSUER,
                "aud": AUDIENCE,
                "sub": "x",
                "role": "admin",
                "iat": int(time.time()) - 120,
                "exp": int(time.time()) - 60,
            },
            SECRET,
        ),
        jwt.encode(
            {
                "iss": ISSUER,
                "aud": AUDIENCE,
                "sub": "x",
                "role": "emperor",
                "iat": int(time.time()),
                "exp": int(time.time()) + 60,
            },
            SECRET,
        ),
        jwt.encode(
            {
                "iss": ISSUER,
                "aud": AUDIENCE,
                "sub": "x",
                "role": "admin",
                "iat": int(time.time()),
                "exp": int(time.time()) + 60,
            },
            SECRET,
            algorithm="HS384",
        ),
        "not-a-token",
    ],
    ids=["wrong-secret", "expired", "unknown-role", "other-algorithm", "garbage"],
)
def test_anything_else_is_refused(token: str) -> None:
    with pytest.raises(Unauthorized):
        verify_internal_token(token, SECRET)
