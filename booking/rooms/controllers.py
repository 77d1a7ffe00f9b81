"""HTTP endpoints of the room catalogue: buildings, rooms, availability, booking rules, tiers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.accounts.guards import requires_admin, requires_login
from booking.api import MAX_ID
from booking.rooms import availability, catalogue, rules, tiers, views
from booking.rooms.schemas import (
    BuildingAvailability,
    BuildingView,
    RoomAvailability,
    RoomBookingRules,
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

    @get("/{building_id:int}", summary="One building")
    async def get_building(self, building_id: FromPath[int]) -> BuildingView:
        return views.building_view(await catalogue.get_building(building_id))

    @get("/{building_id:int}/availability", summary="Busy spans of every room in a building")
    async def building_availability(
        self,
        building_id: FromPath[int],
        now: NamedDependency[datetime],
        start: RangeStart,
        end: RangeEnd,
    ) -> BuildingAvailability:
        schedule = await availability.building_availability(building_id, start, end, now)
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
        building: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        min_capacity: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        equipment: Annotated[list[EquipmentName] | None, QueryParameter()] = None,
        free_start: Annotated[datetime | None, QueryParameter()] = None,
        free_end: Annotated[datetime | None, QueryParameter()] = None,
    ) -> list[RoomView]:
        search = RoomSearch(
            building_id=building,
            min_capacity=min_capacity,
            equipment=tuple(equipment or ()),
            free_start=free_start,
            free_end=free_end,
        )
        found = await search_rooms(search, settings.default_zone, now)
        return [views.room_view(room) for room in found]

    @get("/{room_id:int}", summary="One room with its details")
    async def get_room(self, room_id: FromPath[int]) -> RoomView:
        return views.room_view(await catalogue.get_room(room_id))

    @get("/{room_id:int}/availability", summary="Busy spans of a room")
    async def room_availability(
        self,
        room_id: FromPath[int],
        now: NamedDependency[datetime],
        start: RangeStart,
        end: RangeEnd,
    ) -> RoomAvailability:
        schedule = await availability.room_availability(room_id, start, end, now)
        return views.room_availability_view(schedule)


class RoomRulesController(Controller):
    path = "/api/rooms/{room_id:int}/booking-rules"
    tags = ("rooms",)

    @get("/", summary="When a room may be booked: opening hours and booking windows")
    async def get_rules(self, room_id: FromPath[int]) -> RoomBookingRules:
        return views.rules_view(await rules.room_rules(room_id))

    @put("/", guards=[requires_login], summary="Set a room's opening hours and booking windows")
    async def set_rules(
        self,
        room_id: FromPath[int],
        data: JSONBody[RoomBookingRules],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
    ) -> RoomBookingRules:
        changed = await rules.set_room_rules(
            engine, user, room_id, views.hours_of(data), views.windows_of(data)
        )
        return views.rules_view(changed)


class TierController(Controller):
    """Approval tiers of a building (for all its rooms) or of one room (replacing its
    building's)."""

    path = "/api"
    tags = ("approvals",)

    @get("/buildings/{building_id:int}/approval-tiers", summary="A building's approval tiers")
    async def building_tiers(self, building_id: FromPath[int]) -> list[TierSetting]:
        return views.tier_settings(await tiers.building_tiers(building_id))

    @put(
        "/buildings/{building_id:int}/approval-tiers",
        guards=[requires_admin],
        summary="Set a building's approval tiers, in order (administrators)",
    )
    async def set_building_tiers(
        self,
        building_id: FromPath[int],
        data: JSONBody[list[TierSetting]],
        engine: NamedDependency[Engine],
    ) -> list[TierSetting]:
        changed = await tiers.set_building_tiers(engine, building_id, views.tier_rules(data))
        return views.tier_settings(changed)

    @get(
        "/rooms/{room_id:int}/approval-tiers",
        summary="A room's approval tiers (its own, else its building's, else the default)",
    )
    async def room_tiers(self, room_id: FromPath[int]) -> list[TierSetting]:
        return views.tier_settings(await tiers.room_tiers(room_id))

    @put(
        "/rooms/{room_id:int}/approval-tiers",
        guards=[requires_admin],
        summary="Set a room's own approval tiers; an empty list returns to its building's",
    )
    async def set_room_tiers(
        self,
        room_id: FromPath[int],
        data: JSONBody[list[TierSetting]],
        engine: NamedDependency[Engine],
    ) -> list[TierSetting]:
        return views.tier_settings(
            await tiers.set_room_tiers(engine, room_id, views.tier_rules(data))
        )
