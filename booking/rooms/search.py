"""Finding rooms: by building, size and equipment, and free and open for a span of time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from booking.core.catalogue import RoomDetails
from booking.core.conflicts import Placement, free_rooms
from booking.core.errors import refused
from booking.core.localtime import to_instant
from booking.core.messages import Message
from booking.core.requests import meeting_span
from booking.core.rooms import rooms_matching
from booking.core.workflow import HOLDING
from booking.db import catalogue, occurrences
from booking.rooms.catalogue import get_building
from booking.rooms.rules import breaches


@dataclass(frozen=True, slots=True)
class RoomSearch:
    building_id: int | None = None
    min_capacity: int | None = None
    equipment: Sequence[str] = ()
    free_start: datetime | None = None
    free_end: datetime | None = None


async def search_rooms(
    search: RoomSearch, default_zone: ZoneInfo, now: datetime
) -> list[RoomDetails]:
    """Active rooms that fit the filters and, if a span is given, are free for all of it."""
    zone = default_zone
    if search.building_id is not None:
        zone = ZoneInfo((await get_building(search.building_id)).zone)
    # One read of the catalogue gives both the facts to search and the details to show.
    every_room = await catalogue.rooms()
    rooms = rooms_matching(
        [room.facts for room in every_room],
        building_id=search.building_id,
        min_capacity=search.min_capacity,
        equipment=search.equipment,
    )
    if search.free_start is not None or search.free_end is not None:
        if search.free_start is None or search.free_end is None:
            missing = "free_start" if search.free_start is None else "free_end"
            raise refused(missing, Message("search.both_free_start_and_end"))
        meeting = meeting_span(
            to_instant(search.free_start, zone, "free_start"),
            to_instant(search.free_end, zone, "free_end"),
        )
        # Look as far out as the largest buffer of any candidate could reach.
        setup = max((room.setup for room in rooms), default=timedelta(0))
        teardown = max((room.teardown for room in rooms), default=timedelta(0))
        occupied = await occurrences.occupations(
            meeting.widened(setup, teardown), HOLDING, [room.id for room in rooms], as_of=now
        )
        rooms = free_rooms(rooms, meeting, occupied)
        # Free of bookings is not enough: the room must also be open and bookable then.
        placements = [Placement(room.id, meeting, room.blocked(meeting)) for room in rooms]
        refused_rooms = {b.placement.room_id for b in await breaches(placements, rooms, now)}
        rooms = [room for room in rooms if room.id not in refused_rooms]
    found = {room.id for room in rooms}
    return [room for room in every_room if room.facts.id in found]
