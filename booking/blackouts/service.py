"""Use cases of blackouts and of rooms' booking rules."""

from __future__ import annotations

import asyncio
import hashlib
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar
from piccolo.engine.base import Engine

from booking.accounts.authentication import CurrentUser
from booking.blackouts.schemas import (
    AffectedOccurrence,
    BlackoutCreate,
    BlackoutSaved,
    BlackoutView,
    ImportReport,
    OpeningHoursView,
    RoomBookingRules,
)
from booking.core.access import Actor, RoomPlace, manages_room, sees_bookings_of_room
from booking.core.booking_rules import (
    MIDNIGHT,
    Blackout,
    OpeningHours,
    check_hours,
    clock,
    overlapping,
)
from booking.core.errors import FieldProblem, Forbidden, NotFound, RuleViolation
from booking.core.localtime import LATEST_YEAR, to_instant
from booking.core.rooms import RoomFacts
from booking.core.timespan import TimeSpan
from booking.core.workflow import HOLDING, Status
from booking.db import booking_rules, catalogue, occurrences
from booking.db.transactions import in_writing_transaction

MAX_IMPORT_BYTES = 5 * 1024 * 1024
# An academic calendar has a few hundred events; each one is checked and stored.
MAX_IMPORT_EVENTS = 2000
MAX_BLACKOUT_LENGTH = timedelta(days=400)
MAX_LISTED_PERIOD = timedelta(days=3 * 366)


@dataclass(frozen=True, slots=True)
class CalendarEntries:
    events: list[tuple[str, TimeSpan, str]]  # (uid, span, reason)
    cancelled: list[str]  # UIDs of events the calendar marks cancelled


def view(row: dict[str, Any], zone: ZoneInfo) -> BlackoutView:
    return BlackoutView(
        id=row["id"],
        start=row["starts_at"].astimezone(zone),
        end=row["ends_at"].astimezone(zone),
        reason=row["reason"],
        building=row["building"],
        room=row["room"],
        imported_uid=row["source_uid"] or None,
    )


async def _scope(
    actor: Actor, building: int | None, room: int | None, default_zone: ZoneInfo
) -> tuple[ZoneInfo, list[RoomPlace]]:
    """The zone of the scope and its rooms; refuses callers who do not manage all of it."""
    if building is not None and room is not None:
        raise RuleViolation([FieldProblem("room", "give a building or a room, not both")])
    rooms = await catalogue.all_rooms()
    if room is not None:
        found = [r for r in rooms if r.id == room]
        if not found:
            raise RuleViolation([FieldProblem("room", f"no room with id {room}")])
        zone, places = ZoneInfo(found[0].zone), [RoomPlace(room, found[0].building_id)]
    elif building is not None:
        row = await catalogue.building(building)
        if row is None:
            raise RuleViolation([FieldProblem("building", f"no building with id {building}")])
        zone = ZoneInfo(row["zone"])
        places = [RoomPlace(r.id, r.building_id) for r in rooms if r.building_id == building]
    else:
        zone, places = default_zone, [RoomPlace(r.id, r.building_id) for r in rooms]
    allowed = actor.admin or (
        (building is not None or room is not None)
        and all(manages_room(actor, p) for p in places)
        and (room is not None or building in actor.approver_buildings)
    )
    if not allowed:
        raise Forbidden("only administrators, or the managers of all of it, may close it")
    return zone, places


def _span(start: datetime, end: datetime, zone: ZoneInfo) -> TimeSpan:
    seconds = [
        name
        for name, value in (("start", start), ("end", end))
        if value.second or value.microsecond
    ]
    if seconds:
        # As for bookings: a closure from 10:00:30 would leave half a minute nobody can book.
        raise RuleViolation(
            [FieldProblem(name, "give whole minutes (seconds must be zero)") for name in seconds]
        )
    first, last = to_instant(start, zone, "start"), to_instant(end, zone, "end")
    if last <= first:
        raise RuleViolation([FieldProblem("end", "must be after start")])
    if last - first > MAX_BLACKOUT_LENGTH:
        raise RuleViolation([FieldProblem("end", "a blackout may last at most 400 days")])
    return TimeSpan(first, last)


