"""Use cases of the room catalogue: the buildings and the rooms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from booking.core.catalogue import Building, RoomDetails
from booking.core.errors import NotFound
from booking.core.rooms import RoomFacts
from booking.db import catalogue


async def list_buildings() -> list[Building]:
    return await catalogue.buildings()


async def get_building(building_id: int) -> Building:
    found = await catalogue.building(building_id)
    if found is None:
        raise NotFound("building")
    return found


async def active_rooms() -> list[RoomDetails]:
    """The rooms that can be booked, by code: what an empty search finds, without searching."""
    return [room for room in await catalogue.rooms() if room.facts.active]


async def rooms_by_id(room_ids: Iterable[int]) -> dict[int, RoomFacts]:
    """The rooms of `room_ids` that exist, in one read."""
    return await catalogue.rooms_by_id(room_ids)


async def get_room(room_id: int) -> RoomDetails:
    found = await catalogue.room(room_id)
    if found is None:
        raise NotFound("room")
    return found


async def change_room(room_id: int, values: Mapping[str, Any], now: datetime) -> RoomDetails:
    """An administrator's change of a room's name, capacity or description; the calendar feeds
    that show the room change with it."""
    await get_room(room_id)
    if values:
        await catalogue.update_room(room_id, values, now)
    return await get_room(room_id)


async def change_building(building_id: int, values: Mapping[str, Any], now: datetime) -> Building:
    await get_building(building_id)
    if values:
        await catalogue.update_building(building_id, values, now)
    return await get_building(building_id)


async def room_facts(room_id: int) -> RoomFacts:
    """What the rules, tiers and schedules of one room need to know of it."""
    found = (await catalogue.rooms_by_id([room_id])).get(room_id)
    if found is None:
        raise NotFound("room")
    return found
