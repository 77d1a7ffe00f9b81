"""The home page and the room finder: when, how many people and where, answered with the rooms
free then, best fits first."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from booking.web.rendering import page


class FinderPages(Controller):
    include_in_schema = False

    @get("/")
    async def home(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "finder/home.html.j2")
