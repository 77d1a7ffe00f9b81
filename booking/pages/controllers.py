"""The front page: the buildings and rooms, and where the API is described."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template

from booking.rooms import catalogue, views
from booking.rooms.search import RoomSearch, search_rooms
from booking.settings import Settings


class PageController(Controller):
    path = "/"
    include_in_schema = False

    @get("/")
    async def home(
        self, settings: NamedDependency[Settings], now: NamedDependency[datetime]
    ) -> Template:
        search = RoomSearch()
        rooms = await search_rooms(search, settings.default_zone, now)
        buildings = await catalogue.list_buildings()
        return Template(
            template_name="home.html.j2",
            context={
                "buildings": [views.building_view(b) for b in buildings],
                "rooms": [views.room_view(room) for room in rooms],
            },
        )
