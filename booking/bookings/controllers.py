"""HTTP endpoints of booking requests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from piccolo.engine.base import Engine

from booking.bookings import service
from booking.bookings.schemas import BookingCreate, BookingView, VersionedAction
from booking.settings import Settings


class BookingController(Controller):
    path = "/api/bookings"
    tags = ("bookings",)

    @post(
        "/",
        summary="Request a booking",
        description="201 with the booking (approved at once for instant-book rooms, pending "
        "otherwise); 409 with the conflicting occurrences and alternatives; 400/422 with "
        "field errors.",
    )
    async def create_booking(
        self,
        data: JSONBody[BookingCreate],
        engine: NamedDependency[Engine],
        now: NamedDependency[datetime],
    ) -> BookingView:
        return await service.create_booking(engine, data, now)

    @get("/", summary="List booking requests")
    async def list_bookings(
        self,
        settings: NamedDependency[Settings],
        status: Annotated[list[str] | None, QueryParameter()] = None,
        room: Annotated[int | None, QueryParameter(ge=1)] = None,
        building: Annotated[int | None, QueryParameter(ge=1)] = None,
        organisation: Annotated[str | None, QueryParameter(max_length=64)] = None,
        start: Annotated[datetime | None, QueryParameter()] = None,
        end: Annotated[datetime | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
    ) -> list[BookingView]:
        query = service.BookingQuery(
            statuses=tuple(status or ()),
            room_id=room,
            building_id=building,
            organisation=organisation,
            start=start,
            end=end,
            limit=limit,
            offset=offset,
        )
        return await service.list_bookings(query, settings.default_zone)

    @get("/{booking_id:int}", summary="One booking request")
    async def get_booking(self, booking_id: FromPath[int]) -> BookingView:
        return await service.get_booking(booking_id)

    @post("/{booking_id:int}/cancel", status_code=200, summary="Cancel; the rooms are free at once")
    async def cancel_booking(
        self,
        booking_id: FromPath[int],
        engine: NamedDependency[Engine],
        now: NamedDependency[datetime],
        data: JSONBody[VersionedAction | None] = None,
    ) -> BookingView:
        return await service.cancel_booking(engine, booking_id, data or VersionedAction(), now)
