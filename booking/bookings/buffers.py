"""An approver's own setup and teardown for one request, instead of the rooms' defaults."""

from __future__ import annotations

from datetime import datetime, timedelta

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.bookings.commands import SetBuffers
from booking.bookings.unit_of_work import Outcome, UnitOfWork, change_booking
from booking.core.access import manages
from booking.core.booking import Booking
from booking.core.conflicts import Placement
from booking.core.errors import FieldProblem, Forbidden, RuleViolation, TransitionNotAllowed
from booking.core.events import Action
from booking.core.messages import Message
from booking.core.rooms import MAX_BUFFER
from booking.core.series import check_dates_apart
from booking.core.timespan import TimeSpan, blocked_span
from booking.core.transitions import change
from booking.core.workflow import FINAL, HOLDING, PROPOSED, STATUS_NAMES
from booking.db import catalogue

MAX_MINUTES = int(MAX_BUFFER.total_seconds() // 60)


def _check(command: SetBuffers) -> None:
    problems = [
        FieldProblem(name, Message("buffers.range", most=MAX_MINUTES))
        for name, minutes in (
            ("setup_minutes", command.setup_minutes),
            ("teardown_minutes", command.teardown_minutes),
        )
        if minutes is not None and not 0 <= minutes <= MAX_MINUTES
    ]
    if not command.comment.strip():
        problems.append(FieldProblem("reason", Message("buffers.say_why")))
    if problems:
        raise RuleViolation(problems)


def _check_manager(user: CurrentUser, booking: Booking) -> None:
    # The buffers apply to the rooms held now and to those of a change waiting for approval.
    if not (manages(user.actor, booking.held_facts) and manages(user.actor, booking.facts)):
        raise Forbidden(Message("buffers.only_managers"))


def _minutes(value: int | None) -> timedelta | None:
    return None if value is None else timedelta(minutes=value)


async def set_buffers(
    engine: Engine, user: CurrentUser, booking_id: int, command: SetBuffers, now: datetime
) -> Outcome:
    """Every date's blocked span recomputed with the new buffers and checked against the other
    bookings of its room; the reason (the command's comment) goes into the audit trail."""
    _check(command)
    setup, teardown = _minutes(command.setup_minutes), _minutes(command.teardown_minutes)

    async def buffers(unit: UnitOfWork, booking: Booking) -> None:
        if booking.status in FINAL:
            status = STATUS_NAMES[booking.status]
            raise TransitionNotAllowed(Message("buffers.nothing_to_prepare", status=status))
        slots = [*booking.live, *booking.proposed]
        rooms = await catalogue.rooms_by_id({o.room_id for o in slots})
        replaced = booking.replaced_by_change()
        updated: list[tuple[int, TimeSpan]] = []
        holding: list[Placement] = []
        current: list[Placement] = []  # the dates as they are
        approved_change: list[Placement] = []  # once a change waiting for approval is approved
        for slot in slots:
            room = rooms[slot.room_id]
            blocked = blocked_span(
                slot.meeting,
                room.setup if setup is None else setup,
                room.teardown if teardown is None else teardown,
            )
            updated.append((slot.id, blocked))
            placement = Placement(slot.room_id, slot.meeting, blocked)
            if slot.status != PROPOSED:
                current.append(placement)
            if slot.id not in replaced:
                approved_change.append(placement)
            if slot.status in HOLDING:
                holding.append(placement)
        check_dates_apart(current, field="setup_minutes")
        check_dates_apart(approved_change, field="setup_minutes")
        if holding:
            await unit.lock_rooms([p.room_id for p in holding])
            await unit.check_free(holding, booking.fields.expected_attendance, booking_id)
        before = {
            "setup_minutes": _whole_minutes(booking.setup_override),
            "teardown_minutes": _whole_minutes(booking.teardown_override),
        }
        after = {
            "setup_minutes": command.setup_minutes,
            "teardown_minutes": command.teardown_minutes,
        }
        changed = change(
            booking,
            Action.BUFFERS_CHANGED,
            values={"setup_override": setup, "teardown_override": teardown},
            blocked=updated,
            comment=command.comment.strip(),
            changes={k: [before[k], v] for k, v in after.items() if before[k] != v},
        )
        await unit.apply(booking, changed)

    return await change_booking(
        engine, user, booking_id, command.version, now, _check_manager, buffers
    )


def _whole_minutes(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds() // 60)
