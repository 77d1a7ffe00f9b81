"""Wall-clock times as people type them, turned into instants without guessing.

A local time inside the spring-forward gap does not exist and is refused; one inside the
fall-back hour happens twice and needs an explicit UTC offset. Python's zoneinfo accepts both
silently, so the checks are done here.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from booking.core.errors import refused
from booking.core.messages import Message
from booking.core.timespan import TimeSpan


def zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        # OSError: a region such as "Europe" names a directory of the tz database, not a zone.
        raise ValueError(f"unknown time zone {name!r}") from exc


def local_time_exists(naive: datetime, zone: ZoneInfo) -> bool:
    aware = naive.replace(tzinfo=zone)
    round_trip = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return round_trip == naive


def local_time_is_ambiguous(naive: datetime, zone: ZoneInfo) -> bool:
    earlier = naive.replace(tzinfo=zone, fold=0).utcoffset()
    later = naive.replace(tzinfo=zone, fold=1).utcoffset()
    return earlier != later


# Far enough for any booking, near enough that no arithmetic on it leaves datetime's range.
EARLIEST_YEAR, LATEST_YEAR = 1970, 9000


def _check_year(value: datetime, field: str) -> None:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise refused(field, Message("time.year_range", first=EARLIEST_YEAR, last=LATEST_YEAR))


def wall_clock(value: datetime, zone: ZoneInfo, field: str) -> datetime:
    """The local wall-clock time a requester meant, naive."""
    _check_year(value, field)
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(zone).replace(tzinfo=None)
    return value


def to_instant(value: datetime, zone: ZoneInfo, field: str) -> datetime:
    """An aware UTC instant for `value`; a naive value is a wall-clock time in `zone`."""
    _check_year(value, field)
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.astimezone(UTC)
    wall = f"{value:%Y-%m-%d %H:%M}"
    if not local_time_exists(value, zone):
        raise refused(field, Message("time.does_not_exist", time=wall, zone=zone.key))
    if local_time_is_ambiguous(value, zone):
        raise refused(field, Message("time.happens_twice", time=wall, zone=zone.key))
    return value.replace(tzinfo=zone).astimezone(UTC)


def local_day(instant: datetime, zone: ZoneInfo) -> TimeSpan:
    """The local calendar day containing `instant` (23 or 25 hours long on DST change days)."""
    local_date = instant.astimezone(zone).date()
    start = datetime.combine(local_date, time(0), tzinfo=zone)
    end = datetime.combine(local_date + timedelta(days=1), time(0), tzinfo=zone)
    return TimeSpan(start.astimezone(UTC), end.astimezone(UTC))


def period(
    start: datetime | None,
    end: datetime | None,
    zone: ZoneInfo,
    longest: timedelta | None = None,
    too_long: Message | None = None,
) -> TimeSpan | None:
    """The period between `start` and `end` (wall-clock times in `zone` if naive), asked for
    together or not at all (None); refused, with `too_long`, if longer than `longest`."""
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise refused("start" if start is None else "end", Message("span.give_both"))
    first, last = to_instant(start, zone, "start"), to_instant(end, zone, "end")
    if last <= first:
        raise refused("end", Message("span.end_before_start"))
    if longest is not None and too_long is not None and last - first > longest:
        raise refused("end", too_long)
    return TimeSpan(first, last)
