"""A requester's own requests: the list, one request with its dates, history and actions.

Every action calls the use case the API's controller calls (booking.bookings.editing,
cancelling) with the version the page showed; a stale version or an action the request's
state no longer allows answers with the request as it is now and a notice, not an error page.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.accounts.guards import requires_login
from booking.api.validation import WALL_CLOCK_PATTERN
from booking.bookings import cancelling, editing, reading
from booking.bookings.commands import Act, EditBooking, Submit
from booking.bookings.unit_of_work import Outcome
from booking.bookings.views import booking_view, booking_views
from booking.core.booking import Booking
from booking.core.errors import (
    BookingConflict,
    DomainError,
    FieldProblem,
    Forbidden,
    RuleViolation,
    StaleVersion,
    TransitionNotAllowed,
)
from booking.core.messages import Message
from booking.core.requests import MAX_TEXT_LENGTH, MAX_TITLE_LENGTH
from booking.core.workflow import UNDECIDED, Status
from booking.db import catalogue as db_catalogue
from booking.pages.forms import day_typed, field_errors, form_fields
from booking.pages.request_views import date_rows, history_lines, request_row, tier_steps
from booking.rooms import catalogue
from booking.settings import Settings
from booking.web.formatting import number
from booking.web.language import current_texts
from booking.web.rendering import page
from booking.web.templates import said

PAGE_SIZE = 20
MAX_PAGE = 10_000
# "Upcoming" and "past" as a window of the list query.
FAR = timedelta(days=5 * 366)
PAST_START = datetime(2000, 1, 1, tzinfo=UTC)

# What the page says after an action went through (?done=…).
DONE = {
    "edited": Message("my_requests.done_edited"),
    "cancelled": Message("my_requests.done_cancelled"),
    "withdrawn": Message("my_requests.done_withdrawn"),
    "date_cancelled": Message("my_requests.done_date_cancelled"),
    "submitted": Message("my_requests.done_submitted"),
}
# The service's field names as the edit form names them.
EDIT_FIELDS = {"start": "start_time", "end": "end_time"}


def _version(form: Mapping[str, str]) -> int:
    try:
        return int(form.get("version", ""))
    except ValueError:
        return 0  # no version the request ever had: answered as stale


def _request_path(booking_id: int, done: str | None = None) -> str:
    return f"/requests/{booking_id}" + (f"?done={done}" if done else "")


async def _request_page(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    booking_id: int,
    now: datetime,
    *,
    notice: list[str] | None = None,
    done: str = "",
    status_code: int = 200,
) -> Template:
    """The request's page as it stands now (404 for whom the API says 404)."""
    booking = await reading.get_booking(user, booking_id, now)
    texts = current_texts()
    view = booking_view(booking, user.actor, now, texts)
    entries = await reading.booking_history(user, booking_id)
    fallback = request.app.state["settings"].default_zone
    zone = ZoneInfo(booking.occurrences[0].zone) if booking.occurrences else fallback
    organisation = (
        await db_catalogue.organisation_by_code(view.organisation) if view.organisation else None
    )
    rooms = await catalogue.rooms_by_id(booking.room_ids())
    context = {
        "booking": view,
        "organisation_name": organisation.name if organisation else view.organisation,
        "room_names": [f"{rooms[i].code} · {rooms[i].name}" for i in booking.room_ids()],
        "dates": date_rows(booking, view, now),
        "tiers": tier_steps(view),
        "history": history_lines(entries, texts, zone),
        "actions": view.allowed_actions,
        "withdraw": view.status in UNDECIDED,
        "notice": notice or [],
        "done": said(DONE[done]) if done in DONE else "",
    }
    return page(request, "my_requests/request.html.j2", context, status_code=status_code)


async def _acted(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    booking_id: int,
    now: datetime,
    act: Callable[[], Awaitable[Outcome]],
    done: str,
    *,
    beside_fields: bool = False,
) -> Redirect | Template:
    """Run an action; on success back to the request's page, otherwise the request as it is
    now with what stopped the action at the top. With `beside_fields`, a refusal of the
    values sent (rules, conflicts) is the caller's to show beside its fields."""
    try:
        await act()
    except StaleVersion:
        notice = [said(Message("my_requests.stale"))]
        return await _request_page(request, user, booking_id, now, notice=notice, status_code=409)
    except (TransitionNotAllowed, Forbidden) as refusal:
        notice = [said(Message("my_requests.not_now")), said(refusal.message)]
        return await _request_page(request, user, booking_id, now, notice=notice, status_code=409)
    except (RuleViolation, BookingConflict) as refusal:
        if beside_fields:
            raise
        reasons = refusal.problems if isinstance(refusal, RuleViolation) else []
        notice = [said(Message("my_requests.not_now")), said(refusal.message)]
        notice += [said(p.reason) for p in reasons]
        return await _request_page(request, user, booking_id, now, notice=notice, status_code=422)
    return Redirect(_request_path(booking_id, done), status_code=303)


