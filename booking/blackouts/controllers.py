"""HTTP endpoints of blackouts: closures, the bookings they fall on, calendar imports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.accounts.guards import requires_login
from booking.api.places import BuildingInQuery, RoomInQuery, building_id, room_id
from booking.blackouts import closures, importing, views
from booking.blackouts.schemas import BlackoutCreate, BlackoutSaved, BlackoutView, ImportReport
from booking.calendars.parsing import MAX_IMPORT_BYTES
from booking.core.errors import refused
from booking.core.messages import Message
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
        building: BuildingInQuery = None,
        room: RoomInQuery = None,
    ) -> list[BlackoutView]:
        found = await closures.list_blackouts(
            start, end, await building_id(building), await room_id(room), settings.default_zone
        )
        return [views.blackout_view(blackout, zone) for blackout, zone in found]

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
        closure = await closures.create_blackout(
            engine,
            user,
            (data.start, data.end),
            data.reason,
            (await building_id(data.building), await room_id(data.room)),
            settings.default_zone,
            now,
        )
        return views.closure_view(closure)

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
        now: NamedDependency[datetime],
    ) -> BlackoutSaved:
        closure = await closures.blackout_with_affected(
            user, blackout_id, settings.default_zone, now
        )
        return views.closure_view(closure)

    @delete("/{blackout_id:int}", guards=[requires_login], summary="Remove a blackout")
    async def delete_blackout(
        self,
        blackout_id: FromPath[int],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        settings: NamedDependency[Settings],
    ) -> None:
        await closures.delete_blackout(engine, user, blackout_id, settings.default_zone)

    @post(
        "/import",
        guards=[requires_login],
        request_max_body_size=MAX_IMPORT_BYTES,
        summary="Import blackouts from an iCalendar (.ics) file, e.g. an academic calendar",
        description="Send the file itself as the body (Content-Type text/calendar, at most 5 "
        "MB; any other type, or none, is refused with 422). One blackout per event, for the "
        "building or room given, or everywhere. Importing the same file again changes nothing; "
        "a changed event updates its blackout.",
    )
    async def import_calendar(
        self,
        request: Request[Any, Any, Any],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
        building: BuildingInQuery = None,
        room: RoomInQuery = None,
    ) -> ImportReport:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "text/calendar":
            raise refused("body", Message("calendar.send_the_file"))
        raw = await request.body()
        result = await importing.import_calendar(
            engine,
            user,
            raw,
            (await building_id(building), await room_id(room)),
            settings.default_zone,
            now,
        )
        return views.import_view(result)
