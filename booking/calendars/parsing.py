"""Reading iCalendar (.ics) files: their events as spans of time, each checked, or the whole
file refused with every event that cannot be used and why."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from booking.core.booking_rules import MAX_BLACKOUT_LENGTH, overlapping
from booking.core.errors import FieldProblem, RuleViolation, refused
from booking.core.localtime import LATEST_YEAR, to_instant
from booking.core.messages import Message
from booking.core.timespan import TimeSpan

MAX_IMPORT_BYTES = 5 * 1024 * 1024
# An academic calendar has a few hundred events; each one is checked and stored.
MAX_IMPORT_EVENTS = 2000
MAX_UID_LENGTH = 255
# The reason stored for an event without a SUMMARY. Stored data, not a text of the catalogue:
# the UID made up for an event without one hashes it, so it must not change, or importing the
# same file again would no longer find the closures it made.
UNTITLED = "closed"
# An event without STATUS is confirmed; a tentative closure is still a closure.
_EVENT_STATUSES = frozenset({"", "TENTATIVE", "CONFIRMED", "CANCELLED"})
# Any of these makes an event repeat; the file must list the dates instead.
_REPEATING = ("RRULE", "RDATE", "EXRULE")


@dataclass(frozen=True, slots=True)
class CalendarEntries:
    events: list[tuple[str, TimeSpan, str]]  # (uid, span, summary)
    cancelled: list[str]  # UIDs of events the calendar marks cancelled


class _Unusable(Exception):
    """Why one event of an iCalendar file cannot be used."""

    def __init__(self, reason: Message) -> None:
        super().__init__(reason.code)
        self.reason = reason


def _unusable(code: str, **params: object) -> _Unusable:
    return _Unusable(Message(code, **params))


def _value(event: Any, name: str) -> date | datetime | timedelta | None:
    prop = event.get(name)
    if prop is None:
        return None
    if isinstance(prop, list):
        raise _unusable("calendar.lines", count=len(prop), name=name)
    try:
        value = prop.dt
    except (ValueError, TypeError, AttributeError, OverflowError, OSError):
        # OSError: a TZID naming a folder of the zone database ("Europe").
        raise _unusable("calendar.unreadable", name=name) from None
    tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
    if tzid and isinstance(value, datetime) and value.tzinfo is None:
        raise _unusable("calendar.unknown_zone", name=name, zone=tzid)
    if isinstance(value, date | datetime | timedelta):
        return value
    raise _unusable("calendar.unreadable", name=name)


def _text(event: Any, name: str) -> str:
    value = event.get(name, "")
    if isinstance(value, list):
        raise _unusable("calendar.lines", count=len(value), name=name)
    return str(value).strip()


def _instant(value: date | datetime, zone: ZoneInfo, name: str) -> datetime:
    """An iCalendar DTSTART/DTEND in UTC: a date is the local midnight of that day, a floating
    time the wall clock of `zone` (refused if it does not exist or happens twice there)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0))
    if isinstance(value.tzinfo, ZoneInfo):
        # A TZID time is a wall clock too: it may fall in a gap or a repeated hour there.
        zone, value = value.tzinfo, value.replace(tzinfo=None)
    try:
        return to_instant(value, zone, name)
    except RuleViolation as refusal:
        raise _Unusable(refusal.problems[0].reason) from None


def _event_span(event: Any, zone: ZoneInfo) -> TimeSpan:
    if any(event.get(name) is not None for name in _REPEATING):
        raise _unusable("calendar.repeating")
    start = _value(event, "DTSTART")
    if start is None:
        raise _unusable("calendar.no_start")
    if isinstance(start, timedelta):
        raise _unusable("calendar.unreadable", name="DTSTART")
    end = _value(event, "DTEND")
    duration = _value(event, "DURATION")
    if isinstance(end, timedelta) or (duration is not None and not isinstance(duration, timedelta)):
        raise _unusable("calendar.unreadable_end")
    if end is not None and isinstance(start, datetime) != isinstance(end, datetime):
        raise _unusable("calendar.dates_and_times_mixed")
    begins = _instant(start, zone, "DTSTART")
    if end is not None:
        ends = _instant(end, zone, "DTEND")
    elif duration is not None:
        ends = _after(start, duration, zone)
    elif isinstance(start, datetime):
        raise _unusable("calendar.no_end")
    else:
        ends = _instant(start + timedelta(days=1), zone, "DTSTART")  # the whole day
    if ends <= begins:
        raise _unusable("calendar.ends_before_start")
    if ends - begins > MAX_BLACKOUT_LENGTH:
        raise _unusable("calendar.too_long")
    if any(instant.second or instant.microsecond for instant in (begins, ends)):
        raise _unusable("calendar.whole_minutes")
    if ends.astimezone(zone).year > LATEST_YEAR:
        raise _unusable("calendar.ends_too_late", year=LATEST_YEAR)
    return TimeSpan(begins, ends)


