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
from booking.core.rooms import RoomFacts, rooms_matching
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


@dataclass(frozen=True, slots=True)
class PassedOver:
    """A room of the buildings searched that the search does not offer, and why: too small,
    without the equipment asked for, booked then, or refused by its rules (closed, outside its
    opening hours, too soon, too far ahead)."""

    room: RoomDetails
    reason: Message


@dataclass(frozen=True, slots=True)
class SearchAnswer:
    found: list[RoomDetails]
    passed_over: list[PassedOver]


async def search_rooms(
    search: RoomSearch, default_zone: ZoneInfo, now: datetime
) -> list[RoomDetails]:
    """Active rooms that fit the filters and, if a span is given, are free for all of it."""
    return (await search_rooms_explained(search, default_zone, now)).found


def _why_unfit(room: RoomFacts, search: RoomSearch) -> Message:
    if search.min_capacity is not None and room.capacity < search.min_capacity:
        return Message("search.too_small", capacity=room.capacity)
    return Message("search.lacks_equipment")


async def search_rooms_explained(
    search: RoomSearch, default_zone: ZoneInfo, now: datetime
) -> SearchAnswer:
    """The rooms `search_rooms` finds, and the other active rooms of the buildings searched
    with the reason each is not offered."""
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
    matching = {room.id for room in rooms}
    reasons: dict[int, Message] = {
        room.facts.id: _why_unfit(room.facts, search)
        for room in every_room
        if room.facts.active
        and search.building_id in (None, room.facts.building_id)
        and room.facts.id not in matching
    }
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
        free = free_rooms(rooms, meeting, occupied)
        free_ids = {room.id for room in free}
        reasons.update(
            (room.id, Message("search.booked")) for room in rooms if room.id not in free_ids
        )
        # Free of bookings is not enough: the room must also be open and bookable then.
        placements = [Placement(room.id, meeting, room.blocked(meeting)) for room in free]
        for breach in await breaches(placements, free, now):
            reasons.setdefault(breach.placement.room_id, breach.reason)
        rooms = [room for room in free if room.id not in reasons]
    found = {room.id for room in rooms}
    return SearchAnswer(
        found=[room for room in every_room if room.facts.id in found],
        passed_over=[
            PassedOver(room, reasons[room.facts.id])
            for room in every_room
            if room.facts.id in reasons
        ],
    )
