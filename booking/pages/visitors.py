"""What anyone may read without an account: the buildings and their rooms, each room's week,
the public events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from booking.rooms import catalogue, views
from booking.rooms.search import RoomSearch, search_rooms
from booking.settings import Settings
from booking.web.rendering import page


class VisitorPages(Controller):
    include_in_schema = False

    @get("/rooms")
    async def rooms(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Template:
        rooms = await search_rooms(RoomSearch(), settings.default_zone, now)
        buildings = await catalogue.list_buildings()
        return page(
            request,
            "visitors/rooms.html.j2",
            {
                "buildings": [views.building_view(b) for b in buildings],
                "rooms": [views.room_view(room) for room in rooms],
            },
        )
