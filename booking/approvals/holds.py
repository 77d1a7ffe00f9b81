"""Tentative holds lapse back to pending when their time is up.

A periodic job sweeps them; a new request that finds one in its way sweeps it, and every change
of an existing booking sweeps first, in a transaction of its own (`bookings/changing.py`), so an
expired hold never blocks anybody, whether or not a worker runs.
"""

from __future__ import annotations

from datetime import datetime

from piccolo.engine.base import Engine

from booking.bookings import transitions
from booking.bookings.records import load_record
from booking.core.errors import StaleVersion
from booking.core.workflow import Action, Status, hold_has_lapsed
from booking.db import bookings
from booking.db.transactions import in_writing_transaction


async def lapse_expired_holds(now: datetime) -> int:
    """Inside the caller's writing transaction: every expired hold goes back to pending."""
    lapsed = 0
    for row in await bookings.expired_holds(now):
        record = await load_record(row["id"])
        if record is None or not hold_has_lapsed(record.state, now):
            continue
        try:
            await transitions.apply(
                record,
                None,
                now,
                action=Action.HOLD_LAPSED,
                to=Status.PENDING,
                values={"hold_until": None},
                slots_to=Status.PENDING,
                comment="the hold expired",
            )
        except StaleVersion:
            continue
        lapsed += 1
    return lapsed


async def sweep_expired_holds(engine: Engine, now: datetime) -> int:
    return await in_writing_transaction(engine, lambda: lapse_expired_holds(now))
