"""API key format and hashing: `lotse_<prefix>_<secret>`, stored as SHA-256 only."""

import hashlib
import secrets

KEY_START = "lotse_"


def new_key() -> tuple[str, str]:
    """A fresh key and its display prefix."""
    prefix = secrets.token_hex(4)
    key = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
    return key, display_prefix(key)


def key_hash(key: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough: no dictionary to guess from.
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    """What a listing shows of a key; for keys not made by new_key, its first 10 characters."""
    if key.startswith(KEY_START):
        return key[: len(KEY_START) + 8]
    return key[:10]