def _after(start: date | datetime, duration: timedelta, zone: ZoneInfo) -> datetime:
    """DTSTART plus DURATION: whole days count on the calendar of the event's own zone (RFC
    5545), the rest exactly."""
    if duration <= timedelta(0):
        raise _unusable("calendar.duration_not_positive")
    if duration > MAX_BLACKOUT_LENGTH:
        raise _unusable("calendar.too_long")
    days, rest = timedelta(days=duration.days), duration - timedelta(days=duration.days)
    if not isinstance(start, datetime):
        if rest:
            raise _unusable("calendar.whole_day_duration")
        return _instant(start + days, zone, "DURATION")
    if start.tzinfo is None:
        return _instant(start + days, zone, "DURATION") + rest
    # Python adds to an aware time on its own wall clock: 10:00 + 1 day is 10:00 the next
    # day even across a clock change.
    return (start + days).astimezone(UTC) + rest


def _too_many_events() -> RuleViolation:
    return refused("body", Message("calendar.too_many_events", most=MAX_IMPORT_EVENTS))


def _calendar(raw: bytes) -> Calendar:
    if len(raw) > MAX_IMPORT_BYTES:
        raise refused("body", Message("calendar.too_large"))
    if raw.upper().count(b"BEGIN:VEVENT") > MAX_IMPORT_EVENTS:
        raise _too_many_events()
    try:
        calendar = Calendar.from_ical(raw.decode("utf-8-sig"))
    except OSError:
        # The zone database read a TZID naming one of its folders ("Europe"); its message
        # would show where the server keeps its files.
        raise refused("body", Message("calendar.tzid_names_no_zone")) from None
    except (UnicodeDecodeError, ValueError, IndexError, KeyError) as exc:
        raise refused("body", Message("calendar.not_ics_because", why=str(exc)[:250])) from None
    if calendar.name != "VCALENDAR":
        raise refused("body", Message("calendar.not_ics"))
    return calendar


def parse_calendar(raw: bytes, zone: ZoneInfo) -> CalendarEntries:
    """The events of an iCalendar file, and the UIDs of its cancelled events; refuses the
    whole file if any event cannot be used, saying which and why."""
    events = _calendar(raw).walk("VEVENT")
    if len(events) > MAX_IMPORT_EVENTS:
        # Counted again once parsed: folded lines hide BEGIN:VEVENT from the first count.
        raise _too_many_events()
    found = CalendarEntries([], [])
    problems: list[FieldProblem] = []
    for number, event in enumerate(events, start=1):
        label = event.get("SUMMARY", "")
        label = str(label[0] if isinstance(label, list) and label else label).strip()
        named = label[:60] or Message("calendar.untitled_event")
        where = Message("calendar.event", number=number, summary=named)
        try:
            summary = _text(event, "SUMMARY") or UNTITLED
            uid = _text(event, "UID")
            status = _text(event, "STATUS").upper()
            if status not in _EVENT_STATUSES:
                raise _unusable("calendar.bad_status", status=status[:40])
            if len(uid) > MAX_UID_LENGTH:
                raise _unusable("calendar.uid_too_long", most=MAX_UID_LENGTH)
            if status == "CANCELLED":
                # Not a closure; if an earlier import made it one, that one goes.
                if uid:
                    found.cancelled.append(uid)
                continue
            span = _event_span(event, zone)
        except _Unusable as unusable:
            problems.append(FieldProblem(where, unusable.reason))
            continue
        if not uid:
            uid = (
                "sha256:" + hashlib.sha256(f"{span.start}{span.end}{summary}".encode()).hexdigest()
            )
        found.events.append((uid, span, summary[:500]))
    problems += _clashes(found)
    if problems:
        raise RuleViolation(problems)
    if not found.events and not found.cancelled:
        raise refused("body", Message("calendar.no_events"))
    return found


def _clashes(found: CalendarEntries) -> list[FieldProblem]:
    """Events that overlap each other, and UIDs used twice."""
    entries = found.events
    names = {uid: (summary, span.start.date()) for uid, span, summary in entries}
    problems = [
        FieldProblem(
            "body",
            Message(
                "calendar.events_overlap",
                first=names[first][0],
                first_day=names[first][1],
                second=names[second][0],
                second_day=names[second][1],
            ),
        )
        for first, second in overlapping([(uid, span) for uid, span, _ in entries])
    ]
    live = [uid for uid, _, _ in entries]
    if len(set(live)) != len(live) or set(live) & set(found.cancelled):
        problems.append(FieldProblem("body", Message("calendar.uid_twice")))
    return problems