async def affected(spans: list[TimeSpan], places: list[RoomPlace]) -> list[AffectedOccurrence]:
    """Bookings and requests that any of the closures falls on, each once; one query for all
    of them, as an import may bring hundreds."""
    room_ids = {p.room_id for p in places}
    if not room_ids or not spans:
        return []
    spans = sorted(spans, key=lambda s: s.start)
    hull = TimeSpan(spans[0].start, max(s.end for s in spans))
    found = await occurrences.occupations(hull, [*HOLDING, Status.PENDING], room_ids)
    starts = [s.start for s in spans]
    latest_end = list(accumulate((s.end for s in spans), max))

    def hit(meeting: TimeSpan) -> bool:
        # The spans starting before the meeting ends; one of them must end after it starts.
        last = bisect_left(starts, meeting.end) - 1
        return last >= 0 and latest_end[last] > meeting.start

    hits = [o for o in found if hit(o.meeting)]
    rooms = await catalogue.rooms_by_id(room_ids)
    titles = await occurrences.titles({o.booking_id for o in hits})
    return [
        AffectedOccurrence(
            booking_id=o.booking_id,
            occurrence_id=o.occurrence_id,
            room_id=o.room_id,
            room_code=rooms[o.room_id].code,
            start=o.meeting.start.astimezone(ZoneInfo(rooms[o.room_id].zone)),
            end=o.meeting.end.astimezone(ZoneInfo(rooms[o.room_id].zone)),
            status=o.status,
            title=titles.get(o.booking_id, ""),
        )
        for o in hits
    ]


async def create_blackout(
    engine: Engine, user: CurrentUser, data: BlackoutCreate, default_zone: ZoneInfo, now: datetime
) -> BlackoutSaved:
    zone, places = await _scope(user.actor, data.building, data.room, default_zone)
    span = _span(data.start, data.end, zone)
    reason = data.reason.strip()
    if not reason:
        raise RuleViolation([FieldProblem("reason", "must not be blank")])

    async def insert() -> int:
        return await booking_rules.insert_blackout(span, reason, data.building, data.room, now)

    blackout_id = await in_writing_transaction(engine, insert)
    row = await booking_rules.blackout_row(blackout_id)
    assert row is not None
    return BlackoutSaved(view(row, zone), await affected([span], places))


async def list_blackouts(
    start: datetime | None,
    end: datetime | None,
    building: int | None,
    room: int | None,
    default_zone: ZoneInfo,
) -> list[BlackoutView]:
    """The closures in a period; for a building or room, every closure that applies to it
    (its own, its building's or its rooms', and those of everywhere)."""
    window = None
    if start is not None or end is not None:
        if start is None or end is None:
            missing = "start" if start is None else "end"
            raise RuleViolation([FieldProblem(missing, "give both start and end")])
        first, last = to_instant(start, default_zone, "start"), to_instant(end, default_zone, "end")
        if last <= first:
            raise RuleViolation([FieldProblem("end", "must be after start")])
        if last - first > MAX_LISTED_PERIOD:
            raise RuleViolation(
                [FieldProblem("end", f"list at most {MAX_LISTED_PERIOD.days} days at a time")]
            )
        window = TimeSpan(first, last)
    rows = await booking_rules.blackout_rows(window)
    rooms = await catalogue.all_rooms()
    if room is not None or building is not None:
        in_building = [r.id for r in rooms if r.building_id == building]
        room_building = next((r.building_id for r in rooms if r.id == room), None)

        def wanted(closure: Blackout) -> bool:
            return (room is not None and closure.applies_to(room, room_building)) or (
                building is not None and closure.concerns_building(building, in_building)
            )

        rows = [row for row in rows if wanted(booking_rules.blackout(row))]
    return [view(row, _zone_of(row, rooms, default_zone)) for row in rows]


def _zone_of(row: dict[str, Any], rooms: list[RoomFacts], default_zone: ZoneInfo) -> ZoneInfo:
    """A closure is shown in its building's time; one of everywhere in the default zone."""
    for r in rooms:
        if r.id == row["room"] or (row["room"] is None and r.building_id == row["building"]):
            return ZoneInfo(r.zone)
    return default_zone


