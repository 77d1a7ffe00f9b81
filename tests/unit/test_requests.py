"""Rules a booking request must meet before conflicts are looked at."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from booking.core.errors import RuleViolation
from booking.core.requests import (
    MAX_BLOCKED_LENGTH,
    MAX_OCCURRENCE_LENGTH,
    check_request,
    meeting_span,
)
from booking.core.rooms import RoomFacts
from booking.core.timespan import TimeSpan

from .builders import at, reasons, room, span

NOW = at("08:00")


def fields_of(error: RuleViolation) -> list[str]:
    return [p.field for p in error.problems]


class TestMeetingSpan:
    @pytest.mark.parametrize(
        ("length", "accepted"),
        [
            (timedelta(minutes=1), True),
            (timedelta(hours=2), True),
            (timedelta(days=14), True),
            (timedelta(days=14, minutes=1), False),
            (timedelta(days=30), False),
        ],
        ids=["one-minute", "two-hours", "exactly-14-days", "14-days-and-a-minute", "30-days"],
    )
    def test_length(self, length: timedelta, accepted: bool) -> None:
        start = at("10:00")
        if accepted:
            assert meeting_span(start, start + length) == TimeSpan(start, start + length)
        else:
            with pytest.raises(RuleViolation) as caught:
                meeting_span(start, start + length)
            assert reasons(caught.value) == [("end", "one occurrence may last at most 14 days")]

    @pytest.mark.parametrize(
        ("start", "end"), [("10:00", "10:00"), ("10:00", "09:00")], ids=["empty", "reversed"]
    )
    def test_end_must_follow_start(self, start: str, end: str) -> None:
        with pytest.raises(RuleViolation) as caught:
            meeting_span(at(start), at(end))
        assert reasons(caught.value) == [("end", "must be after start")]

    @pytest.mark.parametrize(
        ("start", "end", "fields"),
        [
            (at("10:00").replace(second=5), at("11:00"), ["start"]),
            (at("10:00"), at("11:00").replace(microsecond=1), ["end"]),
            (
                at("10:00").replace(microsecond=500),
                at("11:00").replace(second=59),
                ["start", "end"],
            ),
        ],
        ids=["seconds-in-start", "microseconds-in-end", "both"],
    )
    def test_whole_minutes_only(self, start: datetime, end: datetime, fields: list[str]) -> None:
        with pytest.raises(RuleViolation) as caught:
            meeting_span(start, end)
        assert fields_of(caught.value) == fields
        assert all("whole minutes" in reason for _, reason in reasons(caught.value))

    def test_collects_every_problem(self) -> None:
        with pytest.raises(RuleViolation) as caught:
            meeting_span(at("10:00").replace(second=1), at("09:00"))
        assert reasons(caught.value) == [
            ("start", "give whole minutes (seconds must be zero)"),
            ("end", "must be after start"),
        ]

    def test_limits_are_consistent(self) -> None:
        assert timedelta(days=14) == MAX_OCCURRENCE_LENGTH
        assert timedelta(days=14, hours=8) == MAX_BLOCKED_LENGTH


def checked(
    meeting: TimeSpan, rooms: list[RoomFacts], attendance: int, now: datetime = NOW
) -> list[tuple[str, str]]:
    """The problems check_request reports, or [] when it accepts the request."""
    try:
        check_request(meeting, rooms, attendance, now)
    except RuleViolation as error:
        return reasons(error)
    return []


class TestCheckRequest:
    @pytest.mark.parametrize(
        ("meeting", "rooms", "attendance"),
        [
            (span("10:00", "11:00"), [room(1, capacity=30)], 30),
            (span("08:00", "09:00"), [room(1, capacity=30)], 1),
            (span("10:00", "11:00"), [room(1, capacity=20), room(2, capacity=30)], 50),
            (span("10:00", "11:00"), [room(1, capacity=30, instant_book=False)], 0),
        ],
        ids=["fills-the-room", "starts-right-now", "two-rooms-sum", "approval-room"],
    )
    def test_accepted(self, meeting: TimeSpan, rooms: list[RoomFacts], attendance: int) -> None:
        assert checked(meeting, rooms, attendance) == []

    def test_start_in_the_past(self) -> None:
        problems = checked(span("07:59", "09:00"), [room()], 10)
        assert problems == [("start", "is in the past")]

    def test_no_rooms(self) -> None:
        assert checked(span("10:00", "11:00"), [], 10) == [("rooms", "name at least one room")]

    def test_duplicated_room(self) -> None:
        problems = checked(span("10:00", "11:00"), [room(1), room(2), room(1)], 10)
        assert problems == [("rooms", "a room is named more than once")]

    def test_inactive_room_named_by_code(self) -> None:
        problems = checked(
            span("10:00", "11:00"), [room(1), room(2, code="ASPC-B12", active=False)], 10
        )
        assert problems == [("rooms", "room ASPC-B12 is not bookable at present")]

    @pytest.mark.parametrize(
        ("capacities", "attendance"),
        [([30], 31), ([20, 30], 51), ([10, 10, 10], 31)],
        ids=["one-room", "two-rooms", "three-rooms"],
    )
    def test_attendance_above_capacity(self, capacities: list[int], attendance: int) -> None:
        rooms = [room(i, capacity=c) for i, c in enumerate(capacities, start=1)]
        problems = checked(span("10:00", "11:00"), rooms, attendance)
        total = sum(capacities)
        assert problems == [
            (
                "expected_attendance",
                f"{attendance} people exceed the capacity of the room(s) asked for ({total})",
            )
        ]

    def test_collects_several_problems_at_once(self) -> None:
        rooms = [room(1, capacity=10), room(1, capacity=10), room(2, code="OLD", active=False)]
        problems = checked(span("07:00", "09:00"), rooms, attendance=100)
        assert [field for field, _ in problems] == [
            "start",
            "rooms",
            "rooms",
            "expected_attendance",
        ]
        assert "past" in problems[0][1]
        assert "more than once" in problems[1][1]
        assert "OLD" in problems[2][1]
        assert "100 people" in problems[3][1]

    def test_every_problem_is_kept_in_order(self) -> None:
        with pytest.raises(RuleViolation) as caught:
            check_request(span("07:00", "09:00"), [], 5, NOW)
        assert reasons(caught.value) == [
            ("start", "is in the past"),
            ("rooms", "name at least one room"),
        ]
