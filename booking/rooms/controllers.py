"""HTTP endpoints of the room catalogue: buildings, rooms, availability, booking rules, tiers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get, patch, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.accounts.guards import requires_admin, requires_login
from booking.api import MAX_ID
from booking.api.places import (
    BuildingInQuery,
    BuildingKey,
    RoomKey,
    building_id,
    building_in_path,
    room_in_path,
)
from booking.api.updates import sent_fields
from booking.rooms import availability, catalogue, rules, tiers, views
from booking.rooms.schemas import (
    BuildingAvailability,
    BuildingUpdate,
    BuildingView,
    RoomAvailability,
    RoomBookingRules,
    RoomUpdate,
    RoomView,
    TierSetting,
)
from booking.rooms.search import RoomSearch, search_rooms
from booking.settings import Settings

# An empty name would match no room: a mistake, not a filter.
EquipmentName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
RangeStart = Annotated[datetime, QueryParameter(description="range start (local if no offset)")]
RangeEnd = Annotated[datetime, QueryParameter(description="range end, at most 62 days later")]


class BuildingController(Controller):
    path = "/api/buildings"
    tags = ("rooms",)

    @get("/", summary="List the buildings")
    async def list_buildings(self) -> list[BuildingView]:
        return [views.building_view(b) for b in await catalogue.list_buildings()]

    @get("/{building_id:str}", summary="One building")
    async def get_building(self, building_id: BuildingKey) -> BuildingView:
        return views.building_view(
            await catalogue.get_building(await building_in_path(building_id))
        )

    @patch(
        "/{building_id:str}",
        guards=[requires_admin],
        summary="Change a building's names or address",
    )
    async def change_building(
        self,
        building_id: BuildingKey,
        data: JSONBody[BuildingUpdate],
        now: NamedDependency[datetime],
    ) -> BuildingView:
        found = await building_in_path(building_id)
        return views.building_view(await catalogue.change_building(found, sent_fields(data), now))

    @get("/{building_id:str}/availability", summary="Busy spans of every room in a building")
    async def building_availability(
        self,
        building_id: BuildingKey,
        now: NamedDependency[datetime],
        start: RangeStart,
        end: RangeEnd,
    ) -> BuildingAvailability:
        building = await building_in_path(building_id)
        schedule = await availability.building_availability(building, start, end, now)
        return views.building_availability_view(schedule)


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
        building: BuildingInQuery = None,
        min_capacity: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        equipment: Annotated[list[EquipmentName] | None, QueryParameter()] = None,
        free_start: Annotated[datetime | None, QueryParameter()] = None,
        free_end: Annotated[datetime | None, QueryParameter()] = None,
    ) -> list[RoomView]:
        search = RoomSearch(
            building_id=await building_id(building),
            min_capacity=min_capacity,
            equipment=tuple(equipment or ()),
            free_start=free_start,
            free_end=free_end,
        )
        found = await search_rooms(search, settings.default_zone, now)
        return [views.room_view(room) for room in found]

    @get("/{room_id:str}", summary="One room with its details")
    async def get_room(self, room_id: RoomKey) -> RoomView:
        return views.room_view(await catalogue.get_room(await room_in_path(room_id)))

    @patch(
        "/{room_id:str}",
        guards=[requires_admin],
        summary="Change a room's name, capacity or description",
    )
    async def change_room(
        self, room_id: RoomKey, data: JSONBody[RoomUpdate], now: NamedDependency[datetime]
    ) -> RoomView:
        found = await room_in_path(room_id)
        return views.room_view(await catalogue.change_room(found, sent_fields(data), now))

    @get("/{room_id:str}/availability", summary="Busy spans of a room")
    async def room_availability(
        self,
        room_id: RoomKey,
        now: NamedDependency[datetime],
        start: RangeStart,
        end: RangeEnd,
    ) -> RoomAvailability:
        room = await room_in_path(room_id)
        schedule = await availability.room_availability(room, start, end, now)
        return views.room_availability_view(schedule)


class RoomRulesController(Controller):
    path = "/api/rooms/{room_id:str}/booking-rules"
    tags = ("rooms",)

    @get("/", summary="When a room may be booked: opening hours and booking windows")
    async def get_rules(self, room_id: RoomKey) -> RoomBookingRules:
        return views.rules_view(await rules.room_rules(await room_in_path(room_id)))

    @put("/", guards=[requires_login], summary="Set a room's opening hours and booking windows")
    async def set_rules(
        self,
        room_id: RoomKey,
        data: JSONBody[RoomBookingRules],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
    ) -> RoomBookingRules:
        room = await room_in_path(room_id)
        changed = await rules.set_room_rules(
            engine, user, room, views.hours_of(data), views.windows_of(data)
        )
        return views.rules_view(changed)


class TierController(Controller):
    """Approval tiers of a building (for all its rooms) or of one room (replacing its
    building's)."""

    path = "/api"
    tags = ("approvals",)

    @get("/buildings/{building_id:str}/approval-tiers", summary="A building's approval tiers")
    async def building_tiers(self, building_id: BuildingKey) -> list[TierSetting]:
        return views.tier_settings(await tiers.building_tiers(await building_in_path(building_id)))

    @put(
        "/buildings/{building_id:str}/approval-tiers",
        guards=[requires_admin],
        summary="Set a building's approval tiers, in order (administrators)",
    )
    async def set_building_tiers(
        self,
        building_id: BuildingKey,
        data: JSONBody[list[TierSetting]],
        engine: NamedDependency[Engine],
    ) -> list[TierSetting]:
        building = await building_in_path(building_id)
        changed = await tiers.set_building_tiers(engine, building, views.tier_rules(data))
        return views.tier_settings(changed)

    @get(
        "/rooms/{room_id:str}/approval-tiers",
        summary="A room's approval tiers (its own, else its building's, else the default)",
    )
    async def room_tiers(self, room_id: RoomKey) -> list[TierSetting]:
        return views.tier_settings(await tiers.room_tiers(await room_in_path(room_id)))

    @put(
        "/rooms/{room_id:str}/approval-tiers",
        guards=[requires_admin],
        summary="Set a room's own approval tiers; an empty list returns to its building's",
    )
    async def set_room_tiers(
        self,
        room_id: RoomKey,
        data: JSONBody[list[TierSetting]],
        engine: NamedDependency[Engine],
    ) -> list[TierSetting]:
        room = await room_in_path(room_id)
        return views.tier_settings(await tiers.set_room_tiers(engine, room, views.tier_rules(data)))
