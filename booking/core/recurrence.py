"""Recurring series: which local dates a rule gives, and the instants of each meeting.

Rules are expanded in the building's local time, so a 10:00 seminar stays at 10:00 across the
daylight-saving changes: the date and wall-clock time repeat, the UTC instant moves. A wall-clock
time that does not exist on some date (the spring-forward hour) is refused with that date; one
that happens twice (the fall-back hour) needs the requester's choice of the earlier or the later.

The dates follow RFC 5545 as python-dateutil's rrule does (the tests compare the two): the first
date counts only if it matches the rule, COUNT counts matching dates, UNTIL is inclusive, a
monthly rule on day 31 skips the months without one.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from booking.core.errors import FieldProblem, RuleViolation, refused
from booking.core.localtime import local_time_exists, local_time_is_ambiguous
from booking.core.messages import Message
from booking.core.timespan import TimeSpan

MAX_OCCURRENCES = 500
MAX_HORIZON = timedelta(days=731)  # two years ahead of today, leap day included
MAX_INTERVAL = 99


def horizon(today: date) -> date:
    """The last day a series may have a date on."""
    return today + MAX_HORIZON


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Ambiguity(StrEnum):
    """Which of the two fall-back hours a wall-clock time means."""

    EARLIER = "earlier"  # still summer time
    LATER = "later"  # already winter time


@dataclass(frozen=True, slots=True)
class Rule:
    frequency: Frequency
    interval: int = 1
    # DAILY: only these weekdays if given (0 = Monday); WEEKLY: the weekdays it repeats on.
    weekdays: frozenset[int] = field(default_factory=frozenset)
    # MONTHLY: either a day of the month, or the n-th (1..5, or -1 for last) `weekday`.
    month_day: int | None = None
    nth: int | None = None
    until: date | None = None
    count: int | None = None


def check_rule(rule: Rule, first: date, today: date) -> None:
    """Refuse rules that are malformed or reach too far, before expanding anything."""
    problems: list[FieldProblem] = []
    if not 1 <= rule.interval <= MAX_INTERVAL:
        problems.append(
            FieldProblem(
                "recurrence.interval", Message("range.from_to", first=1, last=MAX_INTERVAL)
            )
        )
    if any(not 0 <= d <= 6 for d in rule.weekdays):
        problems.append(FieldProblem("recurrence.weekdays", Message("series.weekday_range")))
    if rule.frequency is Frequency.WEEKLY and not rule.weekdays:
        problems.append(FieldProblem("recurrence.weekdays", Message("series.weekday_needed")))
    if rule.frequency is Frequency.MONTHLY:
        by_day = rule.month_day is not None
        by_weekday = rule.nth is not None
        if by_day == by_weekday:
            problems.append(FieldProblem("recurrence", Message("series.monthly_needs_day_or_nth")))
        if by_day and not 1 <= (rule.month_day or 0) <= 31:
            problems.append(
                FieldProblem("recurrence.month_day", Message("range.from_to", first=1, last=31))
            )
        if by_day and rule.weekdays:
            problems.append(
                FieldProblem("recurrence.weekdays", Message("series.no_weekdays_with_month_day"))
            )
        if by_weekday:
            if rule.nth not in (1, 2, 3, 4, 5, -1):
                problems.append(FieldProblem("recurrence.nth", Message("series.nth_range")))
            if len(rule.weekdays) != 1:
                problems.append(
                    FieldProblem("recurrence.weekdays", Message("series.one_weekday_with_nth"))
                )
    elif rule.month_day is not None or rule.nth is not None:
        problems.append(FieldProblem("recurrence", Message("series.day_or_nth_only_monthly")))
    if (rule.until is None) == (rule.count is None):
        problems.append(FieldProblem("recurrence", Message("series.until_or_count")))
    if rule.count is not None and not 1 <= rule.count <= MAX_OCCURRENCES:
        problems.append(
            FieldProblem("recurrence.count", Message("series.too_many_dates", most=MAX_OCCURRENCES))
        )
    last_day = horizon(today)
    if rule.until is not None:
        if rule.until < first:
            problems.append(FieldProblem("recurrence.until", Message("series.until_before_first")))
        elif rule.until > last_day:
            problems.append(
                FieldProblem("recurrence.until", Message("series.horizon", last=last_day))
            )
    if problems:
        raise RuleViolation(problems)


def _months(start: date, step: int, last: date) -> Iterator[tuple[int, int]]:
    year, month = start.year, start.month
    while date(year, month, 1) <= last:
        yield year, month
        month += step
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    days = [
        date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == weekday
    ]
    if nth == -1:
        return days[-1]
    return days[nth - 1] if nth <= len(days) else None


def _candidates(rule: Rule, first: date, last: date) -> Iterator[date]:
    """Matching dates from `first` on, in order, up to `last` at the latest. Bounded by `last`,
    not by a count of dates: a rule may match rarely or never (day 31 every 12 months from
    April, a weekday a daily rule with a 7-day step never lands on)."""
    if rule.frequency is Frequency.DAILY:
        day = first
        while day <= last:
            if not rule.weekdays or day.weekday() in rule.weekdays:
                yield day
            day += timedelta(days=rule.interval)
    elif rule.frequency is Frequency.WEEKLY:
        week = first - timedelta(days=first.weekday())  # weeks start on Monday
        while week <= last:
            for weekday in sorted(rule.weekdays):
                day = week + timedelta(days=weekday)
                if day >= first:
                    yield day
            week += timedelta(weeks=rule.interval)
    else:
        for year, month in _months(first, rule.interval, last):
            if rule.month_day is not None:
                if rule.month_day > calendar.monthrange(year, month)[1]:
                    continue
                day = date(year, month, rule.month_day)
            else:
                assert rule.nth is not None
                (weekday,) = rule.weekdays
                found = _nth_weekday(year, month, weekday, rule.nth)
                if found is None:
                    continue
                day = found
            if day >= first:
                yield day


def series_dates(rule: Rule, first: date, today: date) -> list[date]:
    """The dates of the series, checked against the caps (at most MAX_OCCURRENCES, none more
    than MAX_HORIZON after today)."""
    check_rule(rule, first, today)
    last_day = horizon(today)
    last = rule.until or last_day
    dates: list[date] = []
    for day in _candidates(rule, first, last):
        if day > last:
            break
        dates.append(day)
        if rule.count is not None and len(dates) == rule.count:
            break
        if len(dates) > MAX_OCCURRENCES:
            break
    if len(dates) > MAX_OCCURRENCES:
        raise refused("recurrence", Message("series.too_many_dates", most=MAX_OCCURRENCES))
    if not dates:
        raise refused("recurrence", Message("series.no_dates"))
    if rule.count is not None and len(dates) < rule.count:
        raise refused(
            "recurrence.count",
            Message("series.count_beyond_horizon", fit=len(dates), last=last_day),
        )
    return dates


@dataclass(frozen=True, slots=True)
class SeriesSlot:
    day: date
    meeting: TimeSpan


def _instant(day: date, wall: time, zone: ZoneInfo, ambiguity: Ambiguity | None) -> datetime:
    # Which reading of a repeated hour is meant is `ambiguity`'s to say, never a stray fold.
    local = datetime.combine(day, wall.replace(fold=0), zone)
    if local.utcoffset() == local.replace(fold=1).utcoffset():
        # Both readings agree: no clock change at this time (all but two hours a year).
        return local.astimezone(UTC)
    naive = local.replace(tzinfo=None)
    wall_time = f"{wall:%H:%M}"
    if not local_time_exists(naive, zone):
        raise refused(
            "start", Message("series.time_does_not_exist", time=wall_time, day=day, zone=zone.key)
        )
    if local_time_is_ambiguous(naive, zone):
        if ambiguity is None:
            raise refused(
                "ambiguous",
                Message("series.time_happens_twice", time=wall_time, day=day, zone=zone.key),
            )
        naive = naive.replace(fold=1 if ambiguity is Ambiguity.LATER else 0)
    # In UTC: Python compares two datetimes of the same zone by wall clock, ignoring the fold.
    return naive.replace(tzinfo=zone).astimezone(UTC)


def series_slots(
    dates: list[date],
    start: time,
    end: time,
    zone: ZoneInfo,
    ambiguity: Ambiguity | None = None,
) -> list[SeriesSlot]:
    """The meeting of every date: the same wall-clock times, ending the next day if `end` is
    not after `start` (an evening event running past midnight)."""
    slots = []
    for day in dates:
        begins = _instant(day, start, zone, ambiguity)
        end_day = day if end > start else day + timedelta(days=1)
        ends = _instant(end_day, end, zone, ambiguity)
        slots.append(SeriesSlot(day, TimeSpan(begins, ends)))
    return slots
