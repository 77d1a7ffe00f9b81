""" "Forgot my password": an e-mail with a link to set a new one, to the account that has the
address given, if there is one.

Whoever asks is told the same whether the address has an account or not, so that asking cannot
be used to learn who has one: the throttle counts both alike, and the answer goes out before
the account is even looked for (`send_link` runs after it), so it does not take longer for an
address that has one.
"""

from __future__ import annotations

import logging
from datetime import datetime

from litestar.stores.base import Store
from piccolo.engine.base import Engine

from booking.accounts import throttle
from booking.accounts.links import write_link
from booking.core.account_links import Purpose
from booking.db import accounts, commits
from booking.db.transactions import in_writing_transaction

log = logging.getLogger("booking.accounts")


async def count_request(throttle_store: Store, email: str, client: str) -> None:
    """Count the request; Throttled past the limits per address and per client
    (throttle.RESET_REQUESTS)."""
    await throttle.count_attempt(throttle_store, email, client, throttle.RESET_REQUESTS)


async def send_link(
    engine: Engine, email: str, secret_key: str, domain: str, now: datetime
) -> bool:
    """Write a reset link and its e-mail for the active account with the address `email`, if
    there is one; returns whether there was."""
    found = await accounts.user_by_email(email)
    if found is None or not found[0].active:
        return False
    user = found[0]
    _, written = await in_writing_transaction(
        engine, lambda: write_link(user, Purpose.RESET, secret_key, domain, now)
    )
    commits.announce(engine, written)
    return True


async def send_link_after_answer(
    engine: Engine, email: str, secret_key: str, domain: str, now: datetime
) -> None:
    """send_link, run once the answer has gone: a failure (the database busy) can only be
    logged; whoever asked may ask again."""
    try:
        await send_link(engine, email, secret_key, domain, now)
    except Exception:
        log.exception("a password reset link could not be written")
