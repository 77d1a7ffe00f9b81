"""The requester's side of a request: edit it, submit it, resubmit it after changes were asked
for. Each reads what the decision needs, lets the core decide (core/editing.py), then writes."""

from __future__ import annotations

from datetime import datetime

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.bookings.commands import EditBooking, Submit
from booking.bookings.creating import rooms_asked
from booking.bookings.unit_of_work import Outcome, UnitOfWork, change_booking
from booking.core.access import can_change
from booking.core.booking import Booking
from booking.core.editing import (
    decide_edit,
    decide_submit,
    edited_rooms,
    edited_slot,
    given_fields,
)
from booking.core.errors import Forbidden
from booking.core.messages import Message
from booking.rooms.rules import rooms_known


def check_requester(user: CurrentUser, booking: Booking) -> None:
    if not can_change(user.actor, booking.facts):
        raise Forbidden(Message("booking.change_only_requester"))


async def submit_booking(
    engine: Engine, user: CurrentUser, booking_id: int, command: Submit, now: datetime
) -> Outcome:
    """Submit a draft, or resubmit a request sent back for changes."""

    async def submit(unit: UnitOfWork, booking: Booking) -> None:
        rooms = await rooms_asked(booking.room_ids())
        known = await rooms_known(rooms, (o.meeting for o in booking.occurrences))
        decided = decide_submit(
            booking, user.actor, known, command.comment, command.override_reason, now
        )
        await unit.write(booking, decided)

    return await change_booking(
        engine, user, booking_id, command.version, now, check_requester, submit
    )


async def edit_booking(
    engine: Engine, user: CurrentUser, booking_id: int, command: EditBooking, now: datetime
) -> Outcome:
    """Change a request. A new time or rooms for an approved booking waits for the tiers while
    the booking keeps its current slot; for a pending one it restarts the tiers."""
    given = given_fields(command.changes)

    async def edit(unit: UnitOfWork, booking: Booking) -> None:
        rooms = await rooms_asked(edited_rooms(booking, given, now))
        slot = edited_slot(booking, given, rooms)
        known = await rooms_known(rooms, [slot.meeting])
        decided = decide_edit(
            booking, user.actor, given, slot, known, command.comment, command.override_reason, now
        )
        await unit.write(booking, decided)

    return await change_booking(
        engine, user, booking_id, command.version, now, check_requester, edit
    )
