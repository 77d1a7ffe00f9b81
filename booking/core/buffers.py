"""A booking's own setup and teardown, set by its rooms' managers instead of the rooms' own.

Every slot's blocked span is recomputed. The dates must stay apart (as they are, and as a change
waiting for approval would make them), and the slots that hold their rooms must be free of the
other bookings there with their new spans.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from booking.core.booking import Booking
from booking.core.changes import changed_fields
from booking.core.conflicts import Placement
from booking.core.errors import FieldProblem, RuleViolation, TransitionNotAllowed
from booking.core.events import Action
from booking.core.messages import Message
from booking.core.rooms import MAX_BUFFER, RoomFacts, buffer_of, minutes_of
from booking.core.series import check_dates_apart
from booking.core.timespan import TimeSpan
from booking.core.transitions import Decided, change
from booking.core.workflow import FINAL, HOLDING, PROPOSED, STATUS_NAMES

MAX_MINUTES = int(MAX_BUFFER.total_seconds() // 60)


def check_buffers(setup_minutes: int | None, teardown_minutes: int | None, reason: str) -> None:
    """Each buffer within bounds, and a reason given."""
    problems = [
        FieldProblem(name, Message("buffers.range", most=MAX_MINUTES))
        for name, minutes in (
            ("setup_minutes", setup_minutes),
            ("teardown_minutes", teardown_minutes),
        )
        if minutes is not None and not 0 <= minutes <= MAX_MINUTES
    ]
    if not reason.strip():
        problems.append(FieldProblem("reason", Message("buffers.say_why")))
    if problems:
        raise RuleViolation(problems)


def decide_buffers(
    booking: Booking,
    rooms: Mapping[int, RoomFacts],
    setup_minutes: int | None,
    teardown_minutes: int | None,
    reason: str,
) -> Decided:
    """The booking with these buffers (None: the room's own), `rooms` being every room of its
    slots, current and proposed."""
    if booking.status in FINAL:
        status = STATUS_NAMES[booking.status]
        raise TransitionNotAllowed(Message("buffers.nothing_to_prepare", status=status))
    setup, teardown = buffer_of(setup_minutes), buffer_of(teardown_minutes)
    buffered = replace(booking, setup_override=setup, teardown_override=teardown)
    replaced = booking.replaced_by_change()
    updated: list[tuple[int, TimeSpan]] = []
    holding: list[Placement] = []
    current: list[Placement] = []  # the dates as they are
    approved_change: list[Placement] = []  # once a change waiting for approval is approved
    for slot in [*booking.live, *booking.proposed]:
        placement = buffered.placement_in(rooms[slot.room_id], slot.meeting)
        updated.append((slot.id, placement.blocked))
        if slot.status != PROPOSED:
            current.append(placement)
        if slot.id not in replaced:
            approved_change.append(placement)
        if slot.status in HOLDING:
            holding.append(placement)
    check_dates_apart(current, field="setup_minutes")
    check_dates_apart(approved_change, field="setup_minutes")
    before = {
        "setup_minutes": minutes_of(booking.setup_override),
        "teardown_minutes": minutes_of(booking.teardown_override),
    }
    after = {"setup_minutes": setup_minutes, "teardown_minutes": teardown_minutes}
    changed = change(
        booking,
        Action.BUFFERS_CHANGED,
        values={"setup_override": setup, "teardown_override": teardown},
        blocked=updated,
        comment=reason,
        changes=changed_fields(before, after),
    )
    return Decided(changed, sorted({p.room_id for p in holding}), holding)
