"""HTTP endpoints for decisions on requests, holds and buffers, and the approvers' queue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.accounts.guards import requires_login
from booking.api import MAX_OFFSET
from booking.api.places import BuildingInQuery, RoomInQuery, building_id, room_id
from booking.bookings import buffers, deciding, holds, reading
from booking.bookings.commands import Act, Hold, SetBuffers
from booking.bookings.controllers import outcome_view
from booking.bookings.schemas import BookingView, BufferChange, Decision, HoldPlacement
from booking.bookings.views import booking_views
from booking.i18n import Texts

_CONFLICTS = (
    "409 if the version is stale, the request is not waiting for this decision, or another "
    "booking now holds the room; 403 if you do not decide for these rooms."
)


class DecisionController(Controller):
    path = "/api/bookings"
    tags = ("approvals",)
    guards = [requires_login]  # noqa: RUF012

    @post(
        "/{booking_id:int}/approve",
        status_code=200,
        summary="Approve the tier the request waits for",
        description="The last tier makes the request hold its rooms and declines the pending "
        "requests it overlaps. " + _CONFLICTS,
    )
    async def approve(
        self,
        booking_id: FromPath[int],
        data: JSONBody[Decision],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
        texts: NamedDependency[Texts],
    ) -> BookingView:
        command = Act(data.version, data.comment)
        outcome = await deciding.approve_booking(engine, user, booking_id, command, now)
        return outcome_view(outcome, user, now, texts)

    @post(
        "/{booking_id:int}/reject",
        status_code=200,
        summary="Reject the request (or the change waiting for approval)",
    )
    async def reject(
        self,
        booking_id: FromPath[int],
        data: JSONBody[Decision],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
        texts: NamedDependency[Texts],
    ) -> BookingView:
        command = Act(data.version, data.comment)
        outcome = await deciding.reject_booking(engine, user, booking_id, command, now)
        return outcome_view(outcome, user, now, texts)

    @post(
        "/{booking_id:int}/request-changes",
        status_code=200,
        summary="Send the request back to the requester with a comment",
    )
    async def request_changes(
        self,
        booking_id: FromPath[int],
        data: JSONBody[Decision],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
        texts: NamedDependency[Texts],
    ) -> BookingView:
        command = Act(data.version, data.comment)
        outcome = await deciding.request_changes(engine, user, booking_id, command, now)
        return outcome_view(outcome, user, now, texts)

    @post(
        "/{booking_id:int}/hold",
        status_code=200,
        summary="Hold the rooms for a pending request until a given time",
    )
    async def hold(
        self,
        booking_id: FromPath[int],
        data: JSONBody[HoldPlacement],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
        texts: NamedDependency[Texts],
    ) -> BookingView:
        command = Hold(data.version, data.comment, until=data.until)
        outcome = await holds.hold_booking(engine, user, booking_id, command, now)
        return outcome_view(outcome, user, now, texts)

    @post(
        "/{booking_id:int}/release",
        status_code=200,
        summary="Release a hold; the request is pending again",
    )
    async def release(
        self,
        booking_id: FromPath[int],
        data: JSONBody[Decision],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
        texts: NamedDependency[Texts],
    ) -> BookingView:
        command = Act(data.version, data.comment)
        outcome = await holds.release_hold(engine, user, booking_id, command, now)
        return outcome_view(outcome, user, now, texts)

    @post(
        "/{booking_id:int}/buffers",
        status_code=200,
        summary="Set this booking's own setup and teardown (the rooms' managers)",
        description="Every date's blocked span is recomputed and checked against the other "
        "bookings of its room; the reason goes into the audit trail.",
    )
    async def buffers(
        self,
        booking_id: FromPath[int],
        data: JSONBody[BufferChange],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
        texts: NamedDependency[Texts],
    ) -> BookingView:
        command = SetBuffers(
            data.version,
            data.reason,
            setup_minutes=data.setup_minutes,
            teardown_minutes=data.teardown_minutes,
        )
        outcome = await buffers.set_buffers(engine, user, booking_id, command, now)
        return outcome_view(outcome, user, now, texts)

    @get(
        "/{booking_id:int}/competing",
        summary="Pending requests that want the same rooms at an overlapping time",
    )
    async def competing(
        self,
        booking_id: FromPath[int],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
        texts: NamedDependency[Texts],
    ) -> list[BookingView]:
        found = await reading.competing_requests(user, booking_id, now)
        return booking_views(found, user.actor, now, texts)


class QueueController(Controller):
    path = "/api/approvals"
    tags = ("approvals",)
    guards = [requires_login]  # noqa: RUF012

    @get("/queue", summary="Requests waiting for a decision you can make, soonest first")
    async def queue(
        self,
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
        texts: NamedDependency[Texts],
        building: BuildingInQuery = None,
        room: RoomInQuery = None,
        tier: Annotated[Literal["room_manager", "finance"] | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> list[BookingView]:
        query = reading.QueueQuery(
            await building_id(building), await room_id(room), tier, limit, offset
        )
        found = await reading.approval_queue(user, query, now)
        return booking_views(found, user.actor, now, texts)
