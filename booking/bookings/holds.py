"""Tentative holds: the rooms' managers keep the rooms for a pending request until a given
time; a hold ends when released, decided, or when its time is up (unit_of_work lapses those)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.bookings.commands import Act, Hold
from booking.bookings.unit_of_work import Outcome, UnitOfWork, change_booking
from booking.core import transitions
from booking.core.access import manages
from booking.core.booking import Booking
from booking.core.errors import Forbidden
from booking.core.events import Action
from booking.core.localtime import to_instant
from booking.core.messages import Message
from booking.core.transitions import hold_ended
from booking.core.workflow import (
    check_can_hold,
    check_can_release,
    check_not_ended,
)


def _check_manager(user: CurrentUser, booking: Booking) -> None:
    if not manages(user.actor, booking.facts):
        raise Forbidden(Message("hold.only_managers"))


async def hold_booking(
    engine: Engine, user: CurrentUser, booking_id: int, command: Hold, now: datetime
) -> Outcome:
    """A tentative hold: the rooms are kept for this request until `until`."""

    async def hold(unit: UnitOfWork, booking: Booking) -> None:
        until = to_instant(command.until, ZoneInfo(booking.occurrences[0].zone), "until")
        check_can_hold(booking.state, until, now)
        check_not_ended(booking.state, now)
        placements = booking.placements()
        await unit.lock_rooms([p.room_id for p in placements])
        await unit.check_free(placements, booking.fields.expected_attendance, booking_id)
        await unit.apply(booking, transitions.held(booking, until, command.comment))

    return await change_booking(
        engine, user, booking_id, command.version, now, _check_manager, hold
    )


async def release_hold(
    engine: Engine, user: CurrentUser, booking_id: int, command: Act, now: datetime
) -> Outcome:
    async def release(unit: UnitOfWork, booking: Booking) -> None:
        check_can_release(booking.state)
        released = hold_ended(booking, Action.HOLD_RELEASED, command.comment)
        await unit.apply(booking, released)

    return await change_booking(
        engine, user, booking_id, command.version, now, _check_manager, release
    )
