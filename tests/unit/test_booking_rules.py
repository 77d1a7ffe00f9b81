"""A room's opening hours: which meetings they let in, and which hours are malformed."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.core.booking_rules import (
    Blackout,
    OpeningHours,
    RoomRules,
    check_hours,
    check_rules,
)
from booking.core.conflicts import Placement
from booking.core.timespan import TimeSpan
from tests.unit.builders import english

ZONE = ZoneInfo("Europe/Bucharest")
MONDAY = datetime(2027, 1, 4)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _rules(*hours: tuple[str, str]) -> RoomRules:
    return RoomRules(
        room_id=1,
        code="S1",
        zone=ZONE.key,
        building_id=1,
        hours=[OpeningHours(0, time.fromisoformat(o), time.fromisoformat(c)) for o, c in hours],
    )


def _breaches(rules: RoomRules, start: str, length: timedelta) -> list[str]:
    begins = datetime.combine(MONDAY, time.fromisoformat(start), ZONE).astimezone(UTC)
    meeting = TimeSpan(begins, begins + length)
    found = check_rules([Placement(1, meeting, meeting)], {1: rules}, [], NOW)
    return [english(b.reason) for b in found.breaches]


@pytest.mark.parametrize(
    ("hours", "start", "length", "allowed"),
    [
        ((("08:00", "22:00"),), "21:00", timedelta(hours=1), True),
        ((("08:00", "22:00"),), "21:30", timedelta(hours=1), False),
        # Closing at 00:00 is closing at the end of the day: a meeting may end at midnight.
        ((("08:00", "00:00"),), "22:00", timedelta(hours=2), True),
        ((("08:00", "00:00"),), "23:00", timedelta(hours=2), False),
        # Windows that touch are one: 11:00-13:00 fits 08-12 and 12-22.
        ((("08:00", "12:00"), ("12:00", "22:00")), "11:00", timedelta(hours=2), True),
        ((("08:00", "12:00"), ("13:00", "22:00")), "11:00", timedelta(hours=2), False),
        ((("08:00", "22:00"),), "07:30", timedelta(hours=1), False),
    ],
)
def test_opening_hours(hours, start: str, length: timedelta, allowed: bool) -> None:
    assert (_breaches(_rules(*hours), start, length) == []) is allowed


def test_the_refusal_names_midnight_as_24_00() -> None:
    (reason,) = _breaches(_rules(("08:00", "00:00")), "07:00", timedelta(hours=2))
    assert reason == "S1 may be booked on Mondays 08:00–24:00 only"


def _every_day(opens: str, closes: str) -> RoomRules:
    return RoomRules(
        room_id=1,
        code="S1",
        zone=ZONE.key,
        building_id=1,
        hours=[
            OpeningHours(d, time.fromisoformat(opens), time.fromisoformat(closes)) for d in range(7)
        ],
    )


@pytest.mark.parametrize(
    ("rules", "start", "length", "reasons"),
    [
        # Open round the clock: a night event runs from one day into the next.
        (_every_day("00:00", "00:00"), "22:00", timedelta(hours=4), []),
        # Closing at midnight: the night is outside Tuesday's hours.
        (
            _every_day("08:00", "00:00"),
            "22:00",
            timedelta(hours=4),
            ["S1 may be booked on Tuesdays 08:00–24:00 only"],
        ),
        # Monday only: Tuesday is closed.
        (
            _rules(("00:00", "00:00")),
            "22:00",
            timedelta(hours=4),
            ["S1 is closed on Tuesdays"],
        ),
    ],
)
def test_a_meeting_past_midnight_needs_both_days_hours(
    rules: RoomRules, start: str, length: timedelta, reasons: list[str]
) -> None:
    assert _breaches(rules, start, length) == reasons


@pytest.mark.parametrize(
    ("hours", "problem"),
    [
        ([("10:00", "09:00")], "Monday: closes must be after opens"),
        ([("10:00", "10:00")], "Monday: closes must be after opens"),
        ([("08:00", "13:00"), ("12:00", "00:00")], "Monday: opening hours overlap"),
    ],
)
def test_malformed_hours(hours, problem: str) -> None:
    assert [english(p) for p in check_hours(_rules(*hours).hours)] == [problem]


def test_open_all_day_is_well_formed() -> None:
    assert check_hours(_rules(("00:00", "00:00")).hours) == []


@pytest.mark.parametrize(
    ("room_id", "building_id", "concerns"),
    [(None, None, True), (None, 1, True), (None, 2, False), (10, None, True), (99, None, False)],
    ids=["everywhere", "the-building", "another-building", "a-room-of-it", "a-room-elsewhere"],
)
def test_which_closures_concern_a_building(room_id, building_id, concerns: bool) -> None:
    meeting = TimeSpan(NOW, NOW + timedelta(days=1))
    closure = Blackout(1, meeting, "x", room_id=room_id, building_id=building_id)
    assert closure.concerns_building(1, [10, 11]) is concerns


@pytest.mark.parametrize(
    ("hours", "closed"),
    [
        ([], []),  # open at all times
        ([("08:00", "20:00")], [(0, 480), (1200, 1440)]),
        ([("08:00", "12:00"), ("12:00", "00:00")], [(0, 480)]),  # touching windows are one
        ([("00:00", "00:00")], []),  # closing at 00:00 is the end of the day
        ([("09:00", "11:00"), ("14:00", "16:00")], [(0, 540), (660, 840), (960, 1440)]),
    ],
)
def test_the_minutes_of_a_day_outside_the_opening_hours(hours, closed) -> None:
    assert _rules(*hours).closed_windows(0) == closed
    assert _rules(*hours).closed_windows(1) == ([(0, 1440)] if hours else [])
