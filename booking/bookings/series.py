"""Turning a request with a recurrence into the meetings of its dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from booking.bookings.schemas import BookingCreate, RecurrenceSpec
from booking.core.booking_rules import Breach
from booking.core.conflicts import Conflict, Placement, overlapping_own
from booking.core.errors import FieldProblem, RuleViolation
from booking.core.localtime import EARLIEST_YEAR, LATEST_YEAR
from booking.core.recurrence import (
    Ambiguity,
    Frequency,
    Rule,
    series_dates,
    series_slots,
)
from booking.core.rooms import RoomFacts
from booking.core.timespan import TimeSpan

# Occurrences one request may create: a 500-date series in four rooms.
MAX_PLACEMENTS = 2000
MAX_DATE_LENGTH = timedelta(hours=24)


def _wall_clock(value: datetime, zone: ZoneInfo, field: str) -> datetime:
    """The local wall-clock time a requester meant, naive."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise RuleViolation(
            [FieldProblem(field, f"give a year between {EARLIEST_YEAR} and {LATEST_YEAR}")]
        )
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(zone).replace(tzinfo=None)
    return value


def rule_of(spec: RecurrenceSpec) -> Rule:
    return Rule(
        frequency=Frequency(spec.frequency),
        interval=spec.interval,
        weekdays=frozenset(spec.weekdays),
        month_day=spec.month_day,
        nth=spec.nth,
        until=spec.until,
        count=spec.count,
    )


def series_meetings(
    data: BookingCreate, spec: RecurrenceSpec, zone: ZoneInfo, now: datetime
) -> tuple[list[TimeSpan], dict[str, Any]]:
    """The meeting of every date, and the rule as stored on the booking."""
    start = _wall_clock(data.start, zone, "start")
    end = _wall_clock(data.end, zone, "end")
    if end <= start:
        raise RuleViolation([FieldProblem("end", "must be after start")])
    if end - start > MAX_DATE_LENGTH:
        raise RuleViolation(
            [FieldProblem("end", "each date of a series may last at most 24 hours")]
        )
    today = now.astimezone(zone).date()
    dates = series_dates(rule_of(spec), start.date(), today)
    ambiguity = Ambiguity(data.ambiguous) if data.ambiguous else None
    if ambiguity is None and start.fold:
        # A start given with the offset of the second of two repeated hours means that one.
        ambiguity = Ambiguity.LATER
    slots = series_slots(
        dates, start.time().replace(fold=0), end.time().replace(fold=0), zone, ambiguity
    )
    stored = {
        "frequency": spec.frequency,
        "interval": spec.interval,
        "weekdays": sorted(spec.weekdays),
        "month_day": spec.month_day,
        "nth": spec.nth,
        "until": spec.until.isoformat() if spec.until else None,
        "count": spec.count,
        "start_time": f"{start:%H:%M}",
        "end_time": f"{end:%H:%M}",
        "zone": zone.key,
        "ambiguous": ambiguity.value if ambiguity else None,
        "rooms": list(dict.fromkeys(data.rooms)),
        "changes": [],
    }
    return [slot.meeting for slot in slots], stored


@dataclass(frozen=True, slots=True)
class SeriesDay:
    """What the series says a date looks like: wall-clock times and rooms."""

    start_time: time
    end_time: time
    rooms: list[int]


def series_day(rule: dict[str, Any], day: date, fallback_rooms: list[int]) -> SeriesDay:
    """The times and rooms of the series on `day`: as created, or as the last change "from a
    date on" made on or before that day says."""
    current = SeriesDay(
        time.fromisoformat(rule["start_time"]),
        time.fromisoformat(rule["end_time"]),
        list(rule.get("rooms") or fallback_rooms),
    )
    for change in rule.get("changes", []):
        if date.fromisoformat(change["from"]) <= day:
            current = SeriesDay(
                time.fromisoformat(change["start_time"]),
                time.fromisoformat(change["end_time"]),
                list(change["rooms"]),
            )
    return current


# An end before the start means the dates run past midnight; beyond this, a slip of the pen.
MAX_OVERNIGHT = timedelta(hours=12)


def check_wall_clock_times(day: SeriesDay) -> None:
    start = datetime.combine(date.min, day.start_time)
    end = datetime.combine(date.min, day.end_time)
    if end == start:
        raise RuleViolation([FieldProblem("end_time", "must differ from start_time")])
    if end < start and end + timedelta(days=1) - start > MAX_OVERNIGHT:
        raise RuleViolation(
            [
                FieldProblem(
                    "end_time",
                    f"is before start_time: each date would run past midnight, "
                    f"{(end + timedelta(days=1) - start).seconds // 3600} hours; give an end "
                    "after the start",
                )
            ]
        )


def with_change_from(rule: dict[str, Any], day: date, new: SeriesDay) -> dict[str, Any]:
    """The rule after a change from `day` on, which replaces any change from a later day."""
    kept = [c for c in rule.get("changes", []) if date.fromisoformat(c["from"]) < day]
    change = {
        "from": day.isoformat(),
        "start_time": f"{new.start_time:%H:%M}",
        "end_time": f"{new.end_time:%H:%M}",
        "rooms": new.rooms,
    }
    return rule | {"changes": [*kept, change]}


def check_size(placements: list[Placement]) -> None:
    if len(placements) > MAX_PLACEMENTS:
        raise RuleViolation(
            [
                FieldProblem(
                    "recurrence",
                    f"{len(placements)} room-dates asked for; one request may hold at most "
                    f"{MAX_PLACEMENTS}",
                )
            ]
        )


def check_dates_apart(placements: list[Placement], field: str = "end") -> None:
    """The dates of one request must not block a room at the same time as each other."""
    clash = overlapping_own(placements)
    if clash is not None:
        first, second = clash
        raise RuleViolation(
            [
                FieldProblem(
                    field,
                    f"two dates of this request ({first.meeting.start.date()} and "
                    f"{second.meeting.start.date()}) overlap once the room's setup and teardown"
                    " are added",
                )
            ]
        )


def without_broken_dates(
    placements: list[Placement], broken: list[Breach], rooms: dict[int, RoomFacts]
) -> tuple[list[Placement], list[dict[str, str]]]:
    """Drop every date on which a room's rules refuse a slot; say why."""
    reasons: dict[str, str] = {}
    for breach in broken:
        room = rooms[breach.placement.room_id]
        reasons.setdefault(local_date(breach.placement.meeting.start, room.zone), breach.reason)
    kept = [
        p for p in placements if local_date(p.meeting.start, rooms[p.room_id].zone) not in reasons
    ]
    return kept, [{"date": day, "reason": reasons[day]} for day in sorted(reasons)]


def local_date(instant: datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).date().isoformat()


def without_taken_dates(
    placements: list[Placement], conflicts: list[Conflict], rooms: dict[int, RoomFacts]
) -> tuple[list[Placement], list[dict[str, str]]]:
    """Drop every date on which any room is taken; say why each was dropped."""
    reasons: dict[str, str] = {}
    for conflict in conflicts:
        room = rooms[conflict.wanted.room_id]
        day = local_date(conflict.wanted.meeting.start, room.zone)
        reasons.setdefault(day, f"{room.code} is taken by request #{conflict.existing.booking_id}")
    kept = [
        p for p in placements if local_date(p.meeting.start, rooms[p.room_id].zone) not in reasons
    ]
    skipped = [{"date": day, "reason": reasons[day]} for day in sorted(reasons)]
    return kept, skipped
