"""The rules a booking request must meet before any room is looked at for conflicts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from booking.core.errors import FieldProblem, RuleViolation
from booking.core.rooms import MAX_BUFFER, RoomFacts
from booking.core.timespan import TimeSpan

MAX_OCCURRENCE_LENGTH = timedelta(days=14)
MAX_TITLE_LENGTH = 200
MAX_TEXT_LENGTH = 10_000
MAX_ROOMS_PER_REQUEST = 20

# The longest a blocked span can be: overlap queries look back this far for spans still running.
MAX_BLOCKED_LENGTH = MAX_OCCURRENCE_LENGTH + 2 * MAX_BUFFER


def meeting_span(start: datetime, end: datetime) -> TimeSpan:
    """The meeting's span, refusing spans that are empty, reversed or too long."""
    problems = [
        FieldProblem(field, "give whole minutes (seconds must be zero)")
        for field, value in (("start", start), ("end", end))
        if value.second or value.microsecond
    ]
    if end <= start:
        problems.append(FieldProblem("end", "must be after start"))
    elif end - start > MAX_OCCURRENCE_LENGTH:
        problems.append(FieldProblem("end", "one occurrence may last at most 14 days"))
    if problems:
        raise RuleViolation(problems)
    return TimeSpan(start, end)


def check_request(
    meeting: TimeSpan, rooms: Sequence[RoomFacts], attendance: int, now: datetime
) -> None:
    """Everything about a request that can be judged without looking at other bookings."""
    problems: list[FieldProblem] = []
    if meeting.start < now:
        problems.append(FieldProblem("start", "is in the past"))
    if not rooms:
        problems.append(FieldProblem("rooms", "name at least one room"))
    if len({room.id for room in rooms}) != len(rooms):
        problems.append(FieldProblem("rooms", "a room is named more than once"))
    problems += [
        FieldProblem("rooms", f"room {room.code} is not bookable at present")
        for room in rooms
        if not room.active
    ]
    capacity = sum(room.capacity for room in rooms)
    if rooms and attendance > capacity:
        problems.append(
            FieldProblem(
                "expected_attendance",
                f"{attendance} people exceed the capacity of the room(s) asked for ({capacity})",
            )
        )
    if problems:
        raise RuleViolation(problems)
