"""When the scheduled messages fall due: local wall-clock times, kept across the days the
clocks change (Europe/Bucharest: 2027-03-28 03:00→04:00, 2027-10-31 04:00→03:00)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.core.booking import Slot
from booking.core.scheduled_messages import (
    REMINDER_HORIZON,
    digest_due,
    event_days,
    failed_summary_due,
    instant_of,
    iso_week,
    pending_soon_due,
    reminders_due,
)
from booking.core.timespan import TimeSpan

BUCHAREST = ZoneInfo("Europe/Bucharest")
ONE_MINUTE = timedelta(minutes=1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def slot(start: str, status: str = "approved", hours: int = 2, slot_id: int = 1) -> Slot:
    begins = datetime.fromisoformat(start).replace(tzinfo=BUCHAREST).astimezone(UTC)
    meeting = TimeSpan(begins, begins + timedelta(hours=hours))
    return Slot(slot_id, 1, "R-1", 1, "Europe/Bucharest", meeting, meeting, status)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2027, 3, 27), "2027-03-27T16:00:00+00:00"),  # winter time, +02:00
        (date(2027, 3, 28), "2027-03-28T15:00:00+00:00"),  # the spring change's day: +03:00
        (date(2027, 10, 30), "2027-10-30T15:00:00+00:00"),
        (date(2027, 10, 31), "2027-10-31T16:00:00+00:00"),  # the autumn change's day: +02:00
    ],
)
def test_18_00_stays_18_00_across_the_clock_changes(day: date, expected: str) -> None:
    assert instant_of(day, time(18), BUCHAREST).isoformat() == expected


def test_a_time_the_clocks_skip_is_read_an_hour_later_and_a_repeated_one_the_first_time() -> None:
    skipped = instant_of(date(2027, 3, 28), time(3, 30), BUCHAREST)
    assert skipped.astimezone(BUCHAREST).strftime("%H:%M") == "04:30"
    twice = instant_of(date(2027, 10, 31), time(3, 30), BUCHAREST)
    assert twice == utc("2027-10-31T00:30")  # 03:30 summer time, the first of the two


@pytest.mark.parametrize(
    ("event", "due_from_utc"),
    [
        ("2027-01-20T10:00", "2027-01-19T16:00"),
        ("2027-03-28T10:00", "2027-03-27T16:00"),  # on the spring change's day: asked the eve
        ("2027-03-29T10:00", "2027-03-28T15:00"),  # the eve is the change's day: summer time
        ("2027-10-31T10:00", "2027-10-30T15:00"),
        ("2027-11-01T10:00", "2027-10-31T16:00"),  # the eve is the autumn change's day
    ],
)
def test_a_reminder_is_due_from_18_00_the_day_before(event: str, due_from_utc: str) -> None:
    slots = [slot(event)]
    due_from = utc(due_from_utc)
    assert reminders_due(slots, due_from - ONE_MINUTE) == []
    (due,) = reminders_due(slots, due_from)
    assert due.day == datetime.fromisoformat(event).date()
    # a run that comes late, in the evening, still writes it
    assert reminders_due(slots, due_from + timedelta(hours=5)) == [due]


def test_a_reminder_is_not_due_once_its_day_has_begun() -> None:
    slots = [slot("2027-01-20T10:00")]
    midnight = datetime(2027, 1, 20, tzinfo=BUCHAREST).astimezone(UTC)
    assert reminders_due(slots, midnight - ONE_MINUTE) != []
    assert reminders_due(slots, midnight) == []


def test_a_series_has_one_reminder_per_date_and_a_date_of_two_rooms_one() -> None:
    slots = [
        slot("2027-01-20T14:00", slot_id=1),
        slot("2027-01-20T10:00", slot_id=2),  # another room, earlier that day
        slot("2027-01-27T10:00", slot_id=3),
        slot("2027-02-03T10:00", status="cancelled", slot_id=4),  # cancelled on its own
    ]
    days = event_days(slots)
    assert [d.day for d in days] == [date(2027, 1, 20), date(2027, 1, 27)]
    assert days[0].first_start == utc("2027-01-20T08:00")
    assert [d.day for d in reminders_due(slots, utc("2027-01-19T17:00"))] == [date(2027, 1, 20)]
    assert [d.day for d in reminders_due(slots, utc("2027-01-26T17:00"))] == [date(2027, 1, 27)]
    assert reminders_due(slots, utc("2027-02-02T17:00")) == []


def test_the_horizon_reaches_the_end_of_a_25_hour_day() -> None:
    # At 18:00 on 2027-10-30 the reminders of 2027-10-31 are due; that day ends 31 hours later.
    due = instant_of(date(2027, 10, 30), time(18), BUCHAREST)
    end = datetime(2027, 11, 1, tzinfo=BUCHAREST).astimezone(UTC)
    assert end - due == REMINDER_HORIZON


def test_pending_soon_is_due_48_hours_before_the_start_until_it() -> None:
    start = utc("2027-01-20T08:00")
    assert not pending_soon_due(start, start - timedelta(hours=48) - ONE_MINUTE)
    assert pending_soon_due(start, start - timedelta(hours=48))
    assert pending_soon_due(start, start - ONE_MINUTE)
    assert not pending_soon_due(start, start)


@pytest.mark.parametrize(
    ("day", "at_utc"),
    [
        ("2027-01-20", "2027-01-20T05:30"),
        ("2027-03-28", "2027-03-28T04:30"),  # summer time from 03:00 that morning
        ("2027-10-31", "2027-10-31T05:30"),  # winter time from 04:00 that morning
    ],
)
def test_the_digest_is_due_from_07_30_local(day: str, at_utc: str) -> None:
    at = utc(at_utc)
    assert digest_due(at - ONE_MINUTE, BUCHAREST) is None
    due = digest_due(at, BUCHAREST)
    assert due is not None
    assert (due.day.isoformat(), due.at) == (day, at)
    # late the same evening: still today's
    assert digest_due(at + timedelta(hours=14), BUCHAREST) == due


def test_after_midnight_the_digest_waits_for_the_day_s_07_30() -> None:
    assert digest_due(utc("2027-01-20T22:30"), BUCHAREST) is None  # 00:30 on the 21st


def test_the_failed_summary_is_due_from_monday_08_00_for_the_whole_week() -> None:
    monday = utc("2027-03-29T05:00")  # 08:00 summer time, the day after the spring change
    assert failed_summary_due(monday - ONE_MINUTE, BUCHAREST) is None
    due = failed_summary_due(monday, BUCHAREST)
    assert due is not None
    assert due.week == "2027-W13"
    assert due.at == monday
    assert due.since == utc("2027-03-22T06:00")  # the Monday before, 08:00 winter time
    sunday_night = utc("2027-04-04T20:00")  # 23:00 on Sunday: the same week, still due
    assert failed_summary_due(sunday_night, BUCHAREST) == due
    assert failed_summary_due(utc("2027-04-04T21:30"), BUCHAREST) is None  # Monday 00:30


def test_iso_weeks_at_the_turn_of_the_year() -> None:
    assert iso_week(date(2027, 1, 4)) == "2027-W01"
    assert iso_week(date(2026, 12, 28)) == "2026-W53"
