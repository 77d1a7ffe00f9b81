"""A recurring series as a request keeps it, and the rules its dates must keep to.

The rule (core.recurrence) gives the dates; the series adds the wall-clock times and rooms of
its dates, in the building's zone, and the changes "from this date on" made since, so that a date
restored later gets the times and rooms of its own part of the series.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from booking.core.booking_rules import Breach
from booking.core.conflicts import Conflict, Placement, overlapping_own
from booking.core.errors import refused
from booking.core.localtime import wall_clock
from booking.core.messages import Message
from booking.core.recurrence import (
    Ambiguity,
    Frequency,
    Rule,
    horizon,
    series_dates,
    series_slots,
)
from booking.core.timespan import TimeSpan

# Occurrences one request may create: a 500-date series in four rooms.
MAX_PLACEMENTS = 2000
MAX_DATE_LENGTH = timedelta(hours=24)
# An end before the start means the dates run past midnight; beyond this, a slip of the pen.
MAX_OVERNIGHT = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class SeriesDay:
    """What the series says a date looks like: wall-clock times and rooms."""

    start_time: time
    end_time: time
    rooms: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SeriesChange:
    """From `first` on, the dates have these times and rooms."""

    first: date
    day: SeriesDay


@dataclass(frozen=True, slots=True)
class Series:
    rule: Rule
    day: SeriesDay  # as created
    zone: str
    ambiguity: Ambiguity | None
    changes: tuple[SeriesChange, ...] = ()

    def on(self, day: date, fallback_rooms: Sequence[int] = ()) -> SeriesDay:
        """The times and rooms of the series on `day`: as created, or as the last change "from
        a date on" made on or before that day says."""
        current = self.day
        if not current.rooms:
            current = replace(current, rooms=tuple(fallback_rooms))
        for change in self.changes:
            if change.first <= day:
                current = change.day
        return current

    def changed_from(self, day: date, new: SeriesDay) -> Series:
        """The series after a change from `day` on, which replaces any change from a later
        day."""
        kept = tuple(c for c in self.changes if c.first < day)
        return replace(self, changes=(*kept, SeriesChange(day, new)))

    def as_data(self) -> dict[str, Any]:
        """The series as JSON-able data: how it is stored, and how the API shows it."""
        rule = self.rule
        return {
            "frequency": rule.frequency.value,
            "interval": rule.interval,
            "weekdays": sorted(rule.weekdays),
            "month_day": rule.month_day,
            "nth": rule.nth,
            "until": rule.until.isoformat() if rule.until else None,
            "count": rule.count,
            "start_time": f"{self.day.start_time:%H:%M}",
            "end_time": f"{self.day.end_time:%H:%M}",
            "zone": self.zone,
            "ambiguous": self.ambiguity.value if self.ambiguity else None,
            "rooms": list(self.day.rooms),
            "changes": [
                {
                    "from": c.first.isoformat(),
                    "start_time": f"{c.day.start_time:%H:%M}",
                    "end_time": f"{c.day.end_time:%H:%M}",
                    "rooms": list(c.day.rooms),
                }
                for c in self.changes
            ],
        }

    @staticmethod
    def from_data(data: Mapping[str, Any]) -> Series:
        rule = Rule(
            frequency=Frequency(data["frequency"]),
            interval=data.get("interval", 1),
            weekdays=frozenset(data.get("weekdays") or ()),
            month_day=data.get("month_day"),
            nth=data.get("nth"),
            until=date.fromisoformat(data["until"]) if data.get("until") else None,
            count=data.get("count"),
        )
        return Series(
            rule=rule,
            day=_day(data["start_time"], data["end_time"], data.get("rooms") or ()),
            zone=data["zone"],
            ambiguity=Ambiguity(data["ambiguous"]) if data.get("ambiguous") else None,
            changes=tuple(
                SeriesChange(
                    date.fromisoformat(c["from"]),
                    _day(c["start_time"], c["end_time"], c["rooms"]),
                )
                for c in data.get("changes") or ()
            ),
        )


def _day(start: str, end: str, rooms: Iterable[int]) -> SeriesDay:
    return SeriesDay(time.fromisoformat(start), time.fromisoformat(end), tuple(rooms))


def check_date_length(meeting_length: timedelta) -> None:
    if meeting_length > MAX_DATE_LENGTH:
        raise refused("end", Message("series.date_too_long"))


