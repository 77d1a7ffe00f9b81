"""Wall-clock times in Europe/Bucharest turned into instants, around the DST changes.

Spring: at 03:00 local the clocks jump to 04:00, so 03:00–03:59 does not exist.
Autumn: at 04:00 local the clocks go back to 03:00, so 03:00–03:59 happens twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from booking.core.errors import RuleViolation
from booking.core.localtime import (
    local_day,
    local_time_exists,
    local_time_is_ambiguous,
    to_instant,
    zone_named,
)

from .builders import BUCHAREST, english, utc

SPRING_2026 = date(2026, 3, 29)
AUTUMN_2026 = date(2026, 10, 25)
SPRING_2027 = date(2027, 3, 28)
AUTUMN_2027 = date(2027, 10, 31)
SPRING_DAYS = [SPRING_2026, SPRING_2027]
AUTUMN_DAYS = [AUTUMN_2026, AUTUMN_2027]


def wall(on: date, hour: int, minute: int = 0) -> datetime:
    return datetime(on.year, on.month, on.day, hour, minute)


class TestZoneNamed:
    @pytest.mark.parametrize("name", ["Europe/Bucharest", "UTC", "America/New_York"])
    def test_known_zone(self, name: str) -> None:
        assert zone_named(name) == ZoneInfo(name)

    @pytest.mark.parametrize(
        "name",
        ["Mars/Olympus_Mons", "Europe/", "/etc/localtime", "../etc/passwd", "Europe"],
        ids=["unknown", "trailing-slash", "absolute-path", "parent-path", "region-not-zone"],
    )
    def test_unknown_zone_is_a_value_error(self, name: str) -> None:
        with pytest.raises(ValueError, match="unknown time zone"):
            zone_named(name)


class TestLocalTimeExistsAndAmbiguity:
    @pytest.mark.parametrize("on", SPRING_DAYS, ids=str)
    @pytest.mark.parametrize(
        ("hour", "minute", "exists"),
        [(2, 59, True), (3, 0, False), (3, 30, False), (3, 59, False), (4, 0, True)],
        ids=["02:59", "03:00", "03:30", "03:59", "04:00"],
    )
    def test_spring_gap(self, on: date, hour: int, minute: int, exists: bool) -> None:
        naive = wall(on, hour, minute)
        assert local_time_exists(naive, BUCHAREST) is exists

    @pytest.mark.parametrize("on", AUTUMN_DAYS, ids=str)
    @pytest.mark.parametrize(
        ("hour", "minute", "ambiguous"),
        [(2, 59, False), (3, 0, True), (3, 30, True), (3, 59, True), (4, 0, False)],
        ids=["02:59", "03:00", "03:30", "03:59", "04:00"],
    )
    def test_autumn_repeat(self, on: date, hour: int, minute: int, ambiguous: bool) -> None:
        naive = wall(on, hour, minute)
        assert local_time_exists(naive, BUCHAREST)
        assert local_time_is_ambiguous(naive, BUCHAREST) is ambiguous

    @pytest.mark.parametrize(
        "naive",
        [wall(date(2026, 7, 1), 12), wall(date(2026, 1, 15), 3, 30), wall(SPRING_2026, 12)],
        ids=["summer", "winter-03:30", "spring-day-noon"],
    )
    def test_ordinary_times_exist_once(self, naive: datetime) -> None:
        assert local_time_exists(naive, BUCHAREST)
        assert not local_time_is_ambiguous(naive, BUCHAREST)


class TestToInstant:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (utc(2026, 7, 1, 9), utc(2026, 7, 1, 9)),
            (datetime(2026, 7, 1, 12, tzinfo=timezone(timedelta(hours=3))), utc(2026, 7, 1, 9)),
            (datetime(2026, 7, 1, 12, tzinfo=BUCHAREST), utc(2026, 7, 1, 9)),
            (datetime(2026, 1, 15, 12, tzinfo=BUCHAREST), utc(2026, 1, 15, 10)),
            (
                datetime(2026, 7, 1, 5, tzinfo=ZoneInfo("America/New_York")),
                utc(2026, 7, 1, 9),
            ),
            (
                datetime(2026, 10, 25, 3, 30, tzinfo=timezone(timedelta(hours=3))),
                utc(2026, 10, 25, 0, 30),
            ),
            (
                datetime(2026, 10, 25, 3, 30, tzinfo=timezone(timedelta(hours=2))),
                utc(2026, 10, 25, 1, 30),
            ),
            (
                datetime(2026, 10, 25, 3, 30, fold=1, tzinfo=BUCHAREST),
                utc(2026, 10, 25, 1, 30),
            ),
        ],
        ids=[
            "utc",
            "fixed-offset",
            "bucharest-summer",
            "bucharest-winter",
            "new-york",
            "ambiguous-with-+03",
            "ambiguous-with-+02",
            "ambiguous-with-fold",
        ],
    )
    def test_aware_input_is_converted_to_utc(self, value: datetime, expected: datetime) -> None:
        instant = to_instant(value, BUCHAREST, "start")
        assert instant == expected
        assert instant.tzinfo is UTC

    @pytest.mark.parametrize(
        ("naive", "expected"),
        [
            (datetime(2026, 7, 1, 12), utc(2026, 7, 1, 9)),
            (datetime(2026, 1, 15, 12), utc(2026, 1, 15, 10)),
            (datetime(2026, 1, 15, 0), utc(2026, 1, 14, 22)),
            (wall(SPRING_2026, 2, 59), utc(2026, 3, 29, 0, 59)),
            (wall(SPRING_2026, 4), utc(2026, 3, 29, 1)),
            (wall(AUTUMN_2026, 2, 59), utc(2026, 10, 24, 23, 59)),
            (wall(AUTUMN_2026, 4), utc(2026, 10, 25, 2)),
            (wall(SPRING_2027, 2, 30), utc(2027, 3, 28, 0, 30)),
            (wall(SPRING_2027, 4, 30), utc(2027, 3, 28, 1, 30)),
            (wall(AUTUMN_2027, 2, 30), utc(2027, 10, 30, 23, 30)),
            (wall(AUTUMN_2027, 4, 30), utc(2027, 10, 31, 2, 30)),
        ],
        ids=[
            "summer",
            "winter",
            "winter-midnight",
            "2026-spring-before-gap",
            "2026-spring-after-gap",
            "2026-autumn-before-repeat",
            "2026-autumn-after-repeat",
            "2027-spring-before-gap",
            "2027-spring-after-gap",
            "2027-autumn-before-repeat",
            "2027-autumn-after-repeat",
        ],
    )
    def test_naive_valid_time_is_wall_clock_in_the_zone(
        self, naive: datetime, expected: datetime
    ) -> None:
        instant = to_instant(naive, BUCHAREST, "start")
        assert instant == expected
        assert instant.tzinfo is UTC

    @pytest.mark.parametrize("field", ["start", "end", "free_start"])
    @pytest.mark.parametrize(
        "naive",
        [
            wall(SPRING_2026, 3, 0),
            wall(SPRING_2026, 3, 30),
            wall(SPRING_2026, 3, 59),
            wall(SPRING_2027, 3, 30),
        ],
        ids=["2026-03:00", "2026-03:30", "2026-03:59", "2027-03:30"],
    )
    def test_nonexistent_time_is_refused_naming_the_field(
        self, naive: datetime, field: str
    ) -> None:
        with pytest.raises(RuleViolation) as caught:
            to_instant(naive, BUCHAREST, field)
        [problem] = caught.value.problems
        assert problem.field == field
        assert "does not exist" in english(problem.reason)
        assert f"{naive:%Y-%m-%d %H:%M}" in english(problem.reason)
        assert str(caught.value).startswith(f"{field}: ")

    @pytest.mark.parametrize("field", ["start", "end"])
    @pytest.mark.parametrize(
        "naive",
        [
            wall(AUTUMN_2026, 3, 0),
            wall(AUTUMN_2026, 3, 30),
            wall(AUTUMN_2026, 3, 59),
            wall(AUTUMN_2027, 3, 30),
            wall(AUTUMN_2026, 3, 30).replace(fold=1),
        ],
        ids=["2026-03:00", "2026-03:30", "2026-03:59", "2027-03:30", "2026-03:30-fold1"],
    )
    def test_ambiguous_naive_time_is_refused_naming_the_field(
        self, naive: datetime, field: str
    ) -> None:
        with pytest.raises(RuleViolation) as caught:
            to_instant(naive, BUCHAREST, field)
        [problem] = caught.value.problems
        assert problem.field == field
        assert "happens twice" in english(problem.reason)
        assert "UTC offset" in english(problem.reason)


class TestLocalDay:
    @pytest.mark.parametrize(
        ("instant", "first", "hours"),
        [
            (utc(2026, 3, 29, 10), utc(2026, 3, 28, 22), 23),
            (utc(2026, 3, 28, 22), utc(2026, 3, 28, 22), 23),
            (utc(2026, 3, 29, 20, 59), utc(2026, 3, 28, 22), 23),
            (utc(2026, 3, 29, 21), utc(2026, 3, 29, 21), 24),
            (utc(2026, 3, 28, 21, 59), utc(2026, 3, 27, 22), 24),
            (utc(2026, 10, 25, 10), utc(2026, 10, 24, 21), 25),
            (utc(2026, 10, 25, 0, 30), utc(2026, 10, 24, 21), 25),
            (utc(2026, 10, 25, 1, 30), utc(2026, 10, 24, 21), 25),
            (utc(2026, 10, 25, 21, 59), utc(2026, 10, 24, 21), 25),
            (utc(2026, 10, 25, 22), utc(2026, 10, 25, 22), 24),
            (utc(2027, 3, 28, 12), utc(2027, 3, 27, 22), 23),
            (utc(2027, 10, 31, 12), utc(2027, 10, 30, 21), 25),
            (utc(2026, 7, 1, 12), utc(2026, 6, 30, 21), 24),
            (utc(2026, 1, 15, 12), utc(2026, 1, 14, 22), 24),
        ],
        ids=[
            "2026-spring-noon",
            "2026-spring-local-midnight",
            "2026-spring-last-minute",
            "2026-day-after-spring",
            "2026-day-before-spring",
            "2026-autumn-noon",
            "2026-autumn-first-03:30",
            "2026-autumn-second-03:30",
            "2026-autumn-last-minute",
            "2026-day-after-autumn",
            "2027-spring",
            "2027-autumn",
            "summer",
            "winter",
        ],
    )
    def test_local_day(self, instant: datetime, first: datetime, hours: int) -> None:
        day = local_day(instant, BUCHAREST)
        assert day.start == first
        assert day.duration == timedelta(hours=hours)
        assert day.start.tzinfo is UTC
        assert day.end.tzinfo is UTC
        assert day.start <= instant < day.end
        local_start = day.start.astimezone(BUCHAREST)
        local_end = day.end.astimezone(BUCHAREST)
        assert (local_start.hour, local_start.minute) == (0, 0)
        assert (local_end.hour, local_end.minute) == (0, 0)
        assert local_end.date() - local_start.date() == timedelta(days=1)

    def test_accepts_instants_given_in_any_zone(self) -> None:
        in_bucharest = datetime(2026, 3, 29, 12, tzinfo=BUCHAREST)
        assert local_day(in_bucharest, BUCHAREST) == local_day(utc(2026, 3, 29, 9), BUCHAREST)

    def test_days_tile_the_timeline_across_both_changes(self) -> None:
        day = local_day(utc(2026, 3, 26, 12), BUCHAREST)
        lengths = []
        for _ in range(220):
            following = local_day(day.end, BUCHAREST)
            assert following.start == day.end
            lengths.append(following.duration)
            day = following
        assert lengths.count(timedelta(hours=23)) == 1
        assert lengths.count(timedelta(hours=25)) == 1
        assert set(lengths) == {timedelta(hours=h) for h in (23, 24, 25)}
