"""Decisions on one date of a request: cancel it, approve it, refuse it.

A date is every live occurrence of the request on that local day (one per room). Approving a
date makes it hold its rooms at once, so its slots are what the unit of work checks; the other
two free them. When no date is left waiting, the request follows (core.transitions.dates_decided).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from booking.core.booking import Booking, Slot
from booking.core.errors import TransitionNotAllowed, refused
from booking.core.events import Action
from booking.core.messages import Message
from booking.core.transitions import Decided, dates_decided
from booking.core.workflow import (
    Status,
    approval_step,
    check_can_reject,
    check_not_ended,
    check_not_final,
)


def check_date_not_over(slots: Sequence[Slot], now: datetime) -> None:
    if max(o.meeting.end for o in slots) <= now:
        raise refused("occurrence", Message("dates.over"))


def _ids(slots: Sequence[Slot]) -> frozenset[int]:
    return frozenset(o.id for o in slots)


def decide_date_cancel(
    booking: Booking, occurrence_id: int, comment: str, now: datetime
) -> Decided:
    """Cancel one date (every room that day); cancelling the last live date cancels the
    request."""
    check_not_final(booking.state)
    day, slots = booking.date_of(occurrence_id)
    check_date_not_over(slots, now)
    ids = _ids(slots)
    if ids & booking.replaced_by_change():
        raise TransitionNotAllowed(Message("dates.change_waiting"))
    cancelled = dates_decided(
        booking,
        Action.DATE_CANCELLED,
        ids,
        Status.CANCELLED,
        comment=comment,
        details={"date": day.isoformat(), "occurrences": sorted(ids)},
    )
    return Decided(cancelled)


def decide_date_approval(
    booking: Booking, occurrence_id: int, comment: str, now: datetime
) -> Decided:
    """Approve one date of a request waiting for its last tier; it holds its rooms at once."""
    step = approval_step(booking.state)
    check_not_ended(booking.state, now)
    if not step.final or booking.change_pending:
        raise TransitionNotAllowed(Message("dates.decided_at_last_tier", step=step.describe()))
    day, slots = booking.date_of(occurrence_id)
    if any(o.status == Status.APPROVED for o in slots):
        raise TransitionNotAllowed(Message("dates.already_approved", day=day))
    if min(o.meeting.start for o in slots) <= now:
        raise refused("occurrence", Message("dates.begun"))
    approved = dates_decided(
        booking,
        Action.DATE_APPROVED,
        _ids(slots),
        Status.APPROVED,
        comment=comment,
        details={"date": day.isoformat(), "tier": step.tier.value},
    )
    wanted = [o.placement for o in slots]
    return Decided(approved, [p.room_id for p in wanted], wanted)


def decide_date_rejection(booking: Booking, occurrence_id: int, comment: str) -> Decided:
    """Refuse one date of a request waiting for a decision; refusing the last one rejects the
    request."""
    tier = check_can_reject(booking.state)
    if booking.change_pending:
        raise TransitionNotAllowed(Message("dates.reject_change_as_whole"))
    day, slots = booking.date_of(occurrence_id)
    if any(o.status == Status.APPROVED for o in slots):
        raise TransitionNotAllowed(Message("dates.approved_cancel_instead", day=day))
    rejected = dates_decided(
        booking,
        Action.DATE_REJECTED,
        _ids(slots),
        Status.REJECTED,
        comment=comment,
        details={"date": day.isoformat(), "tier": tier.value},
    )
    return Decided(rejected)
