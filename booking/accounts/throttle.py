"""Slowing down password guessing, per account and per client address.

After ACCOUNT_LIMIT failed sign-ins for one e-mail address within WINDOW, or ADDRESS_LIMIT from
one client address, further attempts are refused until the window ends, even with the right
password, so guessing gains nothing. A successful sign-in clears the account's count.
"""

from __future__ import annotations

from datetime import timedelta

from litestar.stores.base import Store

from booking.accounts.credentials import digest

WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 10
ADDRESS_LIMIT = 50


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("too many failed sign-ins; try again later")
        self.retry_after = retry_after  # seconds


def _keys(email: str, address: str) -> tuple[tuple[str, int], ...]:
    return (
        (f"account:{digest(email.strip().lower())}", ACCOUNT_LIMIT),
        (f"address:{digest(address)}", ADDRESS_LIMIT),
    )


async def check(store: Store, email: str, address: str) -> None:
    for key, limit in _keys(email, address):
        raw = await store.get(key)
        if raw is not None and int(raw) >= limit:
            remaining = await store.expires_in(key)
            raise Throttled(retry_after=max(1, remaining or int(WINDOW.total_seconds())))


async def record_failure(store: Store, email: str, address: str) -> None:
    for key, _ in _keys(email, address):
        raw = await store.get(key)
        count = int(raw) + 1 if raw is not None else 1
        # The window runs from the first failure: later failures keep its end.
        remaining = await store.expires_in(key) if raw is not None else None
        await store.set(key, str(count), expires_in=remaining or WINDOW)


async def record_success(store: Store, email: str) -> None:
    await store.delete(f"account:{digest(email.strip().lower())}")
