"""Slowing down password guessing, per account and per client address.

Each attempt is counted before its password is checked, and the count it makes is the one
compared with the limit, so parallel guesses cannot slip past it. Past ACCOUNT_LIMIT attempts
for one e-mail address within WINDOW, or ADDRESS_LIMIT failed ones from one client address,
further attempts are refused until the window ends, even with the right password, so guessing
gains nothing. A successful sign-in clears the account's count and does not count against the
address.

Requests for a password-reset e-mail are counted the same way, apart from sign-ins and with
lower limits (RESET_REQUESTS): each one sends an e-mail, and the limits keep the service from
being made to flood someone's mailbox. They are counted for addresses with and without an
account alike, so the limits say nothing of which addresses have one.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.redis import RedisStore

from booking.accounts.credentials import digest

WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 10
ADDRESS_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Limits:
    """What is counted (its keys' prefix) and how many attempts are let through within WINDOW,
    per e-mail address and per client address."""

    prefix: str
    per_account: int
    per_address: int


SIGN_IN = Limits("", ACCOUNT_LIMIT, ADDRESS_LIMIT)
RESET_REQUESTS = Limits("reset:", 5, 20)

# Redis increments atomically. Other stores are read, changed and written back under a lock:
# one for the coroutines of this process, and for files a lock file for the other processes
# of the machine, which share the store.
_process_lock = asyncio.Lock()


@contextlib.asynccontextmanager
async def _counting(store: Store) -> AsyncIterator[None]:
    async with _process_lock:
        if not isinstance(store, FileStore):
            yield
            return
        folder = os.fspath(store.path)
        descriptor = os.open(f"{folder}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            await asyncio.to_thread(fcntl.flock, descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # which releases the lock


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many failed sign-ins; try again later")
        self.retry_after = retry_after  # seconds


def _account_key(email: str, limits: Limits = SIGN_IN) -> str:
    return f"{limits.prefix}account:{digest(email.strip().lower())}"


def _address_key(address: str, limits: Limits = SIGN_IN) -> str:
    return f"{limits.prefix}address:{digest(address)}"


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
    async with _counting(store):
        raw = await store.get(key)
        count = (int(raw) if raw is not None else 0) + amount
        remaining = await store.expires_in(key) if raw is not None else None
        await store.set(key, str(count), expires_in=remaining or WINDOW)
        return count


async def _refuse(store: Store, key: str) -> None:
    remaining = await store.expires_in(key)
    raise Throttled(retry_after=max(1, remaining or int(WINDOW.total_seconds())))


async def count_attempt(store: Store, email: str, address: str, limits: Limits = SIGN_IN) -> None:
    """Count one attempt; refuse it if the account or the address is over its limit."""
    address_key = _address_key(address, limits)
    if await _add(store, address_key, 1) > limits.per_address:
        await _refuse(store, address_key)
    account_key = _account_key(email, limits)
    if await _add(store, account_key, 1) > limits.per_account:
        await _refuse(store, account_key)


async def record_success(store: Store, email: str, address: str) -> None:
    await forget_failures(store, email)
    await _add(store, _address_key(address), -1)


async def forget_failures(store: Store, email: str) -> None:
    """The account's failed sign-ins are forgotten: its owner has just proved who they are
    another way (a password set through an e-mailed link)."""
    await store.delete(_account_key(email))
