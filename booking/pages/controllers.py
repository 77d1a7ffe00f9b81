"""The front page: the buildings and rooms, and where the API is described."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template

from booking.rooms import service
from booking.settings import Settings


class PageController(Controller):
    path = "/"
    include_in_schema = False

    @get("/")
    async def home(
        self, settings: NamedDependency[Settings], now: NamedDependency[datetime]
    ) -> Template:
        rooms = await service.search_rooms(service.RoomSearch(), settings.default_zone, now)
        return Template(
            template_name="home.html.j2",
            context={"buildings": await service.list_buildings(), "rooms": rooms},
        )
