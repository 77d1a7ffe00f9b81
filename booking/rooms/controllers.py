"""HTTP endpoints of the room catalogue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from booking.api import MAX_ID
from booking.availability import service as availability
from booking.availability.schemas import BuildingAvailability, RoomAvailability
from booking.rooms import service
from booking.rooms.schemas import BuildingView, RoomView
from booking.settings import Settings

# An empty name would match no room: a mistake, not a filter.
EquipmentName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class BuildingController(Controller):
    path = "/api/buildings"
    tags = ("rooms",)

    @get("/", summary="List the buildings")
    async def list_buildings(self) -> list[BuildingView]:
        return await service.list_buildings()

    @get("/{building_id:int}", summary="One building")
    async def get_building(self, building_id: FromPath[int]) -> BuildingView:
        return await service.get_building(building_id)

    @get("/{building_id:int}/availability", summary="Busy spans of every room in a building")
    async def building_availability(
        self,
        building_id: FromPath[int],
        start: Annotated[datetime, QueryParameter(description="range start (local if no offset)")],
        end: Annotated[datetime, QueryParameter(description="range end, at most 62 days later")],
    ) -> BuildingAvailability:
        return await availability.building_availability(building_id, start, end)


class RoomController(Controller):
    path = "/api/rooms"
    tags = ("rooms",)

    @get(
        "/",
        summary="Find rooms",
        description="Filter by building, capacity and equipment; with free_start and free_end, "
        "only rooms free for the whole span (their setup and teardown buffers included), open "
        "then, within their booking windows and not closed by a blackout.",
    )
    async def list_rooms(
        self,
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
        building: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        min_capacity: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        equipment: Annotated[list[EquipmentName] | None, QueryParameter()] = None,
        free_start: Annotated[datetime | None, QueryParameter()] = None,
        free_end: Annotated[datetime | None, QueryParameter()] = None,
    ) -> list[RoomView]:
        search = service.RoomSearch(
            building_id=building,
            min_capacity=min_capacity,
            equipment=tuple(equipment or ()),
            free_start=free_start,
            free_end=free_end,
        )
        return await service.search_rooms(search, settings.default_zone, now)

    @get("/{room_id:int}", summary="One room with its details")
    async def get_room(self, room_id: FromPath[int]) -> RoomView:
        return await service.get_room(room_id)

    @get("/{room_id:int}/availability", summary="Busy spans of a room")
    async def room_availability(
        self,
        room_id: FromPath[int],
        start: Annotated[datetime, QueryParameter(description="range start (local if no offset)")],
        end: Annotated[datetime, QueryParameter(description="range end, at most 62 days later")],
    ) -> RoomAvailability:
        return await availability.room_availability(room_id, start, end)
