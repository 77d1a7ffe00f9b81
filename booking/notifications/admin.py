"""Use cases of the administrators' view of the outbox: what failed and why, retry, discard."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from piccolo.engine.base import Engine

from booking.core.errors import NotFound, refused
from booking.core.messages import Message
from booking.db import commits, outbox
from booking.db.transactions import in_writing_transaction


async def listed(
    statuses: Sequence[str], booking_id: int | None, limit: int, offset: int
) -> list[outbox.StoredMessage]:
    return await outbox.listed(statuses, booking_id, limit, offset)


async def counts() -> dict[str, int]:
    """How many messages are in each state (every state, none left out)."""
    found = await outbox.counts()
    return {state.value: found.get(state.value, 0) for state in outbox.Delivery}


async def one(message_id: int) -> outbox.StoredMessage:
    found = await outbox.message(message_id)
    if found is None:
        raise NotFound("notification")
    return found


async def retry(engine: Engine, message_id: int, now: datetime) -> outbox.StoredMessage:
    """A failed message tried again now, with its attempts counted afresh."""
    await one(message_id)
    retried = await in_writing_transaction(
        engine, lambda: outbox.retry(message_id, now), single_statement=True
    )
    if retried is None:
        raise refused("status", Message("notification.only_failed_retried"))
    commits.announce(engine, [outbox.Due(retried.id, retried.attempts, retried.due_at)])
    return retried


async def discard(engine: Engine, message_id: int, reason: str) -> outbox.StoredMessage:
    """A failed or pending message given up, with the reason."""
    await one(message_id)
    if not reason.strip():
        raise refused("reason", Message("notification.say_why_discarded"))
    discarded = await in_writing_transaction(
        engine, lambda: outbox.discard(message_id, reason.strip()), single_statement=True
    )
    if discarded is None:
        raise refused("status", Message("notification.only_failed_or_pending_discarded"))
    return discarded
