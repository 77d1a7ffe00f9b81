"""Slowing down password guessing, per account and per client address.

Each attempt is counted before its password is checked, with an atomic increment, so parallel
guesses cannot slip past the count. Past ACCOUNT_LIMIT attempts for one e-mail address within
WINDOW, or ADDRESS_LIMIT failed ones from one client address, further attempts are refused
until the window ends, even with the right password, so guessing gains nothing. A successful
sign-in clears the account's count and does not count against the address.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import timedelta

from litestar.stores.base import Store
from litestar.stores.redis import RedisStore

from booking.accounts.credentials import digest

WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 10
ADDRESS_LIMIT = 50

# Stores without an atomic increment (files, for the embedded service) are counted under a
# lock per key; that serialises the attempts of one process, which is all such a service runs
# for sign-ins that matter.
_local_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many failed sign-ins; try again later")
        self.retry_after = retry_after  # seconds


def _account_key(email: str) -> str:
    return f"account:{digest(email.strip().lower())}"


def _address_key(address: str) -> str:
    return f"address:{digest(address)}"


async def _add(store: Store, key: str, amount: int) -> int:
    """Add `amount` to the count at `key`, starting a WINDOW-long count if there is none."""
    if isinstance(store, RedisStore):
        redis = store._redis
        full_key = store._make_key(key)
        async with redis.pipeline(transaction=True) as pipe:
            pipe.incrby(full_key, amount)
            pipe.expire(full_key, int(WINDOW.total_seconds()), nx=True)
            count, _ = await pipe.execute()
        return int(count)
    async with _local_locks[key]:
        raw = await store.get(key)
        count = (int(raw) if raw is not None else 0) + amount
        remaining = await store.expires_in(key) if raw is not None else None
        await store.set(key, str(count), expires_in=remaining or WINDOW)
        return count


async def _refuse(store: Store, key: str) -> None:
    remaining = await store.expires_in(key)
    raise Throttled(retry_after=max(1, remaining or int(WINDOW.total_seconds())))


async def count_attempt(store: Store, email: str, address: str) -> None:
    """Count one attempt; refuse it if the account or the address is over its limit."""
    address_key = _address_key(address)
    raw = await store.get(address_key)
    if raw is not None and int(raw) >= ADDRESS_LIMIT:
        await _refuse(store, address_key)
    account_key = _account_key(email)
    if await _add(store, account_key, 1) > ACCOUNT_LIMIT:
        await _refuse(store, account_key)
    await _add(store, address_key, 1)


async def record_success(store: Store, email: str, address: str) -> None:
    await store.delete(_account_key(email))
    await _add(store, _address_key(address), -1)
