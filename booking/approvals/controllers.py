"""HTTP endpoints for decisions on requests, and the approvers' queue."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from piccolo.engine.base import Engine

from booking.accounts.authentication import CurrentUser
from booking.accounts.guards import requires_admin, requires_login
from booking.api import MAX_ID, MAX_OFFSET
from booking.approvals import buffers, service, tier_settings
from booking.approvals.buffers import BufferChange
from booking.approvals.schemas import Decision, HoldPlacement
from booking.approvals.tier_settings import TierSetting
from booking.bookings.schemas import BookingView

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
    ) -> BookingView:
        return await service.approve_booking(engine, user, booking_id, data, now)

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
    ) -> BookingView:
        return await service.reject_booking(engine, user, booking_id, data, now)

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
    ) -> BookingView:
        return await service.request_changes(engine, user, booking_id, data, now)

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
    ) -> BookingView:
        return await service.hold_booking(engine, user, booking_id, data, now)

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
    ) -> BookingView:
        return await service.release_hold(engine, user, booking_id, data, now)

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
    ) -> BookingView:
        return await buffers.set_buffers(engine, user, booking_id, data, now)

    @get(
        "/{booking_id:int}/competing",
        summary="Pending requests that want the same rooms at an overlapping time",
    )
    async def competing(
        self,
        booking_id: FromPath[int],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> list[BookingView]:
        return await service.competing_requests(user, booking_id, now)


class QueueController(Controller):
    path = "/api/approvals"
    tags = ("approvals",)
    guards = [requires_login]  # noqa: RUF012

    @get("/queue", summary="Requests waiting for a decision you can make, soonest first")
    async def queue(
        self,
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
        building: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        room: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        tier: Annotated[Literal["room_manager", "finance"] | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> list[BookingView]:
        query = service.QueueQuery(building, room, tier, limit, offset)
        return await service.approval_queue(user, query, now)


class TierController(Controller):
    """Approval tiers of a building (for all its rooms) or of one room (replacing its
    building's)."""

    path = "/api"
    tags = ("approvals",)

    @get("/buildings/{building_id:int}/approval-tiers", summary="A building's approval tiers")
    async def building_tiers(self, building_id: FromPath[int]) -> list[TierSetting]:
        return await tier_settings.building_tiers(building_id)

    @put(
        "/buildings/{building_id:int}/approval-tiers",
        guards=[requires_admin],
        summary="Set a building's approval tiers, in order (administrators)",
    )
    async def set_building_tiers(
        self,
        building_id: FromPath[int],
        data: JSONBody[list[TierSetting]],
        engine: NamedDependency[Engine],
    ) -> list[TierSetting]:
        return await tier_settings.set_building_tiers(engine, building_id, data)

    @get(
        "/rooms/{room_id:int}/approval-tiers",
        summary="A room's approval tiers (its own, else its building's, else the default)",
    )
    async def room_tiers(self, room_id: FromPath[int]) -> list[TierSetting]:
        return await tier_settings.room_tiers(room_id)

    @put(
        "/rooms/{room_id:int}/approval-tiers",
        guards=[requires_admin],
        summary="Set a room's own approval tiers; an empty list returns to its building's",
    )
    async def set_room_tiers(
        self,
        room_id: FromPath[int],
        data: JSONBody[list[TierSetting]],
        engine: NamedDependency[Engine],
    ) -> list[TierSetting]:
        return await tier_settings.set_room_tiers(engine, room_id, data)
