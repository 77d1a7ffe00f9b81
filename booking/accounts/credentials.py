"""Random credentials (session ids, CSRF and API tokens) and the digests we store instead."""

from __future__ import annotations

import hashlib
import hmac
import secrets

API_TOKEN_PREFIX = "upt_"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """SHA-256 is enough here: the secrets are 256 random bits, not guessable passwords."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
