"""HTTP endpoints for single dates of a request, and for the dates a series skipped."""

from __future__ import annotations

from datetime import date, datetime, time

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from piccolo.engine.base import Engine

from booking.accounts.authentication import CurrentUser
from booking.accounts.guards import requires_login
from booking.approvals import service as approvals
from booking.approvals.schemas import Decision
from booking.bookings import dates
from booking.bookings.schemas import (
    BookingView,
    DateMove,
    DateRestore,
    FollowingChange,
    VersionedAction,
)
from booking.core.errors import FieldProblem, RuleViolation

DATE = "/{booking_id:int}/occurrences/{occurrence_id:int}"


class DateController(Controller):
    path = "/api/bookings"
    tags = ("dates",)
    guards = [requires_login]  # noqa: RUF012

    @post(f"{DATE}/cancel", status_code=200, summary="Cancel one date (every room that day)")
    async def cancel(
        self,
        booking_id: FromPath[int],
        occurrence_id: FromPath[int],
        data: JSONBody[VersionedAction],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> BookingView:
        return await dates.cancel_date(
            engine, user, booking_id, occurrence_id, data.version, data.comment, now
        )

    @post(
        f"{DATE}/move",
        status_code=200,
        summary="Move one date to another time",
        description="In an approved booking whose rooms need approval the new time waits for "
        "the tiers while the date keeps its slot.",
    )
    async def move(
        self,
        booking_id: FromPath[int],
        occurrence_id: FromPath[int],
        data: JSONBody[DateMove],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> BookingView:
        return await dates.move_date(
            engine,
            user,
            booking_id,
            occurrence_id,
            data.start,
            data.end,
            data.version,
            data.comment,
            now,
            data.override_reason,
        )

    @post(
        f"{DATE}/change-following",
        status_code=200,
        summary="Change a series from this date on: new times and/or rooms",
    )
    async def change_following(
        self,
        booking_id: FromPath[int],
        occurrence_id: FromPath[int],
        data: JSONBody[FollowingChange],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> BookingView:
        changes: dict[str, object] = {
            name: getattr(data, name)
            for name in ("rooms", "ambiguous")
            if getattr(data, name) is not None
        }
        for name in ("start_time", "end_time"):
            if getattr(data, name) is not None:
                changes[name] = time.fromisoformat(getattr(data, name))
        if not changes.keys() - {"ambiguous"}:
            raise RuleViolation([FieldProblem("body", "give start_time, end_time or rooms")])
        return await dates.change_following(
            engine,
            user,
            booking_id,
            occurrence_id,
            changes,
            data.version,
            data.comment,
            now,
            data.override_reason,
        )

    @post(
        f"{DATE}/approve",
        status_code=200,
        summary="Approve one date (last tier); the request is approved when no date waits",
    )
    async def approve(
        self,
        booking_id: FromPath[int],
        occurrence_id: FromPath[int],
        data: JSONBody[Decision],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> BookingView:
        return await approvals.approve_date(engine, user, booking_id, occurrence_id, data, now)

    @post(f"{DATE}/reject", status_code=200, summary="Refuse one date of a waiting request")
    async def reject(
        self,
        booking_id: FromPath[int],
        occurrence_id: FromPath[int],
        data: JSONBody[Decision],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> BookingView:
        return await approvals.reject_date(engine, user, booking_id, occurrence_id, data, now)

    @post(
        "/{booking_id:int}/skipped-dates/{day:str}/restore",
        status_code=200,
        summary="Add back a date the series skipped, if it is free now",
    )
    async def restore(
        self,
        booking_id: FromPath[int],
        day: FromPath[str],
        data: JSONBody[DateRestore],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> BookingView:
        try:
            skipped = date.fromisoformat(day)
        except ValueError:
            raise RuleViolation(
                [FieldProblem("date", f"{day[:20]!r} is not a date (YYYY-MM-DD)")]
            ) from None
        return await dates.restore_skipped_date(engine, user, booking_id, skipped, data, now)
