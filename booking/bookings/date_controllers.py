"""HTTP endpoints for single dates of a request, and for the dates a series skipped."""

from __future__ import annotations

from datetime import date, datetime, time

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.accounts.guards import requires_login
from booking.api.places import as_ids, room_ids
from booking.bookings import cancelling, dates, deciding
from booking.bookings.commands import Act, ChangeFollowing, MoveDate, RestoreDate
from booking.bookings.controllers import outcome_view
from booking.bookings.schemas import (
    BookingView,
    DateMove,
    DateRestore,
    Decision,
    FollowingChange,
    VersionedAction,
)
from booking.core.errors import refused
from booking.core.messages import Message
from booking.core.recurrence import Ambiguity
from booking.i18n import Texts

DATE = "/{booking_id:int}/occurrences/{occurrence_id:int}"


def _ambiguity(given: str | None) -> Ambiguity | None:
    return Ambiguity(given) if given else None


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
        texts: NamedDependency[Texts],
    ) -> BookingView:
        command = Act(data.version, data.comment)
        outcome = await cancelling.cancel_date(
            engine, user, booking_id, occurrence_id, command, now
        )
        return outcome_view(outcome, user, now, texts)

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
        texts: NamedDependency[Texts],
    ) -> BookingView:
        command = MoveDate(
            data.version,
            data.comment,
            start=data.start,
            end=data.end,
            override_reason=data.override_reason,
        )
        outcome = await dates.move_date(engine, user, booking_id, occurrence_id, command, now)
        return outcome_view(outcome, user, now, texts)

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
        texts: NamedDependency[Texts],
    ) -> BookingView:
        command = ChangeFollowing(
            data.version,
            data.comment,
            start_time=time.fromisoformat(data.start_time) if data.start_time else None,
            end_time=time.fromisoformat(data.end_time) if data.end_time else None,
            rooms=as_ids(await room_ids(data.rooms)) if data.rooms else None,
            ambiguous=_ambiguity(data.ambiguous),
            override_reason=data.override_reason,
        )
        outcome = await dates.change_following(
            engine, user, booking_id, occurrence_id, command, now
        )
        return outcome_view(outcome, user, now, texts)

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
        texts: NamedDependency[Texts],
    ) -> BookingView:
        command = Act(data.version, data.comment)
        outcome = await deciding.approve_date(engine, user, booking_id, occurrence_id, command, now)
        return outcome_view(outcome, user, now, texts)

    @post(f"{DATE}/reject", status_code=200, summary="Refuse one date of a waiting request")
    async def reject(
        self,
        booking_id: FromPath[int],
        occurrence_id: FromPath[int],
        data: JSONBody[Decision],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
        texts: NamedDependency[Texts],
    ) -> BookingView:
        command = Act(data.version, data.comment)
        outcome = await deciding.reject_date(engine, user, booking_id, occurrence_id, command, now)
        return outcome_view(outcome, user, now, texts)

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
        texts: NamedDependency[Texts],
    ) -> BookingView:
        try:
            skipped = date.fromisoformat(day)
        except ValueError:
            raise refused("date", Message("dates.not_a_date", given=day[:20])) from None
        command = RestoreDate(
            data.version,
            data.comment,
            day=skipped,
            ambiguous=_ambiguity(data.ambiguous),
            override_reason=data.override_reason,
        )
        outcome = await dates.restore_skipped_date(engine, user, booking_id, command, now)
        return outcome_view(outcome, user, now, texts)
