"""A whole feed: VCALENDAR with METHOD:PUBLISH, its names, its refresh hints, a VTIMEZONE for
each zone its events use, and the events, kept under the size the big hosted calendars take.

Nothing here reads the clock: the same calendar renders the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from zoneinfo import ZoneInfo

from booking.calendars.entries import Entry, vevents
from booking.calendars.lines import lines, text
from booking.calendars.zones import vtimezone

PRODID = "-//Universitatea Politehnica Timisoara//Rezervari sali//RO"
# Google Calendar's limit for a calendar by URL; a feed past it is cut short.
MAX_FEED_BYTES = 1_000_000
# Clients that honour it poll hourly; a 304 costs little.
REFRESH = "PT1H"


@dataclass(frozen=True, slots=True)
class Feed:
    name: str
    description: str
    zone: str  # X-WR-TIMEZONE: the zone the feed is about
    entries: tuple[Entry, ...]
    # The year whose daylight saving rules the VTIMEZONEs state.
    rules_year: int


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    # The last day shown when the feed had to be cut short to stay under MAX_FEED_BYTES.
    cut_after: date | None = None


def _calendar(feed: Feed, description: str) -> bytes:
    zones = sorted({feed.zone, *(entry.zone for entry in feed.entries)})
    content = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{text(feed.name)}",
        f"X-WR-CALNAME:{text(feed.name)}",
    ]
    if description:
        content += [f"DESCRIPTION:{text(description)}", f"X-WR-CALDESC:{text(description)}"]
    content += [
        f"X-WR-TIMEZONE:{feed.zone}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    for zone in zones:
        content += vtimezone(zone, feed.rules_year)
    head = lines(content)
    events = b"".join(lines(vevents(entry)) for entry in feed.entries)
    return head + events + lines(["END:VCALENDAR"])


def _until(entries: Sequence[Entry], last_day: date, zone: ZoneInfo) -> tuple[Entry, ...]:
    kept = []
    for entry in entries:
        occasions = tuple(o for o in entry.occasions if o.start.astimezone(zone).date() <= last_day)
        if occasions:
            kept.append(replace(entry, occasions=occasions))
    return tuple(kept)


def render(
    feed: Feed,
    cut_note: Callable[[date], str],
    limit: int = MAX_FEED_BYTES,
) -> Rendered:
    """The feed's bytes. Past `limit`, the latest dates are left out until it fits, and the
    description says until when the feed goes (`cut_note`)."""
    body = _calendar(feed, feed.description)
    if len(body) <= limit:
        return Rendered(body)
    zone = ZoneInfo(feed.zone)
    starts = sorted(o.start.astimezone(zone).date() for e in feed.entries for o in e.occasions)
    # Each date costs about the same: keep the share of them that fits, then less until it does.
    share = limit / len(body)
    while True:
        keep = max(1, int(len(starts) * share * 0.97))
        last_day = starts[keep - 1]
        if keep < len(starts) and starts[keep] == last_day:
            last_day = date.fromordinal(last_day.toordinal() - 1)
        note = cut_note(last_day)
        description = f"{feed.description} {note}".strip()
        cut = replace(feed, entries=_until(feed.entries, last_day, zone))
        body = _calendar(cut, description)
        if len(body) <= limit or keep == 1:
            return Rendered(body, cut_after=last_day)
        share *= limit / len(body)
