"""HTTP endpoints for decisions on booking requests."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from piccolo.engine.base import Engine

from booking.approvals import service
from booking.approvals.schemas import Decision
from booking.bookings.schemas import BookingView


class ApprovalController(Controller):
    path = "/api/bookings"
    tags = ("approvals",)

    @post(
        "/{booking_id:int}/approve",
        status_code=200,
        summary="Approve a pending request",
        description="409 if the version is stale, the request is no longer pending, or another "
        "booking now holds the room.",
    )
    async def approve_booking(
        self,
        booking_id: FromPath[int],
        data: JSONBody[Decision],
        engine: NamedDependency[Engine],
        now: NamedDependency[datetime],
    ) -> BookingView:
        return await service.approve_booking(engine, booking_id, data.version, now)
