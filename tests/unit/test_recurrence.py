"""Series expansion against python-dateutil's rrule, and the caps, DST days and bad rules."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule
from hypothesis import given, settings
from hypothesis import strategies as st

from booking.core.errors import RuleViolation
from booking.core.localtime import local_time_exists
from booking.core.recurrence import (
    MAX_HORIZON,
    MAX_OCCURRENCES,
    Ambiguity,
    Frequency,
    Rule,
    series_dates,
    series_slots,
)
from tests.unit.builders import reasons, refused

ZONE = ZoneInfo("Europe/Bucharest")
TODAY = date(2026, 1, 5)
WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


def reference(rule: Rule, first: date) -> list[date]:
    """The same rule through dateutil, bounded the way series_dates bounds it."""
    kwargs: dict = {"dtstart": datetime.combine(first, time(0)), "interval": rule.interval}
    if rule.frequency is Frequency.DAILY:
        freq = rrule.DAILY
        if rule.weekdays:
            kwargs["byweekday"] = [WEEKDAYS[d] for d in sorted(rule.weekdays)]
    elif rule.frequency is Frequency.WEEKLY:
        freq = rrule.WEEKLY
        kwargs["byweekday"] = [WEEKDAYS[d] for d in sorted(rule.weekdays)]
        kwargs["wkst"] = rrule.MO
    else:
        freq = rrule.MONTHLY
        if rule.month_day is not None:
            kwargs["bymonthday"] = rule.month_day
        else:
            (weekday,) = rule.weekdays
            kwargs["byweekday"] = WEEKDAYS[weekday](rule.nth)
    horizon = TODAY + MAX_HORIZON
    if rule.count is not None:
        kwargs["count"] = rule.count
    else:
        kwargs["until"] = datetime.combine(rule.until or horizon, time(0))
    dates = []
    for moment in rrule.rrule(freq, **kwargs):
        if moment.date() > horizon:
            break
        dates.append(moment.date())
        if len(dates) > MAX_OCCURRENCES:
            break
    return dates


weekday_sets = st.frozensets(st.integers(0, 6), min_size=1, max_size=7)


@st.composite
def rules(draw: st.DrawFn) -> tuple[Rule, date]:
    first = draw(st.dates(date(2026, 1, 5), date(2027, 12, 31)))
    frequency = draw(st.sampled_from(list(Frequency)))
    interval = draw(st.integers(1, 4))
    month_day = nth = None
    weekdays: frozenset[int] = frozenset()
    if frequency is Frequency.DAILY:
        weekdays = draw(st.one_of(st.just(frozenset()), weekday_sets))
    elif frequency is Frequency.WEEKLY:
        weekdays = draw(weekday_sets)
    elif draw(st.booleans()):
        month_day = draw(st.integers(1, 31))
    else:
        nth = draw(st.sampled_from([1, 2, 3, 4, 5, -1]))
        weekdays = frozenset({draw(st.integers(0, 6))})
    if draw(st.booleans()):
        count, until = draw(st.integers(1, 60)), None
    else:
        count, until = None, first + timedelta(days=draw(st.integers(0, 400)))
    return Rule(frequency, interval, weekdays, month_day, nth, until, count), first


@settings(max_examples=400, deadline=None)
@given(rules(), st.sampled_from([time(10, 0), time(3, 30), time(8, 15), time(23, 0)]))
def test_dates_and_wall_clock_times_match_dateutil(case: tuple[Rule, date], start: time) -> None:
    rule, first = case
    expected = reference(rule, first)
    too_many = len(expected) > MAX_OCCURRENCES
    short = rule.count is not None and len(expected) < rule.count
    too_far = rule.until is not None and rule.until > TODAY + MAX_HORIZON
    if not expected or too_many or short or too_far:
        with pytest.raises(RuleViolation):
            series_dates(rule, first, TODAY)
        return
    dates = series_dates(rule, first, TODAY)
    assert dates == expected
    assert all(day <= TODAY + MAX_HORIZON for day in dates)
    end = (datetime.combine(date(2000, 1, 1), start) + timedelta(minutes=90)).time()
    gaps = [
        day
        for day in dates
        for wall in (start, end)
        if not local_time_exists(datetime.combine(day, wall), ZONE)
    ]
    if gaps:
        # Only the spring-forward gap refuses a time, and it names the date.
        with refused(RuleViolation, match=str(gaps[0])):
            series_slots(dates, start, end, ZONE, Ambiguity.EARLIER)
        return
    slots = series_slots(dates, start, end, ZONE, Ambiguity.EARLIER)
    for slot, day in zip(slots, dates, strict=True):
        local_start = slot.meeting.start.astimezone(ZONE)
        assert (local_start.date(), local_start.time()) == (day, start)
        assert slot.meeting.end.astimezone(ZONE).time() == end


@pytest.mark.parametrize(
    ("first", "utc_hours"),
    [
        # A weekly 10:00 across 29 Mar 2026 and 25 Oct 2026: UTC moves, the wall clock does not.
        (date(2026, 3, 22), [8, 7, 7]),
        (date(2026, 10, 18), [7, 8, 8]),
        (date(2027, 3, 21), [8, 7, 7]),
        (date(2027, 10, 24), [7, 8, 8]),
    ],
    ids=["spring-2026", "autumn-2026", "spring-2027", "autumn-2027"],
)
def test_ten_oclock_stays_ten_oclock_across_dst(first: date, utc_hours: list[int]) -> None:
    rule = Rule(Frequency.WEEKLY, weekdays=frozenset({first.weekday()}), count=3)
    slots = series_slots(series_dates(rule, first, TODAY), time(10), time(12), ZONE)
    assert [s.meeting.start.hour for s in slots] == utc_hours
    assert [s.meeting.start.astimezone(ZONE).hour for s in slots] == [10, 10, 10]
    assert all(s.meeting.duration == timedelta(hours=2) for s in slots)


def test_a_time_in_the_spring_gap_is_refused_with_its_date() -> None:
    dates = series_dates(Rule(Frequency.DAILY, count=3), date(2026, 3, 28), TODAY)
    with refused(RuleViolation, match="2026-03-29"):
        series_slots(dates, time(3, 30), time(4, 30), ZONE)


@pytest.mark.parametrize(("ambiguity", "utc_hour"), [(Ambiguity.EARLIER, 0), (Ambiguity.LATER, 1)])
def test_the_fall_back_hour_needs_a_choice(ambiguity: Ambiguity, utc_hour: int) -> None:
    dates = [date(2026, 10, 25)]
    with refused(RuleViolation, match="happens twice"):
        series_slots(dates, time(3, 30), time(5, 0), ZONE)
    (slot,) = series_slots(dates, time(3, 30), time(5, 0), ZONE, ambiguity)
    assert (slot.meeting.start.hour, slot.meeting.start.minute) == (utc_hour, 30)


def test_an_evening_running_past_midnight_ends_the_next_day() -> None:
    (slot,) = series_slots([date(2026, 6, 1)], time(20), time(1), ZONE)
    assert slot.meeting.duration == timedelta(hours=5)


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (Rule(Frequency.DAILY, count=100_000), "recurrence.count"),
        (Rule(Frequency.DAILY, until=TODAY + timedelta(days=3650)), "recurrence.until"),
        (Rule(Frequency.DAILY, interval=0, count=3), "recurrence.interval"),
        (Rule(Frequency.DAILY, interval=-2, count=3), "recurrence.interval"),
        (Rule(Frequency.WEEKLY, count=3), "recurrence.weekdays"),
        (Rule(Frequency.WEEKLY, weekdays=frozenset({7}), count=3), "recurrence.weekdays"),
        (Rule(Frequency.MONTHLY, count=3), "recurrence"),
        (Rule(Frequency.MONTHLY, month_day=32, count=3), "recurrence.month_day"),
        (Rule(Frequency.MONTHLY, nth=6, weekdays=frozenset({0}), count=3), "recurrence.nth"),
        (Rule(Frequency.MONTHLY, nth=1, count=3), "recurrence.weekdays"),
        (Rule(Frequency.DAILY), "recurrence"),
        (Rule(Frequency.DAILY, count=3, until=TODAY), "recurrence"),
        (Rule(Frequency.DAILY, until=TODAY - timedelta(days=1)), "recurrence.until"),
        (Rule(Frequency.WEEKLY, month_day=3, weekdays=frozenset({1}), count=2), "recurrence"),
        (
            Rule(Frequency.MONTHLY, month_day=3, weekdays=frozenset({1}), count=2),
            "recurrence.weekdays",
        ),
        # Every day for two years is more than 500 dates.
        (Rule(Frequency.DAILY, until=TODAY + timedelta(days=700)), "recurrence"),
        # The 5th Monday of February 2027 only: no such date.
        (
            Rule(
                Frequency.MONTHLY,
                nth=5,
                weekdays=frozenset({0}),
                until=date(2027, 2, 28),
            ),
            "recurrence",
        ),
    ],
)
def test_bad_rules_are_refused_with_the_field(rule: Rule, field: str) -> None:
    first = TODAY if rule.until != date(2027, 2, 28) else date(2027, 2, 1)
    with pytest.raises(RuleViolation) as refused:
        series_dates(rule, first, TODAY)
    assert field in [p.field for p in refused.value.problems]


def test_a_count_that_does_not_fit_in_two_years_is_refused() -> None:
    rule = Rule(Frequency.MONTHLY, month_day=1, count=30)
    with refused(RuleViolation, match="only 24 dates fit"):
        series_dates(rule, TODAY, TODAY)


@pytest.mark.parametrize(
    ("rule", "first"),
    [
        # Day 30 every 12 months from February: never.
        (Rule(Frequency.MONTHLY, month_day=30, interval=12, count=2), date(2027, 2, 1)),
        (
            Rule(Frequency.MONTHLY, month_day=31, interval=12, until=date(2027, 9, 1)),
            date(2026, 4, 1),
        ),
        (Rule(Frequency.MONTHLY, month_day=31, interval=24, count=2), date(2026, 4, 1)),
        # Every 7th day from a Monday is always a Monday, never a Tuesday.
        (Rule(Frequency.DAILY, interval=7, weekdays=frozenset({1}), count=3), TODAY),
    ],
)
def test_a_rule_that_never_matches_is_refused_not_searched_for_ever(
    rule: Rule, first: date
) -> None:
    with pytest.raises(RuleViolation) as refused:
        series_dates(rule, first, TODAY)
    assert reasons(refused.value) == [
        ("recurrence", "this rule gives no date between its start and end")
    ]


def test_a_stray_fold_does_not_hide_a_missing_hour() -> None:
    # 03:30 of 28 March 2027 does not exist, whatever fold the wall-clock time carries.
    with refused(RuleViolation, match="does not exist on 2027-03-28"):
        series_slots([date(2027, 3, 28)], time(3, 30, fold=1), time(4, 30), ZONE)
