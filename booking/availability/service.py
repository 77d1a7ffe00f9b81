"""Busy spans of a room or of every room in a building over a date range."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from booking.availability.schemas import (
    BuildingAvailability,
    BusySpan,
    ClosedSpan,
    RoomAvailability,
)
from booking.core.booking_rules import Blackout
from booking.core.conflicts import Occupation
from booking.core.errors import FieldProblem, NotFound, RuleViolation
from booking.core.localtime import to_instant
from booking.core.rooms import RoomFacts
from booking.core.timespan import TimeSpan
from booking.core.workflow import HOLDING, Status
from booking.db import booking_rules, catalogue, occurrences

MAX_RANGE = timedelta(days=62)


def _range(start: datetime, end: datetime, zone: ZoneInfo) -> TimeSpan:
    first = to_instant(start, zone, "start")
    last = to_instant(end, zone, "end")
    if last <= first:
        raise RuleViolation([FieldProblem("end", "must be after start")])
    if last - first > MAX_RANGE:
        raise RuleViolation([FieldProblem("end", "ask for at most 62 days at a time")])
    return TimeSpan(first, last)


def _busy(occupation: Occupation, zone: ZoneInfo) -> BusySpan:
    return BusySpan(
        start=occupation.meeting.start.astimezone(zone),
        end=occupation.meeting.end.astimezone(zone),
        blocked_from=occupation.blocked.start.astimezone(zone),
        blocked_until=occupation.blocked.end.astimezone(zone),
        status=occupation.status,
        title=occupation.public_title,
    )


def _room_availability(
    room: RoomFacts, span: TimeSpan, found: list[Occupation], blackouts: list[Blackout]
) -> RoomAvailability:
    zone = ZoneInfo(room.zone)
    mine = [o for o in found if o.room_id == room.id]
    closed = [
        ClosedSpan(b.span.start.astimezone(zone), b.span.end.astimezone(zone), b.reason)
        for b in blackouts
        if b.applies_to(room.id, room.building_id)
    ]
    return RoomAvailability(
        room_id=room.id,
        room_code=room.code,
        zone=room.zone,
        start=span.start.astimezone(zone),
        end=span.end.astimezone(zone),
        busy=[_busy(o, zone) for o in mine if o.status in HOLDING],
        requested=[_busy(o, zone) for o in mine if o.status == Status.PENDING],
        closed=closed,
    )


async def room_availability(room_id: int, start: datetime, end: datetime) -> RoomAvailability:
    room = (await catalogue.rooms_by_id([room_id])).get(room_id)
    if room is None:
        raise NotFound("room")
    span = _range(start, end, ZoneInfo(room.zone))
    found = await occurrences.occupations(span, [*HOLDING, Status.PENDING], [room.id])
    return _room_availability(room, span, found, await booking_rules.blackouts_in(span))


async def building_availability(
    building_id: int, start: datetime, end: datetime
) -> BuildingAvailability:
    building = await catalogue.building(building_id)
    if building is None:
        raise NotFound("building")
    span = _range(start, end, ZoneInfo(building["zone"]))
    rooms = [r for r in await catalogue.all_rooms() if r.building_id == building_id and r.active]
    found = await occurrences.occupations(
        span, [*HOLDING, Status.PENDING], [room.id for room in rooms]
    )
    blackouts = await booking_rules.blackouts_in(span)
    zone = ZoneInfo(building["zone"])
    return BuildingAvailability(
        building_id=building_id,
        building_code=building["code"],
        start=span.start.astimezone(zone),
        end=span.end.astimezone(zone),
        rooms=[_room_availability(room, span, found, blackouts) for room in rooms],
    )
