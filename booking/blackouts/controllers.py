"""HTTP endpoints of blackouts and of rooms' booking rules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from piccolo.engine.base import Engine

from booking.accounts.authentication import CurrentUser
from booking.accounts.guards import requires_login
from booking.api import MAX_ID
from booking.blackouts import service
from booking.blackouts.schemas import (
    BlackoutCreate,
    BlackoutSaved,
    BlackoutView,
    ImportReport,
    RoomBookingRules,
)
from booking.core.errors import FieldProblem, RuleViolation
from booking.settings import Settings


class BlackoutController(Controller):
    path = "/api/blackouts"
    tags = ("blackouts",)

    @get("/", summary="Blackouts (closures), optionally in a period and for a building or room")
    async def list_blackouts(
        self,
        settings: NamedDependency[Settings],
        start: Annotated[datetime | None, QueryParameter()] = None,
        end: Annotated[datetime | None, QueryParameter()] = None,
        building: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        room: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
    ) -> list[BlackoutView]:
        return await service.list_blackouts(start, end, building, room, settings.default_zone)

    @post(
        "/",
        guards=[requires_login],
        summary="Close a room, a building or everything for a period",
        description="Administrators, or the managers of the room or building. The answer lists "
        "the existing bookings and requests the closure falls on.",
    )
    async def create_blackout(
        self,
        data: JSONBody[BlackoutCreate],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> BlackoutSaved:
        return await service.create_blackout(engine, user, data, settings.default_zone, now)

    @get(
        "/{blackout_id:int}",
        guards=[requires_login],
        summary="One blackout, with the bookings it falls on (staff)",
    )
    async def get_blackout(
        self,
        blackout_id: FromPath[int],
        user: NamedDependency[CurrentUser],
        settings: NamedDependency[Settings],
    ) -> BlackoutSaved:
        return await service.blackout_with_affected(user, blackout_id, settings.default_zone)

    @delete("/{blackout_id:int}", guards=[requires_login], summary="Remove a blackout")
    async def delete_blackout(
        self,
        blackout_id: FromPath[int],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        settings: NamedDependency[Settings],
    ) -> None:
        await service.delete_blackout(engine, user, blackout_id, settings.default_zone)

    @post(
        "/import",
        guards=[requires_login],
        request_max_body_size=service.MAX_IMPORT_BYTES,
        summary="Import blackouts from an iCalendar (.ics) file, e.g. an academic calendar",
        description="Send the file itself as the body (text/calendar, at most 5 MB). One "
        "blackout per event, for the building or room given, or everywhere. Importing the "
        "same file again changes nothing; a changed event updates its blackout.",
    )
    async def import_calendar(
        self,
        request: Request[Any, Any, Any],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
        building: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        room: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
    ) -> ImportReport:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind.startswith("multipart/") or kind == "application/json":
            raise RuleViolation(
                [
                    FieldProblem(
                        "body",
                        "send the .ics file itself as the body, with Content-Type text/calendar,"
                        " not a form or JSON",
                    )
                ]
            )
        raw = await request.body()
        return await service.import_calendar(
            engine, user, raw, building, room, settings.default_zone, now
        )


class RoomRulesController(Controller):
    path = "/api/rooms/{room_id:int}/booking-rules"
    tags = ("rooms",)

    @get("/", summary="When a room may be booked: opening hours and booking windows")
    async def get_rules(self, room_id: FromPath[int]) -> RoomBookingRules:
        return await service.room_rules(room_id)

    @put("/", guards=[requires_login], summary="Set a room's opening hours and booking windows")
    async def set_rules(
        self,
        room_id: FromPath[int],
        data: JSONBody[RoomBookingRules],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
    ) -> RoomBookingRules:
        return await service.set_room_rules(engine, user, room_id, data)
