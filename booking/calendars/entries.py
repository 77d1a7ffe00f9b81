"""A request as calendar events: one UID per request, its dates as a recurrence when they have
a rhythm, each single date that differs as an override.

A request with one date is one VEVENT. A request with several is written the way calendar
clients keep a series: a master VEVENT whose RRULE walks the dates' common step (every N days,
or every N weeks), EXDATEs for the steps it does not meet (a date skipped because it was
taken, a date cancelled), and a VEVENT with a RECURRENCE-ID for each date whose time, length,
rooms or state differ from the master's (a single date moved). The rule is read off the dates
the database holds, not off the series' own rule, so what a client expands is exactly those
dates (docs/adr/0001-calendar-feeds.md). Two dates on the same day cannot share one rule: the
second of a day goes to a second track, with a UID of its own.

The UID stays the request's across renders, versions and moves, in every feed and in the
invitations; SEQUENCE is the request's version, which grows with every change; DTSTAMP and
LAST-MODIFIED are the request's last change, stored, so the same data renders the same bytes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking.calendars.lines import local, text, utc

# Beyond this many EXDATEs per date shown, the dates are written one VEVENT each instead. An
# EXDATE costs 16 bytes, a VEVENT about 300: a monthly rhythm (a weekly rule missing three or
# four weeks of five) stays a rule, dates scattered over a year do not.
MAX_GAPS_PER_DATE = 8


@dataclass(frozen=True, slots=True)
class Occasion:
    """One date of a request as a calendar shows it: its span, where, and its state."""

    start: datetime  # aware
    end: datetime
    location: str
    status: str  # CONFIRMED or TENTATIVE


@dataclass(frozen=True, slots=True)
class Entry:
    """A request as one calendar shows it; the texts are already what this calendar may say."""

    uid: str  # "booking-12@rooms.upt.ro"
    sequence: int
    changed_at: datetime
    summary: str
    description: str
    url: str
    zone: str
    occasions: tuple[Occasion, ...]
    # ORGANIZER and ATTENDEE lines, for an invitation; a feed names nobody.
    people: tuple[str, ...] = ()


def uid_for(booking_id: int, domain: str) -> str:
    return f"booking-{booking_id}@{domain}"


def _track_uid(uid: str, track: int, day: date | None = None) -> str:
    name, _, domain = uid.partition("@")
    if track:
        name += f"-{track + 1}"
    if day is not None:
        name += f"-{day:%Y%m%d}"
    return f"{name}@{domain}"


@dataclass(frozen=True, slots=True)
class _Local:
    """An occasion on the wall clock of the entry's zone."""

    start: datetime  # naive
    end: datetime  # naive
    occasion: Occasion

    @property
    def shape(self) -> tuple[time, timedelta, str, str]:
        """What a date must share with the master to need no override."""
        return (
            self.start.time(),
            self.end - self.start,
            self.occasion.location,
            self.occasion.status,
        )


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _tracks(occasions: Sequence[_Local]) -> list[list[_Local]]:
    """The occasions in tracks with one date each per day: the first of every day in the
    first track, the second in the second…"""
    tracks: list[list[_Local]] = []
    per_day: Counter[date] = Counter()
    for found in sorted(occasions, key=lambda o: (o.start, o.end, o.occasion.location)):
        day = found.start.date()
        position = per_day[day]
        per_day[day] += 1
        if position == len(tracks):
            tracks.append([])
        tracks[position].append(found)
    return tracks


def _common(entry: Entry, zone_name: str) -> list[str]:
    content = [
        f"DTSTAMP:{utc(entry.changed_at)}",
        f"LAST-MODIFIED:{utc(entry.changed_at)}",
        f"SEQUENCE:{entry.sequence}",
        f"SUMMARY:{text(entry.summary)}",
    ]
    if entry.description:
        content.append(f"DESCRIPTION:{text(entry.description)}")
    if entry.url:
        content.append(f"URL;VALUE=URI:{entry.url}")
    return content


def _occasion_lines(found: _Local, zone_name: str) -> list[str]:
    content = [
        f"DTSTART;TZID={zone_name}:{local(found.start)}",
        f"DTEND;TZID={zone_name}:{local(found.end)}",
        f"STATUS:{found.occasion.status}",
    ]
    if found.occasion.location:
        content.append(f"LOCATION:{text(found.occasion.location)}")
    return content


def _single(entry: Entry, uid: str, found: _Local, extra: Sequence[str] = ()) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        *_common(entry, entry.zone),
        *extra,
        *entry.people,
        *_occasion_lines(found, entry.zone),
        "END:VEVENT",
    ]


def _series(entry: Entry, uid: str, track: list[_Local], zone: ZoneInfo) -> list[str] | None:
    """The track as a master with a rule, EXDATEs and overrides; None when a rule would
    miss too many of its steps."""
    first_day = track[0].start.date()
    offsets = [(found.start.date() - first_day).days for found in track]
    step = math.gcd(*offsets[1:])
    steps = offsets[-1] // step + 1
    if steps - len(track) > MAX_GAPS_PER_DATE * len(track):
        return None
    shapes = Counter(found.shape for found in track)
    # The most frequent shape is the master's, the earliest of them on a tie: fewest overrides.
    master_shape = max(shapes, key=lambda shape: (shapes[shape], -_first_with(track, shape)))
    master_time, master_length, master_location, master_status = master_shape
    master_start = datetime.combine(first_day, master_time)
    master = _Local(
        master_start,
        master_start + master_length,
        Occasion(
            master_start.replace(tzinfo=zone),
            (master_start + master_length).replace(tzinfo=zone),
            master_location,
            master_status,
        ),
    )
    last_start = datetime.combine(track[-1].start.date(), master_time).replace(tzinfo=zone)
    unit, interval = ("WEEKLY", step // 7) if step % 7 == 0 else ("DAILY", step)
    frequency = f"FREQ={unit}" + (f";INTERVAL={interval}" if interval > 1 else "")
    present = set(offsets)
    gaps = [
        datetime.combine(first_day + timedelta(days=offset), master_time)
        for offset in range(0, offsets[-1] + 1, step)
        if offset not in present
    ]
    rule = [f"RRULE:{frequency};UNTIL={utc(last_start)}"]
    if gaps:
        rule.append(f"EXDATE;TZID={entry.zone}:" + ",".join(local(gap) for gap in gaps))
    content = _single(entry, uid, master, rule)
    for found in track:
        if found.shape != master_shape:
            recurrence = datetime.combine(found.start.date(), master_time)
            content += _single(
                entry, uid, found, [f"RECURRENCE-ID;TZID={entry.zone}:{local(recurrence)}"]
            )
    return content


def _first_with(track: Sequence[_Local], shape: tuple[time, timedelta, str, str]) -> int:
    return next(i for i, found in enumerate(track) if found.shape == shape)


def vevents(entry: Entry) -> list[str]:
    """The content lines of every VEVENT of the entry."""
    zone = ZoneInfo(entry.zone)
    occasions = [_Local(_wall(o.start, zone), _wall(o.end, zone), o) for o in entry.occasions]
    content: list[str] = []
    for number, track in enumerate(_tracks(occasions)):
        uid = _track_uid(entry.uid, number)
        if len(track) == 1:
            content += _single(entry, uid, track[0])
            continue
        series = _series(entry, uid, track, zone)
        if series is not None:
            content += series
            continue
        for found in track:
            content += _single(entry, _track_uid(entry.uid, number, found.start.date()), found)
    return content
