"""HTTP endpoints of booking requests: the requester's side, and the history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.accounts.guards import requires_login
from booking.api import MAX_OFFSET
from booking.api.places import (
    BuildingInQuery,
    RoomInQuery,
    as_ids,
    building_id,
    room_id,
    with_room_ids,
)
from booking.api.updates import sent_fields
from booking.bookings import cancelling, creating, editing, previewing, reading
from booking.bookings.commands import Act, CreateBooking, EditBooking, Submit
from booking.bookings.previewing import PreviewBooking
from booking.bookings.schemas import (
    AuditEntryView,
    BookingCreate,
    BookingPreviewAsk,
    BookingUpdate,
    BookingView,
    PreviewView,
    RecurrenceSpec,
    Submission,
    VersionedAction,
)
from booking.bookings.unit_of_work import Outcome
from booking.bookings.views import booking_view, booking_views, history_view, preview_view
from booking.core.recurrence import Ambiguity, Frequency, Rule
from booking.i18n import Texts
from booking.settings import Settings


def outcome_view(outcome: Outcome, user: CurrentUser, now: datetime, texts: Texts) -> BookingView:
    return booking_view(outcome.booking, user.actor, now, texts)


def recurrence_rule(spec: RecurrenceSpec | None) -> Rule | None:
    if spec is None:
        return None
    return Rule(
        frequency=Frequency(spec.frequency),
        interval=spec.interval,
        weekdays=frozenset(spec.weekdays),
        month_day=spec.month_day,
        nth=spec.nth,
        until=spec.until,
        count=spec.count,
    )


def preview_command(data: BookingPreviewAsk) -> PreviewBooking:
    return PreviewBooking(
        rooms=as_ids(data.rooms),
        start=data.start,
        end=data.end,
        expected_attendance=data.expected_attendance,
        recurrence=recurrence_rule(data.recurrence),
        ambiguous=Ambiguity(data.ambiguous) if data.ambiguous else None,
        organisation=data.organisation,
        paid_rental=data.paid_rental,
        override_reason=data.override_reason,
    )


def create_command(data: BookingCreate) -> CreateBooking:
    return CreateBooking(
        title=data.title,
        rooms=as_ids(data.rooms),
        start=data.start,
        end=data.end,
        expected_attendance=data.expected_attendance,
        organiser_name=data.organiser_name,
        contact_email=data.contact_email,
        contact_phone=data.contact_phone,
        description=data.description,
        organisation=data.organisation,
        is_public=data.is_public,
        paid_rental=data.paid_rental,
        submit=data.submit,
        recurrence=recurrence_rule(data.recurrence),
        skip_taken_dates=data.on_conflict == "skip",
        ambiguous=Ambiguity(data.ambiguous) if data.ambiguous else None,
        override_reason=data.override_reason,
    )


def edit_command(data: BookingUpdate) -> EditBooking:
    given = sent_fields(data, skip=("version", "comment", "override_reason"))
    if "rooms" in given:
        given["rooms"] = as_ids(given["rooms"])
    return EditBooking(data.version, given, data.comment, data.override_reason)


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
        texts: NamedDependency[Texts],
    ) -> BookingView:
        data = await with_room_ids(data)
        outcome = await creating.create_booking(engine, user, create_command(data), now)
        return outcome_view(outcome, user, now, texts)

    @post(
        "/preview",
        status_code=200,
        summary="Check a request before sending it",
        description="Nothing is stored. The same rules as `POST /api/bookings`, date by date: "
        "`free`, `taken` (the `conflicts` and the `alternatives` a 409 would give) or "
        "`refused` by the rooms' rules (`reason`; a series may skip such dates); `problems` "
        "say why the request would be refused as a whole; `status` and `required_tiers` what "
        "it would be once created.",
    )
    async def preview_booking(
        self,
        data: JSONBody[BookingPreviewAsk],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
        texts: NamedDependency[Texts],
    ) -> PreviewView:
        data = await with_room_ids(data)
        preview = await previewing.preview_booking(engine, user, preview_command(data), now)
        return preview_view(preview, texts)

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
        texts: NamedDependency[Texts],
        status: Annotated[list[str] | None, QueryParameter()] = None,
        mine: Annotated[bool, QueryParameter()] = False,
        room: RoomInQuery = None,
        building: BuildingInQuery = None,
        organisation: Annotated[str | None, QueryParameter(max_length=64)] = None,
        start: Annotated[datetime | None, QueryParameter()] = None,
        end: Annotated[datetime | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> list[BookingView]:
        query = reading.BookingQuery(
            statuses=tuple(status or ()),
            mine=mine,
            room_id=await room_id(room),
            building_id=await building_id(building),
            organisation=organisation,
            start=start,
            end=end,
            limit=limit,
            offset=offset,
        )
        found = await reading.list_bookings(user, query, settings.default_zone, now)
        return booking_views(found, user.actor, now, texts)

    @get("/{booking_id:int}", summary="One booking request")
    async def get_booking(
        self,
        booking_id: FromPath[int],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
        texts: NamedDependency[Texts],
    ) -> BookingView:
        booking = await reading.get_booking(user, booking_id, now)
        return booking_view(booking, user.actor, now, texts)

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
        texts: NamedDependency[Texts],
    ) -> BookingView:
        data = await with_room_ids(data)
        outcome = await editing.edit_booking(engine, user, booking_id, edit_command(data), now)
        return outcome_view(outcome, user, now, texts)

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
        texts: NamedDependency[Texts],
    ) -> BookingView:
        command = Submit(data.version, data.comment, override_reason=data.override_reason)
        outcome = await editing.submit_booking(engine, user, booking_id, command, now)
        return outcome_view(outcome, user, now, texts)

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
        texts: NamedDependency[Texts],
    ) -> BookingView:
        command = Act(data.version, data.comment)
        outcome = await cancelling.cancel_booking(engine, user, booking_id, command, now)
        return outcome_view(outcome, user, now, texts)

    @get("/{booking_id:int}/history", summary="The audit trail of a request, oldest first")
    async def booking_history(
        self,
        booking_id: FromPath[int],
        user: NamedDependency[CurrentUser],
        texts: NamedDependency[Texts],
    ) -> list[AuditEntryView]:
        entries = await reading.booking_history(user, booking_id)
        return [history_view(entry, texts) for entry in entries]
