"""Busy spans of a room or of every room in a building over a date range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from booking.core.booking_rules import Blackout
from booking.core.catalogue import Building
from booking.core.conflicts import Occupation
from booking.core.localtime import period
from booking.core.messages import Message
from booking.core.rooms import RoomFacts
from booking.core.timespan import TimeSpan
from booking.core.workflow import HOLDING, Status
from booking.db import catalogue, occurrences
from booking.db.blackouts import blackouts_in
from booking.rooms.catalogue import get_building, room_facts

MAX_RANGE = timedelta(days=62)


@dataclass(frozen=True, slots=True)
class RoomSchedule:
    """What holds a room in a period (`busy`), what is asked for there (`requested`), and when
    it is closed."""

    room: RoomFacts
    span: TimeSpan
    busy: list[Occupation]
    requested: list[Occupation]
    closed: list[Blackout]


@dataclass(frozen=True, slots=True)
class BuildingSchedule:
    building: Building
    span: TimeSpan
    rooms: list[RoomSchedule]


def _range(start: datetime, end: datetime, zone: ZoneInfo) -> TimeSpan:
    too_long = Message("availability.range_too_long", days=MAX_RANGE.days)
    span = period(start, end, zone, MAX_RANGE, too_long)
    assert span is not None  # both are required parameters
    return span


def _of_room(
    room: RoomFacts, span: TimeSpan, found: list[Occupation], blackouts: list[Blackout]
) -> RoomSchedule:
    mine = [o for o in found if o.room_id == room.id]
    return RoomSchedule(
        room=room,
        span=span,
        busy=[o for o in mine if o.status in HOLDING],
        requested=[o for o in mine if o.status == Status.PENDING],
        closed=[b for b in blackouts if b.applies_to(room.id, room.building_id)],
    )


async def room_availability(
    room_id: int, start: datetime, end: datetime, now: datetime
) -> RoomSchedule:
    room = await room_facts(room_id)
    span = _range(start, end, ZoneInfo(room.zone))
    found = await occurrences.occupations(span, [*HOLDING, Status.PENDING], [room.id], as_of=now)
    return _of_room(room, span, found, await blackouts_in(span))


async def building_availability(
    building_id: int, start: datetime, end: datetime, now: datetime
) -> BuildingSchedule:
    building = await get_building(building_id)
    span = _range(start, end, ZoneInfo(building.zone))
    (schedule,) = await _schedules([building], span, now)
    return schedule


async def every_building_availability(
    start: datetime, end: datetime, zone: ZoneInfo, now: datetime
) -> list[BuildingSchedule]:
    """Every building's schedule over one period (wall-clock times in `zone`), read at once:
    the rooms, what holds or is asked of them, and the closures, in a query each."""
    return await _schedules(await catalogue.buildings(), _range(start, end, zone), now)


async def _schedules(
    buildings: list[Building], span: TimeSpan, now: datetime
) -> list[BuildingSchedule]:
    wanted = {building.id for building in buildings}
    rooms = [r for r in await catalogue.all_rooms() if r.building_id in wanted and r.active]
    found = await occurrences.occupations(
        span, [*HOLDING, Status.PENDING], [room.id for room in rooms], as_of=now
    )
    blackouts = await blackouts_in(span)
    return [
        BuildingSchedule(
            building,
            span,
            [
                _of_room(room, span, found, blackouts)
                for room in rooms
                if room.building_id == building.id
            ],
        )
        for building in buildings
    ]
