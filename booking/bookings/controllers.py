"""HTTP endpoints of booking requests (the requester's side)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from piccolo.engine.base import Engine

from booking.accounts.authentication import CurrentUser
from booking.accounts.guards import requires_login
from booking.api import MAX_ID, MAX_OFFSET
from booking.bookings import service
from booking.bookings.schemas import (
    AuditEntryView,
    BookingCreate,
    BookingUpdate,
    BookingView,
    Submission,
    VersionedAction,
)
from booking.settings import Settings


class BookingController(Controller):
    path = "/api/bookings"
    tags = ("bookings",)
    guards = [requires_login]  # noqa: RUF012

    @post(
        "/",
        summary="Request a booking",
        description="201 with the booking: approved at once for instant-book rooms that need no "
        "other tier, pending otherwise, or a draft with `submit: false`; 409 with the "
        "conflicting occurrences and alternatives; 422 with field errors. The organisation is "
        "one you are a member of (your only one if you omit it).",
    )
    async def create_booking(
        self,
        data: JSONBody[BookingCreate],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> BookingView:
        return await service.create_booking(engine, user, data, now)

    @get(
        "/",
        summary="List the booking requests you may see",
        description="Staff see every request; requesters see their own, their organisations' "
        "and public ones. `mine=true` keeps only your own and your organisations'.",
    )
    async def list_bookings(
        self,
        settings: NamedDependency[Settings],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
        status: Annotated[list[str] | None, QueryParameter()] = None,
        mine: Annotated[bool, QueryParameter()] = False,
        room: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        building: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        organisation: Annotated[str | None, QueryParameter(max_length=64)] = None,
        start: Annotated[datetime | None, QueryParameter()] = None,
        end: Annotated[datetime | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> list[BookingView]:
        query = service.BookingQuery(
            statuses=tuple(status or ()),
            mine=mine,
            room_id=room,
            building_id=building,
            organisation=organisation,
            start=start,
            end=end,
            limit=limit,
            offset=offset,
        )
        return await service.list_bookings(user, query, settings.default_zone, now)

    @get("/{booking_id:int}", summary="One booking request")
    async def get_booking(
        self,
        booking_id: FromPath[int],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> BookingView:
        return await service.get_booking(user, booking_id, now)

    @patch(
        "/{booking_id:int}",
        summary="Edit a request",
        description="Give `version` and the fields to change. A new time or rooms for an "
        "approved booking goes back to the approval tiers while the booking keeps its "
        "current slot (`proposed_occurrences`).",
    )
    async def edit_booking(
        self,
        booking_id: FromPath[int],
        data: JSONBody[BookingUpdate],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> BookingView:
        return await service.edit_booking(engine, user, booking_id, data, now)

    @post(
        "/{booking_id:int}/submit",
        status_code=200,
        summary="Submit a draft, or resubmit after changes were asked for",
    )
    async def submit_booking(
        self,
        booking_id: FromPath[int],
        data: JSONBody[Submission],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> BookingView:
        return await service.submit_booking(engine, user, booking_id, data, now)

    @post(
        "/{booking_id:int}/cancel",
        status_code=200,
        summary="Cancel; the rooms are free at once",
    )
    async def cancel_booking(
        self,
        booking_id: FromPath[int],
        data: JSONBody[VersionedAction],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> BookingView:
        return await service.cancel_booking(engine, user, booking_id, data, now)

    @get("/{booking_id:int}/history", summary="The audit trail of a request, oldest first")
    async def booking_history(
        self, booking_id: FromPath[int], user: NamedDependency[CurrentUser]
    ) -> list[AuditEntryView]:
        return await service.booking_history(user, booking_id)
