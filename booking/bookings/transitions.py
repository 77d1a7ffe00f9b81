"""Applying a transition: the new state, the slots' states, the version and the audit row,
all in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from booking.accounts.authentication import CurrentUser
from booking.bookings.records import BookingRecord
from booking.core.errors import StaleVersion
from booking.core.workflow import FINAL, LIVE, Action, Status
from booking.db import audit, bookings

# Occurrence states that a final decision ends: every live date, whatever its own state; not a
# proposed change's, and not those of dates cancelled or rejected on their own.
LIVE_SLOT_STATES = tuple(sorted(s.value for s in LIVE))
SYSTEM = "system"


def all_tiers_done(record: BookingRecord) -> dict[str, Any]:
    """What a request stores when it becomes approved: every tier done, no hold."""
    return {"tiers_done": len(record.state.required_tiers), "hold_until": None}


async def apply(
    record: BookingRecord,
    by: CurrentUser | None,
    now: datetime,
    *,
    action: Action,
    to: Status | None = None,
    values: dict[str, Any] | None = None,
    slots_to: str | None = None,
    comment: str = "",
    changes: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Write the transition if the booking is still at the version it was read at; returns the
    new version.

    `slots_to` moves the slots that follow the request's state to that state as well: those in
    the request's own state, so a date approved on its own stays approved when a hold ends or is
    released; a final state (rejected, cancelled) takes every live date with it."""
    new_status = to or record.status
    stored = {"status": new_status.value, **(values or {})}
    if not await bookings.update_booking(record.id, record.row["version"], stored, now):
        raise StaleVersion(current=None)
    if slots_to is not None:
        following = LIVE_SLOT_STATES if new_status in FINAL else (record.status.value,)
        await bookings.set_occurrence_status(record.id, following, slots_to)
    version: int = record.row["version"] + 1
    await audit.record(
        audit.Entry(
            booking_id=record.id,
            actor_id=by.id if by else None,
            actor_name=by.display_name if by else SYSTEM,
            at=now,
            action=action.value,
            from_status=record.status.value,
            to_status=new_status.value,
            version=version,
            comment=comment,
            changes=changes or {},
            details=details or {},
        )
    )
    return version