def check_moved_date(meeting: TimeSpan, zone: ZoneInfo, now: datetime) -> None:
    """A date of a series given a time of its own: no longer than a series' date, and no
    later than a series may reach."""
    check_date_length(meeting.duration)
    last_day = horizon(now.astimezone(zone).date())
    if meeting.start.astimezone(zone).date() > last_day:
        raise refused("start", Message("series.horizon", last=last_day))


def check_wall_clock_times(day: SeriesDay) -> None:
    start = datetime.combine(date.min, day.start_time)
    end = datetime.combine(date.min, day.end_time)
    if end == start:
        raise refused("end_time", Message("series.end_time_equals_start"))
    if end < start and end + timedelta(days=1) - start > MAX_OVERNIGHT:
        hours = (end + timedelta(days=1) - start).seconds // 3600
        raise refused("end_time", Message("series.overnight_too_long", hours=hours))


def check_size(placements: Sequence[Placement]) -> None:
    if len(placements) > MAX_PLACEMENTS:
        raise refused(
            "recurrence",
            Message("series.too_many_placements", asked=len(placements), most=MAX_PLACEMENTS),
        )


def check_dates_apart(placements: Sequence[Placement], field: str = "end") -> None:
    """The dates of one request must not block a room at the same time as each other."""
    clash = overlapping_own(placements)
    if clash is not None:
        first, second = clash
        raise refused(
            field,
            Message(
                "series.dates_overlap",
                first=first.meeting.start.date(),
                second=second.meeting.start.date(),
            ),
        )


def local_date(instant: datetime, zone: str) -> date:
    return instant.astimezone(ZoneInfo(zone)).date()


@dataclass(frozen=True, slots=True)
class SkippedDate:
    """A date a series left out, and why."""

    day: date
    reason: Message


def without_dates(
    placements: Sequence[Placement], reasons: Mapping[date, Message], zones: Mapping[int, str]
) -> tuple[list[Placement], list[SkippedDate]]:
    """Drop every date (a local day, in each room's zone) that has a reason to go."""
    kept = [p for p in placements if local_date(p.meeting.start, zones[p.room_id]) not in reasons]
    return kept, [SkippedDate(day, reasons[day]) for day in sorted(reasons)]


def broken_dates(broken: Iterable[Breach], zones: Mapping[int, str]) -> dict[date, Message]:
    """The dates on which a room's rules refuse a slot, with the first reason of each."""
    reasons: dict[date, Message] = {}
    for breach in broken:
        day = local_date(breach.placement.meeting.start, zones[breach.placement.room_id])
        reasons.setdefault(day, breach.reason)
    return reasons


def taken_dates(
    conflicts: Iterable[Conflict], codes: Mapping[int, str], zones: Mapping[int, str]
) -> dict[date, Message]:
    """The dates on which a room is taken, each with the first room and request in the way."""
    reasons: dict[date, Message] = {}
    for conflict in conflicts:
        room_id = conflict.wanted.room_id
        day = local_date(conflict.wanted.meeting.start, zones[room_id])
        reasons.setdefault(
            day,
            Message("series.date_taken", room=codes[room_id], by=conflict.existing.booking_id),
        )
    return reasons


def series_meetings(
    start: datetime,
    end: datetime,
    rule: Rule,
    zone: ZoneInfo,
    ambiguity: Ambiguity | None,
    rooms: Sequence[int],
    now: datetime,
) -> tuple[list[TimeSpan], Series]:
    """The meeting of every date of a new series, and the series as the request keeps it.
    `start` and `end` give the first date and the wall-clock times of every date."""
    first, last = wall_clock(start, zone, "start"), wall_clock(end, zone, "end")
    if last <= first:
        raise refused("end", Message("span.end_before_start"))
    check_date_length(last - first)
    dates = series_dates(rule, first.date(), now.astimezone(zone).date())
    if ambiguity is None and first.fold:
        # A start given with the offset of the second of two repeated hours means that one.
        ambiguity = Ambiguity.LATER
    day = SeriesDay(first.time().replace(fold=0), last.time().replace(fold=0), tuple(rooms))
    slots = series_slots(dates, day.start_time, day.end_time, zone, ambiguity)
    return [slot.meeting for slot in slots], Series(rule, day, zone.key, ambiguity)