async def blackout_with_affected(
    user: CurrentUser, blackout_id: int, default_zone: ZoneInfo
) -> BlackoutSaved:
    if not user.actor.is_staff:
        raise Forbidden("only staff see the bookings a blackout falls on")
    row = await booking_rules.blackout_row(blackout_id)
    if row is None:
        raise NotFound("blackout")
    rooms = await catalogue.all_rooms()
    places = [
        RoomPlace(r.id, r.building_id)
        for r in rooms
        if (row["room"] is None or r.id == row["room"])
        and (row["building"] is None or r.building_id == row["building"])
    ]
    # An approver sees the bookings under it in the rooms they manage only.
    places = [p for p in places if sees_bookings_of_room(user.actor, p)]
    span = TimeSpan(row["starts_at"], row["ends_at"])
    return BlackoutSaved(
        view(row, _zone_of(row, rooms, default_zone)), await affected([span], places)
    )


async def delete_blackout(
    engine: Engine, user: CurrentUser, blackout_id: int, default_zone: ZoneInfo
) -> None:
    row = await booking_rules.blackout_row(blackout_id)
    if row is None:
        raise NotFound("blackout")
    await _scope(user.actor, row["building"], row["room"], default_zone)
    await in_writing_transaction(engine, lambda: booking_rules.delete_blackout(blackout_id))


class _Unusable(Exception):
    """Why one event of an iCalendar file cannot become a blackout."""


# An event without STATUS is confirmed; a tentative closure is still a closure.
_EVENT_STATUSES = frozenset({"", "TENTATIVE", "CONFIRMED", "CANCELLED"})
# Any of these makes an event repeat; the file must list the dates instead.
_REPEATING = ("RRULE", "RDATE", "EXRULE")
MAX_UID_LENGTH = 255


def _value(event: Any, name: str) -> date | datetime | timedelta | None:
    prop = event.get(name)
    if prop is None:
        return None
    if isinstance(prop, list):
        raise _Unusable(f"has {len(prop)} {name} lines")
    try:
        value = prop.dt
    except (ValueError, TypeError, AttributeError, OverflowError, OSError):
        # OSError: a TZID naming a folder of the zone database ("Europe").
        raise _Unusable(f"has an unreadable {name}") from None
    tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
    if tzid and isinstance(value, datetime) and value.tzinfo is None:
        raise _Unusable(f"{name} names an unknown time zone {tzid!r}")
    if isinstance(value, date | datetime | timedelta):
        return value
    raise _Unusable(f"has an unreadable {name}")


def _text(event: Any, name: str) -> str:
    value = event.get(name, "")
    if isinstance(value, list):
        raise _Unusable(f"has {len(value)} {name} lines")
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
    except RuleViolation as refused:
        raise _Unusable("; ".join(p.reason for p in refused.problems)) from None


def _event_span(event: Any, zone: ZoneInfo) -> TimeSpan:
    if any(event.get(name) is not None for name in _REPEATING):
        raise _Unusable("repeating events are not imported; list the dates")
    start = _value(event, "DTSTART")
    if start is None:
        raise _Unusable("has no DTSTART")
    if isinstance(start, timedelta):
        raise _Unusable("has an unreadable DTSTART")
    end = _value(event, "DTEND")
    duration = _value(event, "DURATION")
    if isinstance(end, timedelta) or (duration is not None and not isinstance(duration, timedelta)):
        raise _Unusable("has an unreadable DTEND or DURATION")
    if end is not None and isinstance(start, datetime) != isinstance(end, datetime):
        raise _Unusable("DTSTART and DTEND must both be dates, or both be times")
    begins = _instant(start, zone, "DTSTART")
    if end is not None:
        ends = _instant(end, zone, "DTEND")
    elif duration is not None:
        ends = _after(start, duration, zone)
    elif isinstance(start, datetime):
        raise _Unusable("has neither DTEND nor DURATION")
    else:
        ends = _instant(start + timedelta(days=1), zone, "DTSTART")  # the whole day
    if ends <= begins:
        raise _Unusable("must end after it starts")
    if ends - begins > MAX_BLACKOUT_LENGTH:
        raise _Unusable("lasts more than 400 days")
    if any(instant.second or instant.microsecond for instant in (begins, ends)):
        raise _Unusable("starts or ends within a minute; give whole minutes, as for bookings")
    if ends.astimezone(zone).year > LATEST_YEAR:
        raise _Unusable(f"ends after the year {LATEST_YEAR}")
    return TimeSpan(begins, ends)


