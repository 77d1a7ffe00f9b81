"""Cancelling a request, or one of its dates; the rooms are free again as soon as it commits."""

from __future__ import annotations

from datetime import datetime

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.bookings.commands import Act
from booking.bookings.unit_of_work import Outcome, UnitOfWork, change_booking
from booking.core import transitions
from booking.core.access import can_cancel
from booking.core.booking import Booking
from booking.core.date_decisions import decide_date_cancel
from booking.core.errors import Forbidden
from booking.core.messages import Message
from booking.core.workflow import (
    check_can_cancel,
)


def _check_canceller(user: CurrentUser, booking: Booking) -> None:
    if not can_cancel(user.actor, booking.held_facts):
        raise Forbidden(Message("cancel.only_requester_or_manager"))


async def cancel_booking(
    engine: Engine, user: CurrentUser, booking_id: int, command: Act, now: datetime
) -> Outcome:
    """Cancel a request or booking."""

    async def cancel(unit: UnitOfWork, booking: Booking) -> None:
        check_can_cancel(booking.state, now)
        await unit.apply(booking, transitions.cancelled(booking, command.comment))

    return await change_booking(
        engine, user, booking_id, command.version, now, _check_canceller, cancel
    )


async def cancel_date(
    engine: Engine,
    user: CurrentUser,
    booking_id: int,
    occurrence_id: int,
    command: Act,
    now: datetime,
) -> Outcome:
    """Cancel one date (every room that day); cancelling the last live date cancels the
    request."""

    async def cancel(unit: UnitOfWork, booking: Booking) -> None:
        await unit.write(booking, decide_date_cancel(booking, occurrence_id, command.comment, now))

    return await change_booking(
        engine, user, booking_id, command.version, now, _check_canceller, cancel
    )
