"""When the scheduled messages fall due, and which days and weeks they are about.

Each message is due from a local wall-clock time on, until its day (or week) is over: a job that
runs every minute writes what is due and not yet written, so a worker that was down at the
time writes it when it is back, and the outbox's dedupe key keeps a second run from writing it
twice. Times are wall-clock times in a zone (the building's, or the service's default), so
18:00 stays 18:00 on the days the clocks change.

- Reminder: 18:00 the day before each date of an approved request, until that day begins.
- Pending soon: from 48 hours before a request's first start, while it still waits.
- Daily digest: 07:30 each day, of what waited for a decision then and still waits.
- Failed summary: Mondays 08:00, of the deliveries that failed in the 7 days before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking.core.booking import Slot
from booking.core.workflow import Status

REMINDER_AT = time(18, 0)  # the evening before: late enough that the day's plans are made
# A reminder due now is about a date that ends at most this long after now: from 18:00 to the
# end of the next day, which is 25 hours long when the clocks go back.
REMINDER_HORIZON = timedelta(hours=31)
PENDING_SOON_WITHIN = timedelta(hours=48)
DIGEST_AT = time(7, 30)  # before the working day starts
FAILED_SUMMARY_AT = time(8, 0)
FAILED_SUMMARY_WEEKDAY = 0  # Monday
FAILED_SUMMARY_COVERS = timedelta(days=7)  # in local days: from the Monday before, 08:00


def instant_of(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of the wall-clock time `at` on `day` in `zone`. A time the clocks skip
    (spring forward) is read with the offset before the change, i.e. an hour later on the new
    clock; a time that happens twice (fall back) is its first occurrence."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def local_date_of(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


@dataclass(frozen=True, slots=True)
class EventDay:
    """One local date of an approved request: its reminder is about that date."""

    day: date
    zone: ZoneInfo  # the zone of the building of the day's first slot
    first_start: datetime

    @property
    def reminder_from(self) -> datetime:
        return instant_of(self.day - timedelta(days=1), REMINDER_AT, self.zone)

    @property
    def reminder_until(self) -> datetime:
        """The day itself begins: a reminder "for tomorrow" said on the day would be wrong."""
        return instant_of(self.day, time(0), self.zone)

    def reminder_due(self, now: datetime) -> bool:
        return self.reminder_from <= now < self.reminder_until


def event_days(slots: Iterable[Slot]) -> list[EventDay]:
    """The local dates of the approved slots, each with its first start (a series has one
    per date; several rooms on one date make one)."""
    firsts: dict[date, Slot] = {}
    for slot in slots:
        if slot.status != Status.APPROVED:
            continue  # a date cancelled or refused on its own has no event
        day = slot.local_day
        if day not in firsts or slot.meeting.start < firsts[day].meeting.start:
            firsts[day] = slot
    return [
        EventDay(day, ZoneInfo(slot.zone), slot.meeting.start)
        for day, slot in sorted(firsts.items())
    ]


def reminders_due(slots: Iterable[Slot], now: datetime) -> list[EventDay]:
    """The dates of an approved request whose reminder is due at `now`."""
    return [day for day in event_days(slots) if day.reminder_due(now)]


def pending_soon_due(first_start: datetime, now: datetime) -> bool:
    """An undecided request is worth a warning from 48 hours before it starts until it does."""
    return first_start - PENDING_SOON_WITHIN <= now < first_start


@dataclass(frozen=True, slots=True)
class DigestDay:
    day: date
    at: datetime  # 07:30 that day: the digest lists what waited then (and still waits)


def digest_due(now: datetime, zone: ZoneInfo) -> DigestDay | None:
    """Today's digest, once 07:30 has come today in `zone`; None before."""
    today = local_date_of(now, zone)
    at = instant_of(today, DIGEST_AT, zone)
    return DigestDay(today, at) if now >= at else None


@dataclass(frozen=True, slots=True)
class SummaryWeek:
    week: str  # the ISO week, e.g. "2027-W13"
    at: datetime  # Monday 08:00 of that week
    since: datetime  # the failures listed are those since the Monday before, 08:00


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def failed_summary_due(now: datetime, zone: ZoneInfo) -> SummaryWeek | None:
    """This week's summary, once Monday 08:00 has come in `zone`; None before."""
    today = local_date_of(now, zone)
    monday = today - timedelta(days=(today.weekday() - FAILED_SUMMARY_WEEKDAY) % 7)
    at = instant_of(monday, FAILED_SUMMARY_AT, zone)
    if now < at:
        return None
    since = instant_of(monday - FAILED_SUMMARY_COVERS, FAILED_SUMMARY_AT, zone)
    return SummaryWeek(iso_week(monday), at, since)
