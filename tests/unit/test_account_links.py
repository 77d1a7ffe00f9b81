"""Account links: when one may be used, and the secret derived from its row."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from booking.core.account_links import LIFETIME, AccountLink, Purpose, State, link_secret

KEY = "a secret key that is long enough for the service"
MADE = datetime(2027, 1, 20, 12, 0, 0, 123456, tzinfo=UTC)


def _link(**changes: object) -> AccountLink:
    values: dict[str, object] = {
        "id": 7,
        "user_id": 3,
        "purpose": Purpose.RESET,
        "created_at": MADE,
        "expires_at": MADE + LIFETIME[Purpose.RESET],
        "used_at": None,
        "revoked_at": None,
    } | changes
    return AccountLink(**values)  # type: ignore[arg-type]


def test_the_lifetimes() -> None:
    assert LIFETIME[Purpose.RESET] == timedelta(minutes=60)
    assert LIFETIME[Purpose.INVITATION] == timedelta(days=7)


@pytest.mark.parametrize(
    ("changes", "at", "state"),
    [
        ({}, MADE, State.USABLE),
        ({}, MADE + timedelta(minutes=59, seconds=59), State.USABLE),
        ({}, MADE + timedelta(minutes=60), State.EXPIRED),
        ({"used_at": MADE}, MADE, State.USED),
        ({"revoked_at": MADE}, MADE, State.REVOKED),
        # Used, then its time ran out: it says it was used.
        ({"used_at": MADE}, MADE + timedelta(days=1), State.USED),
        ({"revoked_at": MADE}, MADE + timedelta(days=1), State.REVOKED),
    ],
)
def test_a_link_is_usable_once_within_its_time(changes, at, state) -> None:
    assert _link(**changes).state(at) is state


def test_the_secret_is_the_same_from_the_same_row() -> None:
    secret = link_secret(KEY, 7, MADE)
    assert secret == link_secret(KEY, 7, MADE)
    # The same instant in another zone, or read back without a zone (SQLite keeps UTC).
    assert secret == link_secret(KEY, 7, MADE.astimezone(timezone(timedelta(hours=2))))
    assert secret == link_secret(KEY, 7, MADE.replace(tzinfo=None))
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)


def test_the_secret_differs_by_row_and_by_key() -> None:
    secret = link_secret(KEY, 7, MADE)
    assert secret != link_secret(KEY, 8, MADE)
    assert secret != link_secret(KEY, 7, MADE + timedelta(microseconds=1))
    assert secret != link_secret(KEY + "!", 7, MADE)
