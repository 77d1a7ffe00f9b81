"""Password hashing with argon2id.

Hashing is deliberately slow (tens of milliseconds of CPU), so it runs in a worker thread and
never stalls the event loop that serves everyone else.
"""

from __future__ import annotations

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from booking.core.messages import Message

_hasher = PasswordHasher()

MIN_LENGTH = 10
MAX_LENGTH = 256

# Checked against when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
_UNKNOWN_USER_HASH = _hasher.hash("no user has this password, it only spends the same time")


def hash_password_now(password: str) -> str:
    return _hasher.hash(password)


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _UNKNOWN_USER_HASH, password) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """True if `password` matches; an unknown user (None) costs the same and fails."""
    return await anyio.to_thread.run_sync(_verify, stored_hash or "", password)


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def password_problem(password: str) -> Message | None:
    if len(password) < MIN_LENGTH:
        return Message("password.too_short", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return Message("password.too_long", n=MAX_LENGTH)
    return None
