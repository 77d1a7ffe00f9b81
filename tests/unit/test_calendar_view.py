"""A room's day on the building calendar: its closed hours and its free periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking.core.booking_rules import MIDNIGHT, OpeningHours, RoomRules
from booking.core.timespan import TimeSpan
from booking.pages.calendar_view import closed_hours, free_periods

ZONE = ZoneInfo("Europe/Bucharest")
MONDAY = date(2027, 1, 4)


def at(day: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), ZONE).astimezone(UTC)


def rules(*hours: OpeningHours) -> RoomRules:
    return RoomRules(room_id=1, code="R", zone=ZONE.key, building_id=1, hours=hours)


def local(spans: list[TimeSpan]) -> list[tuple[str, str]]:
    return [
        (f"{s.start.astimezone(ZONE):%H:%M}", f"{s.end.astimezone(ZONE):%d %H:%M}") for s in spans
    ]


def test_a_room_without_hours_is_never_closed() -> None:
    assert closed_hours(rules(), MONDAY, ZONE) == []


def test_closed_hours_are_the_day_outside_its_windows() -> None:
    room = rules(
        OpeningHours(0, time(8), time(12)),
        OpeningHours(0, time(13), MIDNIGHT),
        OpeningHours(1, time(8), time(20)),
    )
    assert local(closed_hours(room, MONDAY, ZONE)) == [("00:00", "04 08:00"), ("12:00", "04 13:00")]


def test_a_weekday_without_hours_is_closed_all_day() -> None:
    room = rules(OpeningHours(1, time(8), time(20)))
    assert closed_hours(room, MONDAY, ZONE) == [
        TimeSpan(at(MONDAY, "00:00"), at(MONDAY, "00:00") + timedelta(days=1))
    ]


def test_the_spring_change_day_is_23_hours_long() -> None:
    sunday = date(2027, 3, 28)
    room = rules(OpeningHours(6, time(8), time(20)))
    closed = closed_hours(room, sunday, ZONE)
    assert sum((s.duration for s in closed), timedelta()) == timedelta(hours=11)


def test_free_periods_leave_out_what_is_taken_the_past_and_short_gaps() -> None:
    day = TimeSpan(at(MONDAY, "00:00"), at(MONDAY + timedelta(days=1), "00:00"))
    taken = [
        TimeSpan(at(MONDAY, "00:00"), at(MONDAY, "08:00")),
        TimeSpan(at(MONDAY, "10:00"), at(MONDAY, "11:00")),
        TimeSpan(at(MONDAY, "11:15"), at(MONDAY, "12:00")),  # a gap of 15 minutes: not offered
        TimeSpan(at(MONDAY, "20:00"), at(MONDAY + timedelta(days=1), "00:00")),
    ]
    now = at(MONDAY, "08:07")  # starts on the next quarter of an hour
    assert local(free_periods(day, taken, now)) == [("08:15", "04 10:00"), ("12:00", "04 20:00")]
    assert free_periods(day, taken, at(MONDAY, "23:00")) == []
