"""Changes to single dates of a request: move one, change the series from a date on, and take
back a date the series skipped.

A date is every occurrence of the request that starts on that local day (one per room), so a
request has at most one date a day. New times and rooms take effect as an edit of the whole
request would (core.rescheduling).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.bookings.commands import ChangeFollowing, MoveDate, RestoreDate
from booking.bookings.creating import rooms_asked
from booking.bookings.editing import check_requester
from booking.bookings.unit_of_work import Outcome, UnitOfWork, change_booking
from booking.core.booking import Booking, slots_by_day
from booking.core.date_decisions import check_date_not_over
from booking.core.editing import Plan, decide_reslot, rooms_after
from booking.core.errors import NotFound, refused
from booking.core.events import Action
from booking.core.localtime import to_instant
from booking.core.messages import Message
from booking.core.recurrence import Ambiguity, series_slots
from booking.core.requests import check_request, meeting_span
from booking.core.rooms import RoomFacts
from booking.core.series import (
    Series,
    SeriesDay,
    check_moved_date,
    check_wall_clock_times,
)
from booking.core.workflow import (
    check_not_ended,
    check_not_final,
)
from booking.rooms.rules import rooms_known


def _check_changeable(booking: Booking, now: datetime) -> None:
    check_not_final(booking.state)
    check_not_ended(booking.state, now)


async def move_date(
    engine: Engine,
    user: CurrentUser,
    booking_id: int,
    occurrence_id: int,
    command: MoveDate,
    now: datetime,
) -> Outcome:
    """Give one date another time (any day), in the same rooms."""

    async def move(unit: UnitOfWork, booking: Booking) -> None:
        _check_changeable(booking, now)
        day, slots = booking.date_of(occurrence_id)
        check_date_not_over(slots, now)
        rooms = await rooms_asked(list(dict.fromkeys(o.room_id for o in slots)))
        zone = ZoneInfo(slots[0].zone)
        start, end = to_instant(command.start, zone, "start"), to_instant(command.end, zone, "end")
        meeting = meeting_span(start, end)
        if booking.series is not None:
            check_moved_date(meeting, zone, now)
        check_request(meeting, rooms, booking.fields.expected_attendance, now)
        new = [booking.placement_in(r, meeting) for r in rooms]
        plan = {day: (slots, new)}
        await _reslot(
            unit, user, booking, plan, command.comment, command.override_reason, read=rooms
        )

    return await change_booking(
        engine, user, booking_id, command.version, now, check_requester, move
    )


def _ambiguity(given: Ambiguity | None, series: Series) -> Ambiguity | None:
    """The reading of a repeated hour asked for now, else the one the series was made with."""
    return given or series.ambiguity


async def change_following(
    engine: Engine,
    user: CurrentUser,
    booking_id: int,
    occurrence_id: int,
    command: ChangeFollowing,
    now: datetime,
) -> Outcome:
    """New wall-clock times and/or rooms for this date and every later one of the series."""
    if command.start_time is None and command.end_time is None and command.rooms is None:
        raise refused("body", Message("series.give_times_or_rooms"))

    async def change(unit: UnitOfWork, booking: Booking) -> None:
        _check_changeable(booking, now)
        if booking.series is None:
            raise refused("occurrence", Message("series.not_a_series"))
        first_day, first_slots = booking.date_of(occurrence_id)
        check_date_not_over(first_slots, now)
        before = booking.series.on(first_day, booking.room_ids())
        asked_rooms = command.rooms or before.rooms
        if len(set(asked_rooms)) != len(asked_rooms):
            raise refused("rooms", Message("rooms.named_twice"))
        after = SeriesDay(
            command.start_time or before.start_time,
            command.end_time or before.end_time,
            tuple(asked_rooms),
        )
        check_wall_clock_times(after)
        rooms = await rooms_asked(after.rooms)
        zone = ZoneInfo(rooms[0].zone)  # the wall clock of the rooms the dates move to
        by_day = {
            day: slots for day, slots in slots_by_day(booking.live).items() if day >= first_day
        }
        ambiguity = _ambiguity(command.ambiguous, booking.series)
        dates = sorted(by_day)
        slots = series_slots(dates, after.start_time, after.end_time, zone, ambiguity)
        check_request(slots[0].meeting, rooms, booking.fields.expected_attendance, now)
        plan = {
            slot.day: (by_day[slot.day], [booking.placement_in(r, slot.meeting) for r in rooms])
            for slot in slots
        }
        # The series keeps the change, so a skipped date restored later gets the times and
        # rooms of its own part of the series.
        deferred = {"series": booking.series.changed_from(first_day, after)}
        await _reslot(
            unit,
            user,
            booking,
            plan,
            command.comment,
            command.override_reason,
            read=rooms,
            deferred=deferred,
        )

    return await change_booking(
        engine, user, booking_id, command.version, now, check_requester, change
    )


async def restore_skipped_date(
    engine: Engine,
    user: CurrentUser,
    booking_id: int,
    command: RestoreDate,
    now: datetime,
) -> Outcome:
    """Add back a date the series skipped, with the times and rooms the series has that day,
    if it is free now."""
    day = command.day

    async def restore(unit: UnitOfWork, booking: Booking) -> None:
        _check_changeable(booking, now)
        if booking.series is None or day not in [s.day for s in booking.skipped_dates]:
            raise NotFound("skipped date", field="date")
        that_day = booking.series.on(day, booking.room_ids())
        rooms = await rooms_asked(that_day.rooms)
        ambiguity = _ambiguity(command.ambiguous, booking.series)
        zone = ZoneInfo(rooms[0].zone)
        (slot,) = series_slots([day], that_day.start_time, that_day.end_time, zone, ambiguity)
        check_request(slot.meeting, rooms, booking.fields.expected_attendance, now)
        new = [booking.placement_in(r, slot.meeting) for r in rooms]
        left = tuple(s for s in booking.skipped_dates if s.day != day)
        await _reslot(
            unit,
            user,
            booking,
            {day: ([], new)},
            command.comment,
            command.override_reason,
            read=rooms,
            action=Action.DATE_RESTORED,
            deferred={"skipped_dates": left},
        )

    return await change_booking(
        engine, user, booking_id, command.version, now, check_requester, restore
    )


async def _reslot(
    unit: UnitOfWork,
    user: CurrentUser,
    booking: Booking,
    plan: Plan,
    comment: str,
    override_reason: str | None,
    *,
    read: Sequence[RoomFacts] = (),
    action: Action = Action.DATES_MOVED,
    deferred: Mapping[str, Any] | None = None,
) -> None:
    """Check the planned dates, then replace each one's slots with its new ones. `read`: rooms
    the caller has read already."""
    wanted = rooms_after(booking, plan)
    known_rooms = {room.id: room for room in read}
    missing = [room_id for room_id in wanted if room_id not in known_rooms]
    known_rooms |= {room.id: room for room in await rooms_asked(missing)} if missing else {}
    rooms = [known_rooms[room_id] for room_id in wanted]
    meetings = [p.meeting for _, new in plan.values() for p in new]
    known = await rooms_known(rooms, meetings)
    decided = decide_reslot(
        booking, user.actor, plan, known, comment, override_reason, unit.now, action, deferred
    )
    await unit.write(booking, decided)
