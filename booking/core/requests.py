"""The rules a booking request must meet before any room is looked at for conflicts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from booking.core.errors import FieldProblem, RuleViolation
from booking.core.messages import Message
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
        FieldProblem(field, Message("time.whole_minutes"))
        for field, value in (("start", start), ("end", end))
        if value.second or value.microsecond
    ]
    if end <= start:
        problems.append(FieldProblem("end", Message("span.end_before_start")))
    elif end - start > MAX_OCCURRENCE_LENGTH:
        problems.append(FieldProblem("end", Message("span.too_long")))
    if problems:
        raise RuleViolation(problems)
    return TimeSpan(start, end)


def check_request(
    meeting: TimeSpan, rooms: Sequence[RoomFacts], attendance: int, now: datetime
) -> None:
    """Everything about a request that can be judged without looking at other bookings."""
    problems: list[FieldProblem] = []
    if meeting.start < now:
        problems.append(FieldProblem("start", Message("time.in_the_past")))
    if not rooms:
        problems.append(FieldProblem("rooms", Message("rooms.none")))
    if len({room.id for room in rooms}) != len(rooms):
        problems.append(FieldProblem("rooms", Message("rooms.named_twice")))
    problems += [
        FieldProblem("rooms", Message("rooms.not_bookable", room=room.code))
        for room in rooms
        if not room.active
    ]
    capacity = sum(room.capacity for room in rooms)
    if rooms and attendance > capacity:
        problems.append(
            FieldProblem(
                "expected_attendance",
                Message("rooms.over_capacity", people=attendance, capacity=capacity),
            )
        )
    if problems:
        raise RuleViolation(problems)
