"""HTTP endpoints for organisations."""

from __future__ import annotations

import msgspec
from litestar import Controller, get

from booking.db import catalogue


class OrganisationView(msgspec.Struct):
    id: int
    code: str
    name: str
    kind: str
    is_demo: bool


class OrganisationController(Controller):
    path = "/api/organisations"
    tags = ("organisations",)

    @get("/", summary="List faculties, departments and organisations")
    async def list_organisations(self) -> list[OrganisationView]:
        return [
            OrganisationView(o.id, o.code, o.name, o.kind, o.is_demo)
            for o in await catalogue.organisations()
        ]
