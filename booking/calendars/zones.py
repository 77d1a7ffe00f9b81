"""VTIMEZONE components written with yearly rules.

Outlook matches a VTIMEZONE by its rules, not its name, and maps one that lists its transitions
as dates (RDATE, what icalendar's Timezone.from_tzid writes) to the wrong zone, an hour off;
a missing one shifts every event there. So each zone is written as a standard and a daylight
observance with an RRULE, read off the zone's transitions in a given year ("the last Sunday of
March at 03:00"). A zone without daylight saving time gets a single observance.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

# Observances start in 1970, as clients' own exports do; the rule read off the reference year
# holds for every date a feed shows (Europe's rule has held since 1996).
FIRST_YEAR = 1970
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True, slots=True)
class Transition:
    """A change of a zone's offset, as its wall clock sees it."""

    wall_before: datetime  # naive: the local time at which the clock jumps
    offset_before: timedelta
    offset_after: timedelta
    name_after: str


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    found = moment.astimezone(zone).utcoffset()
    assert found is not None
    return found


def transitions(zone: ZoneInfo, year: int) -> list[Transition]:
    """The offset changes of `zone` in `year`, found to the minute."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    step = timedelta(days=1)
    while moment < end:
        later = moment + step
        if _offset(zone, later) != _offset(zone, moment):
            low, high = moment, later
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if _offset(zone, middle) == _offset(zone, low):
                    low = middle
                else:
                    high = middle
            jump = high.replace(second=0, microsecond=0)
            before = _offset(zone, low)
            found.append(
                Transition(
                    wall_before=(jump + before).replace(tzinfo=None),
                    offset_before=before,
                    offset_after=_offset(zone, jump),
                    name_after=jump.astimezone(zone).tzname() or "",
                )
            )
        moment = later
    return found


def _utc_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{minutes:02d}"


def _yearly_rule(wall: datetime) -> tuple[str, datetime]:
    """The RRULE that picks the weekday of the month `wall` falls on (the last one when it is
    in the month's last seven days), and the first date in FIRST_YEAR it picks."""
    days_in_month = calendar.monthrange(wall.year, wall.month)[1]
    weekday = wall.weekday()
    last = wall.day + 7 > days_in_month
    position = -1 if last else (wall.day - 1) // 7 + 1
    rule = f"FREQ=YEARLY;BYMONTH={wall.month};BYDAY={position}{_WEEKDAYS[weekday]}"
    days = [
        day
        for day in range(1, calendar.monthrange(FIRST_YEAR, wall.month)[1] + 1)
        if calendar.weekday(FIRST_YEAR, wall.month, day) == weekday
    ]
    day = days[-1] if last else days[position - 1]
    return rule, wall.replace(year=FIRST_YEAR, day=day)


def vtimezone(name: str, year: int) -> list[str]:
    """The content lines of the VTIMEZONE of zone `name`, with the rules in force in `year`."""
    zone = ZoneInfo(name)
    found = transitions(zone, year)
    content = ["BEGIN:VTIMEZONE", f"TZID:{name}", f"X-LIC-LOCATION:{name}"]
    if len(found) != 2:
        # No daylight saving time (or a zone too irregular for yearly rules): its offset then.
        moment = datetime(year, 7, 1, tzinfo=UTC)
        offset = _utc_offset(_offset(zone, moment))
        content += [
            "BEGIN:STANDARD",
            f"TZOFFSETFROM:{offset}",
            f"TZOFFSETTO:{offset}",
            f"TZNAME:{moment.astimezone(zone).tzname()}",
            f"DTSTART:{FIRST_YEAR}0101T000000",
            "END:STANDARD",
        ]
    else:
        for change in found:
            kind = "DAYLIGHT" if change.offset_after > change.offset_before else "STANDARD"
            rule, first = _yearly_rule(change.wall_before)
            content += [
                f"BEGIN:{kind}",
                f"TZOFFSETFROM:{_utc_offset(change.offset_before)}",
                f"TZOFFSETTO:{_utc_offset(change.offset_after)}",
                f"TZNAME:{change.name_after}",
                f"DTSTART:{first.strftime('%Y%m%dT%H%M%S')}",
                f"RRULE:{rule}",
                f"END:{kind}",
            ]
    content.append("END:VTIMEZONE")
    return content
