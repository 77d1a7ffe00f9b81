"""A series as a request keeps it, and the rules its dates keep to (core/series.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from booking.core.booking_rules import Breach
from booking.core.conflicts import Conflict, Occupation, Placement
from booking.core.errors import RuleViolation
from booking.core.localtime import wall_clock
from booking.core.messages import Message
from booking.core.recurrence import Ambiguity, Frequency, Rule
from booking.core.series import (
    MAX_PLACEMENTS,
    Series,
    SeriesDay,
    broken_dates,
    check_date_length,
    check_dates_apart,
    check_size,
    check_wall_clock_times,
    series_meetings,
    taken_dates,
    without_dates,
)
from booking.core.timespan import TimeSpan

from .builders import BUCHAREST, english, reasons, refused

NOW = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)
WEEKLY = Rule(Frequency.WEEKLY, weekdays=frozenset({0, 2}), count=6)


def _series(changes: tuple = ()) -> Series:
    day = SeriesDay(time(10), time(12), (1, 2))
    return Series(WEEKLY, day, "Europe/Bucharest", None, changes)


def test_a_series_day_is_as_created_until_a_change_from_a_date_on() -> None:
    series = _series()
    changed = series.changed_from(date(2030, 5, 15), SeriesDay(time(14), time(15), (3,)))
    assert changed.on(date(2030, 5, 13)) == SeriesDay(time(10), time(12), (1, 2))
    assert changed.on(date(2030, 5, 15)) == SeriesDay(time(14), time(15), (3,))
    assert changed.on(date(2030, 6, 1)).rooms == (3,)


def test_a_later_change_replaces_those_from_later_days() -> None:
    series = _series().changed_from(date(2030, 5, 20), SeriesDay(time(9), time(10), (1,)))
    series = series.changed_from(date(2030, 5, 15), SeriesDay(time(16), time(17), (2,)))
    assert [c.first for c in series.changes] == [date(2030, 5, 15)]
    assert series.on(date(2030, 5, 27)) == SeriesDay(time(16), time(17), (2,))


def test_a_series_of_old_without_its_rooms_takes_the_requests() -> None:
    old = Series.from_data(_series().as_data() | {"rooms": []})
    assert old.on(date(2030, 5, 13), fallback_rooms=[7]).rooms == (7,)


def test_a_series_reads_back_as_it_was_kept() -> None:
    series = _series().changed_from(date(2030, 5, 15), SeriesDay(time(14), time(15), (3,)))
    data = series.as_data()
    assert data == {
        "frequency": "weekly",
        "interval": 1,
        "weekdays": [0, 2],
        "month_day": None,
        "nth": None,
        "until": None,
        "count": 6,
        "start_time": "10:00",
        "end_time": "12:00",
        "zone": "Europe/Bucharest",
        "ambiguous": None,
        "rooms": [1, 2],
        "changes": [
            {"from": "2030-05-15", "start_time": "14:00", "end_time": "15:00", "rooms": [3]}
        ],
    }
    assert Series.from_data(data) == series


def test_a_new_series_keeps_its_wall_clock_across_the_clock_change() -> None:
    rule = Rule(Frequency.DAILY, count=3)
    start = datetime(2030, 3, 30, 10, 0)  # the clocks go forward on 31 March 2030
    meetings, series = series_meetings(
        start, start.replace(hour=11), rule, BUCHAREST, None, [1], NOW.replace(month=3, day=1)
    )
    assert [m.start.astimezone(BUCHAREST).time() for m in meetings] == [time(10)] * 3
    assert [m.duration for m in meetings] == [timedelta(hours=1)] * 3
    assert series.day == SeriesDay(time(10), time(11), (1,))


def test_a_start_given_in_the_second_of_two_hours_means_the_later() -> None:
    rule = Rule(Frequency.WEEKLY, weekdays=frozenset({6}), count=1)
    later = datetime(2030, 10, 27, 3, 30, tzinfo=BUCHAREST).replace(fold=1)
    _, series = series_meetings(later, later + timedelta(hours=1), rule, BUCHAREST, None, [1], NOW)
    assert series.ambiguity is Ambiguity.LATER


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        (time(10), time(10), "must differ from start_time"),
        (time(10), time(8), "is before start_time: each date would run past midnight, 22 hours"),
    ],
)
def test_wall_clock_times_that_make_no_sense(start: time, end: time, reason: str) -> None:
    with refused(RuleViolation, match=reason):
        check_wall_clock_times(SeriesDay(start, end, (1,)))


def test_an_evening_may_run_past_midnight() -> None:
    check_wall_clock_times(SeriesDay(time(20), time(1), (1,)))


def test_a_wall_clock_time_given_with_an_offset_is_read_in_the_zone() -> None:
    given = datetime(2030, 5, 6, 7, 0, tzinfo=UTC)
    assert wall_clock(given, BUCHAREST, "start") == datetime(2030, 5, 6, 10, 0)
    with pytest.raises(RuleViolation) as caught:
        wall_clock(datetime(10000 - 1, 1, 1), BUCHAREST, "start")
    assert reasons(caught.value) == [("start", "give a year between 1970 and 9000")]


def test_a_date_of_a_series_lasts_a_day_at_most() -> None:
    check_date_length(timedelta(hours=24))
    with pytest.raises(RuleViolation) as caught:
        check_date_length(timedelta(hours=24, minutes=1))
    assert reasons(caught.value) == [("end", "each date of a series may last at most 24 hours")]


def _placement(room: int, day: int, hour: int = 10, length: int = 1) -> Placement:
    start = datetime(2030, 5, day, hour, tzinfo=UTC)
    meeting = TimeSpan(start, start + timedelta(hours=length))
    return Placement(room, meeting, meeting)


def test_a_request_holds_at_most_so_many_room_dates() -> None:
    check_size([_placement(1, 1)] * MAX_PLACEMENTS)
    with refused(RuleViolation, match=f"{MAX_PLACEMENTS + 1} room-dates asked for"):
        check_size([_placement(1, 1)] * (MAX_PLACEMENTS + 1))


def test_two_dates_of_a_request_may_not_block_a_room_at_once() -> None:
    check_dates_apart([_placement(1, 1), _placement(1, 2), _placement(2, 1)])
    with refused(RuleViolation, match=r"two dates of this request \(2030-05-01 and 2030-05-01\)"):
        check_dates_apart([_placement(1, 1, 10, 2), _placement(1, 1, 11)], field="start")


ZONES = {1: "Europe/Bucharest", 2: "Europe/Bucharest"}


def test_dates_with_a_reason_are_left_out_in_every_room() -> None:
    slots = [_placement(room, day) for day in (6, 7, 8) for room in (1, 2)]
    kept, skipped = without_dates(slots, {date(2030, 5, 7): Message("text.blank")}, ZONES)
    assert {p.meeting.start.day for p in kept} == {6, 8}
    assert [(s.day, s.reason.code) for s in skipped] == [(date(2030, 5, 7), "text.blank")]


def test_the_first_reason_of_each_date_is_kept() -> None:
    closed = Message("blackout.closed", reason="Paște")
    broken = [
        Breach(_placement(1, 6), "blackout", closed, 9),
        Breach(_placement(2, 6), "hours", Message("hours.weekday_range")),
        Breach(_placement(2, 8), "blackout", closed, 9),
    ]
    reasons_by_day = broken_dates(broken, ZONES)
    assert {d: english(m) for d, m in reasons_by_day.items()} == {
        date(2030, 5, 6): "closed: Paște",
        date(2030, 5, 8): "closed: Paște",
    }


def test_a_taken_date_names_the_room_and_the_request_in_its_way() -> None:
    wanted = _placement(2, 7)
    holder = Occupation(11, 42, 2, wanted.meeting, wanted.blocked, "approved")
    taken = taken_dates([Conflict(wanted, holder)], {1: "CC-AULA", 2: "BUPT-S1"}, ZONES)
    assert {d: english(m) for d, m in taken.items()} == {
        date(2030, 5, 7): "BUPT-S1 is taken by request #42"
    }
