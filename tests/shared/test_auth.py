"""The internal token: only what the gateway signed, and only while it is fresh."""

import time

import jwt
import pytest

from shared.cli.up import platform_env
from shared.kit.auth import (
    AUDIENCE,
    ISSUER,
    Principal,
    Role,
    sign_internal_token,
    verify_internal_token,
)
from shared.kit.http import Unauthorized

# 48 bytes: HS384 (the "other algorithm" below) wants a key at least as long as its hash.
SECRET = "a-secret-of-at-least-forty-eight-characters-0123"


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


def _claims(**changes: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "key:1",
        "role": "municipality",
        "ags": "06534014",
        "iat": now,
        "exp": now + 60,
    }
    return claims | changes


@pytest.mark.parametrize(
    "changes",
    [
        {"ags": ["06534014"]},  # a list where an AGS belongs
        {"ags": {"in": "x"}},
        {"ags": 6534014},  # a number
        {"ags": "0653401"},
        {"sub": 5},
        {"sub": ""},
        {"exp": "9999999999"},  # a string where a time belongs
        {"exp": 10**30},  # valid for ever
        {"exp": int(time.time()) + 3600},  # longer than the gateway ever signs
    ],
)
def test_a_token_signed_with_the_secret_but_not_shaped_by_the_gateway_is_refused(
    changes: dict[str, object],
) -> None:
    # As if the secret had leaked: the signature checks out, the claims must still.
    token = jwt.encode(_claims(**changes), SECRET, algorithm="HS256")
    with pytest.raises(Unauthorized):
        verify_internal_token(token, SECRET)


def test_lotse_up_gives_every_run_a_secret_of_its_own() -> None:
    first = platform_env({}, bootstrap="127.0.0.1:9092", host="127.0.0.1")
    second = platform_env({}, bootstrap="127.0.0.1:9092", host="127.0.0.1")
    assert first["LOTSE_INTERNAL_TOKEN_SECRET"] != second["LOTSE_INTERNAL_TOKEN_SECRET"]
    assert len(first["LOTSE_INTERNAL_TOKEN_SECRET"]) >= 32
    chosen = platform_env(
        {"LOTSE_INTERNAL_TOKEN_SECRET": SECRET}, bootstrap="127.0.0.1:9092", host="127.0.0.1"
    )
    assert chosen["LOTSE_INTERNAL_TOKEN_SECRET"] == SECRET