def _after(start: date | datetime, duration: timedelta, zone: ZoneInfo) -> datetime:
    """DTSTART plus DURATION: whole days count on the calendar of the event's own zone (RFC
    5545), the rest exactly."""
    if duration <= timedelta(0):
        raise _Unusable("has a DURATION that is not positive")
    if duration > MAX_BLACKOUT_LENGTH:
        raise _Unusable("lasts more than 400 days")
    days, rest = timedelta(days=duration.days), duration - timedelta(days=duration.days)
    if not isinstance(start, datetime):
        if rest:
            raise _Unusable("starts on a whole day, so its DURATION must be whole days or weeks")
        return _instant(start + days, zone, "DURATION")
    if start.tzinfo is None:
        return _instant(start + days, zone, "DURATION") + rest
    # Python adds to an aware time on its own wall clock: 10:00 + 1 day is 10:00 the next
    # day even across a clock change.
    return (start + days).astimezone(UTC) + rest


def _too_many_events() -> RuleViolation:
    return RuleViolation(
        [FieldProblem("body", f"has more than {MAX_IMPORT_EVENTS} events; import it in parts")]
    )


def parse_calendar(raw: bytes, zone: ZoneInfo) -> CalendarEntries:
    """The events of an iCalendar file as blackouts, and the UIDs of its cancelled events;
    refuses the whole file if any event cannot be used, saying which and why."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise RuleViolation([FieldProblem("body", "the file is larger than 5 MB")])
    if raw.upper().count(b"BEGIN:VEVENT") > MAX_IMPORT_EVENTS:
        raise _too_many_events()
    try:
        text = raw.decode("utf-8-sig")
        calendar = Calendar.from_ical(text)
    except OSError:
        # The zone database read a TZID naming one of its folders ("Europe"); its message
        # would show where the server keeps its files.
        raise RuleViolation(
            [FieldProblem("body", "is not an iCalendar (.ics) file: a TZID names no time zone")]
        ) from None
    except (UnicodeDecodeError, ValueError, IndexError, KeyError) as exc:
        raise RuleViolation(
            [FieldProblem("body", f"is not an iCalendar (.ics) file: {exc}"[:300])]
        ) from None
    if calendar.name != "VCALENDAR":
        raise RuleViolation([FieldProblem("body", "is not an iCalendar (.ics) file")])
    events = calendar.walk("VEVENT")
    if len(events) > MAX_IMPORT_EVENTS:
        # Counted again once parsed: folded lines hide BEGIN:VEVENT from the first count.
        raise _too_many_events()
    found = CalendarEntries([], [])
    problems: list[FieldProblem] = []
    for number, event in enumerate(events, start=1):
        label = event.get("SUMMARY", "")
        label = str(label[0] if isinstance(label, list) and label else label).strip()
        where = f"event {number} ({label[:60] or 'closed'})"
        try:
            summary = _text(event, "SUMMARY") or "closed"
            uid = _text(event, "UID")
            status = _text(event, "STATUS").upper()
            if status not in _EVENT_STATUSES:
                raise _Unusable(
                    f"has STATUS {status[:40]!r}; an event's is TENTATIVE, CONFIRMED or CANCELLED"
                )
            cancelled = status == "CANCELLED"
        except _Unusable as unusable:
            problems.append(FieldProblem(where, str(unusable)))
            continue
        if len(uid) > MAX_UID_LENGTH:
            problems.append(FieldProblem(where, f"has a UID longer than {MAX_UID_LENGTH}"))
            continue
        if cancelled:
            # Not a closure; if an earlier import made it one, that blackout goes.
            if uid:
                found.cancelled.append(uid)
            continue
        try:
            span = _event_span(event, zone)
        except _Unusable as unusable:
            problems.append(FieldProblem(where, str(unusable)))
            continue
        if not uid:
            uid = (
                "sha256:" + hashlib.sha256(f"{span.start}{span.end}{summary}".encode()).hexdigest()
            )
        found.events.append((uid, span, summary[:500]))
    entries = found.events
    names = {uid: f"{reason} ({span.start.date()})" for uid, span, reason in entries}
    for first, second in overlapping([(uid, span) for uid, span, _ in entries]):
        problems.append(FieldProblem("body", f"{names[first]} overlaps {names[second]}"))
    live = [uid for uid, _, _ in entries]
    if len(set(live)) != len(live) or set(live) & set(found.cancelled):
        problems.append(FieldProblem("body", "two events share one UID"))
    if problems:
        raise RuleViolation(problems)
    if not entries and not found.cancelled:
        raise RuleViolation([FieldProblem("body", "the calendar has no events")])
    return found


async def import_calendar(
    engine: Engine,
    user: CurrentUser,
    raw: bytes,
    building: int | None,
    room: int | None,
    default_zone: ZoneInfo,
    now: datetime,
) -> ImportReport:
    """Blackouts from an iCalendar file, one per event; importing it again changes nothing,
    an event whose time or summary changed updates its blackout, and one the calendar now marks
    cancelled removes it."""
    zone, places = await _scope(user.actor, building, room, default_zone)
    # Parsing thousands of events takes a while; the server goes on answering meanwhile.
    parsed = await asyncio.to_thread(parse_calendar, raw, zone)
    entries = parsed.events
    counts = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    ids: dict[str, int] = {}

    async def store() -> None:
        uids = [uid for uid, _, _ in entries]
        existing = await booking_rules.imported_all([*uids, *parsed.cancelled], building, room)
        gone = [existing[uid]["id"] for uid in parsed.cancelled if uid in existing]
        await booking_rules.delete_blackouts(gone)
        counts["removed"] = len(gone)
        for uid, span, reason in entries:
            row = existing.get(uid)
            if row is None:
                continue
            ids[uid] = row["id"]
            same = (
                row["starts_at"] == span.start
                and row["ends_at"] == span.end
                and row["reason"] == reason
            )
            if same:
                counts["unchanged"] += 1
            else:
                await booking_rules.update_blackout(row["id"], span, reason)
                counts["updated"] += 1
        new = [entry for entry in entries if entry[0] not in existing]
        ids.update(await booking_rules.insert_imported(new, building, room, now))
        counts["created"] = len(new)

    await in_writing_transaction(engine, store)
    rows = await booking_rules.blackout_rows_by_id(list(ids.values()))
    return ImportReport(
        **counts,
        blackouts=[view(rows[ids[uid]], zone) for uid, _, _ in entries if ids[uid] in rows],
        affected=await affected([span for _, span, _ in entries], places),
    )


async def room_rules(room_id: int) -> RoomBookingRules:
    rooms = await catalogue.rooms_by_id([room_id])
    if room_id not in rooms:
        raise NotFound("room")
    rules = (await booking_rules.rules_for([rooms[room_id]]))[room_id]
    return RoomBookingRules(
        opening_hours=[
            OpeningHoursView(weekday=h.weekday, opens=f"{h.opens:%H:%M}", closes=clock(h.closes))
            for h in sorted(rules.hours, key=lambda h: (h.weekday, h.opens))
        ],
        min_notice_minutes=int(rules.min_notice.total_seconds() // 60),
        max_advance_days=rules.max_advance.days if rules.max_advance else 0,
    )


async def set_room_rules(
    engine: Engine, user: CurrentUser, room_id: int, data: RoomBookingRules
) -> RoomBookingRules:
    rooms = await catalogue.rooms_by_id([room_id])
    if room_id not in rooms:
        raise NotFound("room")
    room = rooms[room_id]
    if not manages_room(user.actor, RoomPlace(room.id, room.building_id)):
        raise Forbidden("only administrators and the room's managers may change its rules")
    hours = [
        OpeningHours(
            h.weekday,
            time.fromisoformat(h.opens),
            MIDNIGHT if h.closes == "24:00" else time.fromisoformat(h.closes),
        )
        for h in data.opening_hours
    ]
    problems = check_hours(hours)
    if problems:
        raise RuleViolation([FieldProblem("opening_hours", p) for p in problems])

    async def store() -> None:
        await booking_rules.set_hours(room_id, hours)
        await booking_rules.set_windows(room_id, data.min_notice_minutes, data.max_advance_days)

    await in_writing_transaction(engine, store)
    return await room_rules(room_id)
