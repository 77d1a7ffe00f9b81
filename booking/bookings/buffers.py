"""An approver's own setup and teardown for one request, instead of the rooms' defaults."""

from __future__ import annotations

from datetime import datetime

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.bookings.commands import SetBuffers
from booking.bookings.unit_of_work import Outcome, UnitOfWork, change_booking
from booking.core.access import manages
from booking.core.booking import Booking
from booking.core.buffers import check_buffers, decide_buffers
from booking.core.errors import Forbidden
from booking.core.messages import Message
from booking.db import catalogue


def _check_manager(user: CurrentUser, booking: Booking) -> None:
    # The buffers apply to the rooms held now and to those of a change waiting for approval.
    if not (manages(user.actor, booking.held_facts) and manages(user.actor, booking.facts)):
        raise Forbidden(Message("buffers.only_managers"))


async def set_buffers(
    engine: Engine, user: CurrentUser, booking_id: int, command: SetBuffers, now: datetime
) -> Outcome:
    """Every date's blocked span recomputed with the new buffers and checked against the other
    bookings of its room; the reason (the command's comment) goes into the audit trail."""
    check_buffers(command.setup_minutes, command.teardown_minutes, command.comment)

    async def buffers(unit: UnitOfWork, booking: Booking) -> None:
        rooms = await catalogue.rooms_by_id({o.room_id for o in (*booking.live, *booking.proposed)})
        decided = decide_buffers(
            booking,
            rooms,
            command.setup_minutes,
            command.teardown_minutes,
            command.comment.strip(),
        )
        await unit.write(booking, decided)

    return await change_booking(
        engine, user, booking_id, command.version, now, _check_manager, buffers
    )
