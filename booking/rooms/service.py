"""Use cases of the room catalogue: listing, finding free rooms, one room's details."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from booking.bookings.rule_check import breaches
from booking.core.conflicts import Placement, free_rooms
from booking.core.errors import FieldProblem, NotFound, RuleViolation
from booking.core.localtime import to_instant
from booking.core.requests import meeting_span
from booking.core.rooms import rooms_matching
from booking.core.workflow import HOLDING
from booking.db import catalogue, occurrences
from booking.rooms.schemas import BuildingRef, BuildingView, RoomView


@dataclass(frozen=True, slots=True)
class RoomSearch:
    building_id: int | None = None
    min_capacity: int | None = None
    equipment: Sequence[str] = ()
    free_start: datetime | None = None
    free_end: datetime | None = None


def building_view(row: dict[str, Any]) -> BuildingView:
    return BuildingView(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        name_en=row["name_en"],
        zone=row["zone"],
        address=row["address"],
        is_demo=bool(row["is_demo"]),
    )


def room_view(row: dict[str, Any]) -> RoomView:
    equipment = row["equipment"]
    if isinstance(equipment, str):
        equipment = json.loads(equipment)
    return RoomView(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        building=BuildingRef(row["building"], row["building_code"], row["building_name"]),
        capacity=row["capacity"],
        equipment=sorted(equipment),
        setup_minutes=row["setup_minutes"],
        teardown_minutes=row["teardown_minutes"],
        instant_book=bool(row["instant_book"]),
        active=bool(row["active"]),
        description=row["description"],
        is_demo=bool(row["is_demo"]),
    )


async def list_buildings() -> list[BuildingView]:
    return [building_view(row) for row in await catalogue.buildings()]


async def get_building(building_id: int) -> BuildingView:
    row = await catalogue.building(building_id)
    if row is None:
        raise NotFound("building")
    return building_view(row)


async def get_room(room_id: int) -> RoomView:
    row = await catalogue.room_details(room_id)
    if row is None:
        raise NotFound("room")
    return room_view(row)


async def search_rooms(search: RoomSearch, default_zone: ZoneInfo, now: datetime) -> list[RoomView]:
    """Active rooms that fit the filters and, if a span is given, are free for all of it."""
    zone = default_zone
    if search.building_id is not None:
        zone = ZoneInfo((await get_building(search.building_id)).zone)
    # One read of the catalogue gives both the facts to search and the rows to show.
    rows = await catalogue.room_rows()
    rooms = rooms_matching(
        [catalogue.room_facts(row) for row in rows],
        building_id=search.building_id,
        min_capacity=search.min_capacity,
        equipment=search.equipment,
    )
    if search.free_start is not None or search.free_end is not None:
        if search.free_start is None or search.free_end is None:
            missing = "free_start" if search.free_start is None else "free_end"
            raise RuleViolation([FieldProblem(missing, "give both free_start and free_end")])
        meeting = meeting_span(
            to_instant(search.free_start, zone, "free_start"),
            to_instant(search.free_end, zone, "free_end"),
        )
        # Look as far out as the largest buffer of any candidate could reach.
        setup = max((room.setup for room in rooms), default=timedelta(0))
        teardown = max((room.teardown for room in rooms), default=timedelta(0))
        occupied = await occurrences.occupations(
            meeting.widened(setup, teardown), HOLDING, [room.id for room in rooms]
        )
        rooms = free_rooms(rooms, meeting, occupied)
        # Free of bookings is not enough: the room must also be open and bookable then.
        placements = [Placement(room.id, meeting, room.blocked(meeting)) for room in rooms]
        refused = {b.placement.room_id for b in await breaches(placements, rooms, now)}
        rooms = [room for room in rooms if room.id not in refused]
    found = {room.id for room in rooms}
    return [room_view(row) for row in rows if row["id"] in found]
