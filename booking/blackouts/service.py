"""Use cases of blackouts and of rooms' booking rules."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
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
from booking.core.access import Actor, RoomPlace, manages_room
from booking.core.booking_rules import OpeningHours, check_hours, overlapping
from booking.core.errors import FieldProblem, Forbidden, NotFound, RuleViolation
from booking.core.localtime import to_instant
from booking.core.timespan import TimeSpan
from booking.core.workflow import HOLDING, Status
from booking.db import booking_rules, catalogue, occurrences
from booking.db.transactions import in_writing_transaction

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_BLACKOUT_LENGTH = timedelta(days=400)


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
    first, last = to_instant(start, zone, "start"), to_instant(end, zone, "end")
    if last <= first:
        raise RuleViolation([FieldProblem("end", "must be after start")])
    if last - first > MAX_BLACKOUT_LENGTH:
        raise RuleViolation([FieldProblem("end", "a blackout may last at most 400 days")])
    return TimeSpan(first, last)


async def affected(span: TimeSpan, places: list[RoomPlace]) -> list[AffectedOccurrence]:
    """Bookings and requests that the closure falls on."""
    room_ids = {p.room_id for p in places}
    if not room_ids:
        return []
    found = await occurrences.occupations(span, [*HOLDING, Status.PENDING], room_ids)
    rooms = await catalogue.rooms_by_id(room_ids)
    titles = await occurrences.titles({o.booking_id for o in found})
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
        for o in found
        if o.meeting.overlaps(span)
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
    return BlackoutSaved(view(row, zone), await affected(span, places))


async def list_blackouts(
    start: datetime | None,
    end: datetime | None,
    building: int | None,
    room: int | None,
    default_zone: ZoneInfo,
) -> list[BlackoutView]:
    window = None
    if start is not None or end is not None:
        if start is None or end is None:
            missing = "start" if start is None else "end"
            raise RuleViolation([FieldProblem(missing, "give both start and end")])
        window = _span(start, end, default_zone)
    rows = await booking_rules.blackout_rows(window, building, room)
    return [view(row, default_zone) for row in rows]


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
    span = TimeSpan(row["starts_at"], row["ends_at"])
    return BlackoutSaved(view(row, default_zone), await affected(span, places))


async def delete_blackout(
    engine: Engine, user: CurrentUser, blackout_id: int, default_zone: ZoneInfo
) -> None:
    row = await booking_rules.blackout_row(blackout_id)
    if row is None:
        raise NotFound("blackout")
    await _scope(user.actor, row["building"], row["room"], default_zone)
    await in_writing_transaction(engine, lambda: booking_rules.delete_blackout(blackout_id))


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    """An iCalendar DTSTART/DTEND: a date is the local midnight of that day."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=zone)
        return value
    return datetime.combine(value, time(0), zone)


def parse_calendar(raw: bytes, zone: ZoneInfo) -> list[tuple[str, TimeSpan, str]]:
    """(uid, span, reason) of every event of an iCalendar file; refuses what it cannot use."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise RuleViolation([FieldProblem("body", "the file is larger than 5 MB")])
    try:
        text = raw.decode("utf-8-sig")
        calendar = Calendar.from_ical(text)
    except (UnicodeDecodeError, ValueError, IndexError, KeyError) as exc:
        raise RuleViolation(
            [FieldProblem("body", f"is not an iCalendar (.ics) file: {exc}"[:300])]
        ) from None
    if calendar.name != "VCALENDAR":
        raise RuleViolation([FieldProblem("body", "is not an iCalendar (.ics) file")])
    entries: list[tuple[str, TimeSpan, str]] = []
    problems: list[FieldProblem] = []
    for number, event in enumerate(calendar.walk("VEVENT"), start=1):
        summary = str(event.get("SUMMARY", "")).strip() or "closed"
        where = f"event {number} ({summary[:60]})"
        if event.get("RRULE") is not None:
            problems.append(
                FieldProblem(where, "repeating events are not imported; list the dates")
            )
            continue
        start_prop, end_prop = event.get("DTSTART"), event.get("DTEND")
        if start_prop is None:
            problems.append(FieldProblem(where, "has no DTSTART"))
            continue
        begins = _instant(start_prop.dt, zone)
        if end_prop is not None:
            ends = _instant(end_prop.dt, zone)
        elif isinstance(start_prop.dt, datetime):
            problems.append(FieldProblem(where, "has no DTEND"))
            continue
        else:
            ends = _instant(start_prop.dt + timedelta(days=1), zone)
        if ends <= begins:
            problems.append(FieldProblem(where, "ends before it starts"))
            continue
        if ends - begins > MAX_BLACKOUT_LENGTH:
            problems.append(FieldProblem(where, "lasts more than 400 days"))
            continue
        uid = str(event.get("UID", "")).strip()
        if not uid:
            uid = "sha256:" + hashlib.sha256(f"{begins}{ends}{summary}".encode()).hexdigest()
        entries.append((uid, TimeSpan(begins, ends), summary[:500]))
    names = {uid: f"{reason} ({span.start.date()})" for uid, span, reason in entries}
    for first, second in overlapping([(uid, span) for uid, span, _ in entries]):
        problems.append(FieldProblem("body", f"{names[first]} overlaps {names[second]}"))
    if len({uid for uid, _, _ in entries}) != len(entries):
        problems.append(FieldProblem("body", "two events share one UID"))
    if problems:
        raise RuleViolation(problems)
    if not entries:
        raise RuleViolation([FieldProblem("body", "the calendar has no events")])
    return entries


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
    and an event whose time or summary changed updates its blackout."""
    zone, places = await _scope(user.actor, building, room, default_zone)
    entries = parse_calendar(raw, zone)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    ids: list[int] = []

    async def store() -> None:
        for uid, span, reason in entries:
            existing = await booking_rules.imported(uid, building, room)
            if existing is None:
                ids.append(
                    await booking_rules.insert_blackout(span, reason, building, room, now, uid)
                )
                counts["created"] += 1
                continue
            ids.append(existing["id"])
            same = (
                existing["starts_at"] == span.start
                and existing["ends_at"] == span.end
                and existing["reason"] == reason
            )
            if same:
                counts["unchanged"] += 1
            else:
                await booking_rules.update_blackout(existing["id"], span, reason)
                counts["updated"] += 1

    await in_writing_transaction(engine, store)
    rows = [await booking_rules.blackout_row(i) for i in ids]
    hit: list[AffectedOccurrence] = []
    for _, span, _ in entries:
        hit += await affected(span, places)
    return ImportReport(
        **counts,
        blackouts=[view(row, zone) for row in rows if row is not None],
        affected=hit,
    )


async def room_rules(room_id: int) -> RoomBookingRules:
    rooms = await catalogue.rooms_by_id([room_id])
    if room_id not in rooms:
        raise NotFound("room")
    rules = (await booking_rules.rules_for([rooms[room_id]]))[room_id]
    return RoomBookingRules(
        opening_hours=[
            OpeningHoursView(
                weekday=h.weekday, opens=f"{h.opens:%H:%M}", closes=f"{h.closes:%H:%M}"
            )
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
        OpeningHours(h.weekday, time.fromisoformat(h.opens), time.fromisoformat(h.closes))
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