def _edit_values(booking: Booking) -> dict[str, str]:
    fields = booking.fields
    values = {
        "title": fields.title,
        "description": fields.description,
        "expected_attendance": str(fields.expected_attendance),
    }
    if booking.series is None and booking.occurrences:
        first = booking.occurrences[0]
        zone = ZoneInfo(first.zone)
        start, end = first.meeting.start.astimezone(zone), first.meeting.end.astimezone(zone)
        values |= {
            "date": start.date().isoformat(),
            "start_time": f"{start:%H:%M}",
            "end_time": f"{end:%H:%M}",
        }
    return values


def _edited(booking: Booking, typed: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields the edit form changes, as the edit use case takes them, or the form's own
    problems (a shape the service never sees, as the API's schema refuses it)."""
    before = _edit_values(booking)
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    title = typed.get("title", "").strip()
    if not title:
        errors["title"] = said(Message("validation.required"))
    elif len(title) > MAX_TITLE_LENGTH:
        errors["title"] = said(Message("validation.characters_at_most", n=MAX_TITLE_LENGTH))
    elif title != before["title"]:
        changes["title"] = title
    description = typed.get("description", "").strip()
    if len(description) > MAX_TEXT_LENGTH:
        errors["description"] = said(Message("validation.characters_at_most", n=MAX_TEXT_LENGTH))
    elif description != before["description"]:
        changes["description"] = description
    try:
        attendance = int(typed.get("expected_attendance", "").strip())
        if not 1 <= attendance <= 1_000_000:
            raise ValueError
    except ValueError:
        errors["expected_attendance"] = said(
            Message("range.from_to", first=number(1), last=number(1_000_000))
        )
    else:
        if str(attendance) != before["expected_attendance"]:
            changes["expected_attendance"] = attendance
    if "date" in before:
        _edited_time(before, typed, changes, errors)
    return changes, errors


def _edited_time(
    before: Mapping[str, str],
    typed: Mapping[str, str],
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    values = {name: typed.get(name, "").strip() for name in ("date", "start_time", "end_time")}
    if all(values[name] == before[name] for name in values):
        return
    day = day_typed(values["date"])
    if day is None:
        errors["date"] = said(Message("validation.date"))
    for name in ("start_time", "end_time"):
        # A wall-clock HH:MM in the building's zone, as the booking form takes it: no offset.
        if not re.fullmatch(WALL_CLOCK_PATTERN, values[name]):
            errors[name] = said(Message("validation.time"))
    if errors or day is None:
        return
    changes["start"] = datetime.combine(day, time.fromisoformat(values["start_time"]))
    changes["end"] = datetime.combine(day, time.fromisoformat(values["end_time"]))


def _edit_page(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    booking: Booking,
    now: datetime,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    version: str | None = None,
) -> Template:
    view = booking_view(booking, user.actor, now, current_texts())
    context = {
        "booking": view,
        "values": values,
        "errors": errors,
        "version": version or str(booking.version),
        "single": booking.series is None,
    }
    status_code = 422 if errors else 200
    return page(request, "my_requests/edit.html.j2", context, status_code=status_code)


def _refusal_errors(refusal: DomainError) -> dict[str, str]:
    if isinstance(refusal, RuleViolation):
        return field_errors(refusal.problems, EDIT_FIELDS)
    if isinstance(refusal, BookingConflict):
        return field_errors([FieldProblem("start", refusal.message)], EDIT_FIELDS)
    return {}


class MyRequestPages(Controller):
    include_in_schema = False
    guards = [requires_login]  # noqa: RUF012

    @get("/requests")
    async def list_requests(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
        status: FromQuery[str] = "",
        when: FromQuery[str] = "",
        building: FromQuery[str] = "",
        page_number: FromQuery[str] = "1",
    ) -> Template:
        """The user's own and their organisations' requests, as GET /api/bookings?mine=true
        lists them; filters and pages as a plain GET form."""
        status = status if status in Status.__members__.values() else ""
        when = when if when in ("upcoming", "past") else ""
        building_id = int(building) if building.isdigit() and len(building) < 10 else None
        number = int(page_number) if page_number.isdigit() and len(page_number) < 6 else 1
        number = min(max(number, 1), MAX_PAGE)
        start, end = None, None
        if when == "upcoming":
            start, end = now, now + FAR
        elif when == "past":
            start, end = PAST_START, now
        query = reading.BookingQuery(
            statuses=(status,) if status else (),
            mine=True,
            building_id=building_id,
            start=start,
            end=end,
            limit=PAGE_SIZE + 1,
            offset=(number - 1) * PAGE_SIZE,
        )
        found = await reading.list_bookings(user, query, settings.default_zone, now)
        views = booking_views(found[:PAGE_SIZE], user.actor, now, current_texts())
        filters = {"status": status, "when": when, "building": str(building_id or "")}

        def page_link(to: int) -> str:
            kept = {k: v for k, v in filters.items() if v}
            return "/requests?" + urlencode({**kept, "page_number": to})

        context = {
            "rows": [request_row(v) for v in views],
            "filters": filters,
            "statuses": [s.value for s in Status],
            "buildings": await catalogue.list_buildings(),
            "page_number": number,
            "previous": page_link(number - 1) if number > 1 else "",
            "next": page_link(number + 1) if len(found) > PAGE_SIZE else "",
            "filtered": any(filters.values()),
        }
        return page(request, "my_requests/list.html.j2", context)

    @get("/requests/{booking_id:int}")
    async def show_request(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[int],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
        done: FromQuery[str] = "",
    ) -> Template:
        return await _request_page(request, user, booking_id, now, done=done)

    @get("/requests/{booking_id:int}/edit")
    async def edit_form(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[int],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> Template:
        booking = await reading.get_booking(user, booking_id, now)
        return _edit_page(request, user, booking, now, _edit_values(booking), {})

    @post("/requests/{booking_id:int}/edit", status_code=303)
    async def edit(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[int],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> Redirect | Template:
        """PATCH /api/bookings/{id}'s use case with the fields the form changed."""
        form = await form_fields(request)
        booking = await reading.get_booking(user, booking_id, now)
        changes, errors = _edited(booking, form)
        if errors:
            return _edit_page(request, user, booking, now, form, errors, form.get("version"))
        command = EditBooking(_version(form), changes, form.get("comment", "").strip())
        try:
            return await _acted(
                request,
                user,
                booking_id,
                now,
                lambda: editing.edit_booking(engine, user, booking_id, command, now),
                "edited",
                beside_fields=True,
            )
        except (RuleViolation, BookingConflict) as refusal:
            errors = _refusal_errors(refusal)
            return _edit_page(request, user, booking, now, form, errors, form.get("version"))

    @get("/requests/{booking_id:int}/cancel")
    async def confirm_cancel(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[int],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> Template:
        booking = await reading.get_booking(user, booking_id, now)
        view = booking_view(booking, user.actor, now, current_texts())
        context = {"booking": view, "day": None, "withdraw": view.status in UNDECIDED}
        return page(request, "my_requests/confirm_cancel.html.j2", context)

    @post("/requests/{booking_id:int}/cancel", status_code=303)
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[int],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> Redirect | Template:
        """POST /api/bookings/{id}/cancel's use case: withdraws a request still waiting, or
        cancels a booking."""
        form = await form_fields(request)
        command = Act(_version(form), form.get("comment", "").strip())
        before = await reading.get_booking(user, booking_id, now)
        done = "withdrawn" if before.status in UNDECIDED else "cancelled"
        return await _acted(
            request,
            user,
            booking_id,
            now,
            lambda: cancelling.cancel_booking(engine, user, booking_id, command, now),
            done,
        )

    @get("/requests/{booking_id:int}/dates/{occurrence_id:int}/cancel")
    async def confirm_cancel_date(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[int],
        occurrence_id: FromPath[int],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> Template:
        booking = await reading.get_booking(user, booking_id, now)
        view = booking_view(booking, user.actor, now, current_texts())
        day = next(
            (d for d in date_rows(booking, view, now) if d.occurrence_id == occurrence_id), None
        )
        if day is None:
            return await _request_page(request, user, booking_id, now)
        context = {"booking": view, "day": day, "withdraw": False}
        return page(request, "my_requests/confirm_cancel.html.j2", context)

    @post("/requests/{booking_id:int}/dates/{occurrence_id:int}/cancel", status_code=303)
    async def cancel_date(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[int],
        occurrence_id: FromPath[int],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> Redirect | Template:
        """POST /api/bookings/{id}/occurrences/{occurrence}/cancel's use case."""
        form = await form_fields(request)
        command = Act(_version(form), form.get("comment", "").strip())
        return await _acted(
            request,
            user,
            booking_id,
            now,
            lambda: cancelling.cancel_date(engine, user, booking_id, occurrence_id, command, now),
            "date_cancelled",
        )

    @post("/requests/{booking_id:int}/submit", status_code=303)
    async def submit(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[int],
        engine: NamedDependency[Engine],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> Redirect | Template:
        """POST /api/bookings/{id}/submit's use case: sends a draft, or a request sent back for
        changes, to the approvers again."""
        form = await form_fields(request)
        command = Submit(_version(form), form.get("comment", "").strip())
        return await _acted(
            request,
            user,
            booking_id,
            now,
            lambda: editing.submit_booking(engine, user, booking_id, command, now),
            "submitted",
        )
