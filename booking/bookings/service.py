"""Use cases of booking requests: create, read, list, cancel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from piccolo.engine.base import Engine

from booking.bookings.conflict_report import conflict_error, current_conflicts
from booking.bookings.schemas import BookingCreate, BookingView, VersionedAction
from booking.bookings.views import created_booking_view, load_booking_view, load_booking_views
from booking.core.conflicts import Conflict, Placement
from booking.core.errors import (
    FieldProblem,
    NotFound,
    RuleViolation,
    StaleVersion,
    TransitionNotAllowed,
)
from booking.core.localtime import to_instant
from booking.core.requests import check_request, meeting_span
from booking.core.timespan import TimeSpan
from booking.core.workflow import HOLDING, Status, check_can_cancel, status_on_submission
from booking.db import bookings, catalogue
from booking.db.engine import is_postgres
from booking.db.room_locks import lock_rooms
from booking.db.transactions import in_writing_transaction, is_exclusion_violation


async def create_booking(engine: Engine, data: BookingCreate, now: datetime) -> BookingView:
    rooms = await catalogue.rooms_by_id(data.rooms)
    unknown = [room_id for room_id in data.rooms if room_id not in rooms]
    if unknown:
        raise RuleViolation([FieldProblem("rooms", f"no room with id {i}") for i in unknown])
    asked = [rooms[room_id] for room_id in data.rooms]
    zone = ZoneInfo(asked[0].zone)
    meeting = meeting_span(to_instant(data.start, zone, "start"), to_instant(data.end, zone, "end"))
    check_request(meeting, asked, data.expected_attendance, now)
    fields = await _checked_fields(data)
    status = status_on_submission(room.instant_book for room in asked)
    placements = [Placement(room.id, meeting, room.blocked(meeting)) for room in asked]

    # On PostgreSQL the exclusion constraint alone decides whether a hold may be inserted; a
    # pending request, which the constraint does not cover, is checked against the holds.
    check_first = status not in HOLDING or not is_postgres(engine)

    async def insert() -> tuple[int, dict[int, int]]:
        await lock_rooms(engine, (p.room_id for p in placements))
        if check_first:
            conflicts = await current_conflicts(placements)
            if conflicts:
                raise _Collision(conflicts)
        return await bookings.insert_booking(fields, placements, status, now)

    try:
        booking_id, occurrence_ids = await in_writing_transaction(engine, insert)
    except _Collision as collision:
        raise await conflict_error(
            collision.conflicts, rooms, data.expected_attendance, now
        ) from None
    except Exception as exc:
        if not is_exclusion_violation(exc):
            raise
        # PostgreSQL refused the hold: say what holds the room now.
        conflicts = await current_conflicts(placements)
        raise await conflict_error(conflicts, rooms, data.expected_attendance, now) from None
    return created_booking_view(
        booking_id, fields, data.organisation, placements, occurrence_ids, rooms, status, now
    )


async def _checked_fields(data: BookingCreate) -> bookings.BookingFields:
    problems = [
        FieldProblem(name, "must not be blank")
        for name, value in (("title", data.title), ("organiser_name", data.organiser_name))
        if not value.strip()
    ]
    organisation_id = None
    if data.organisation is not None:
        organisation = await catalogue.organisation_by_code(data.organisation)
        if organisation is None:
            problems.append(FieldProblem("organisation", f"no organisation {data.organisation!r}"))
        else:
            organisation_id = organisation["id"]
    if problems:
        raise RuleViolation(problems)
    return bookings.BookingFields(
        title=data.title.strip(),
        description=data.description,
        organisation_id=organisation_id,
        organiser_name=data.organiser_name.strip(),
        contact_email=data.contact_email.strip(),
        contact_phone=data.contact_phone.strip(),
        expected_attendance=data.expected_attendance,
        is_public=data.is_public,
    )


class _Collision(Exception):
    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__("collision")
        self.conflicts = conflicts


async def get_booking(booking_id: int) -> BookingView:
    view = await load_booking_view(booking_id)
    if view is None:
        raise NotFound("booking")
    return view


@dataclass(frozen=True, slots=True)
class BookingQuery:
    statuses: tuple[str, ...] = ()
    room_id: int | None = None
    building_id: int | None = None
    organisation: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    limit: int = 50
    offset: int = 0


async def list_bookings(query: BookingQuery, default_zone: ZoneInfo) -> list[BookingView]:
    unknown = [s for s in query.statuses if s not in Status.__members__.values()]
    if unknown:
        raise RuleViolation([FieldProblem("status", f"unknown status {s!r}") for s in unknown])
    window = None
    if query.start is not None or query.end is not None:
        if query.start is None or query.end is None:
            missing = "start" if query.start is None else "end"
            raise RuleViolation([FieldProblem(missing, "give both start and end")])
        start = to_instant(query.start, default_zone, "start")
        end = to_instant(query.end, default_zone, "end")
        if end <= start:
            raise RuleViolation([FieldProblem("end", "must be after start")])
        window = TimeSpan(start, end)
    rows = await bookings.booking_rows(
        bookings.BookingFilter(
            statuses=query.statuses,
            room_id=query.room_id,
            building_id=query.building_id,
            organisation_code=query.organisation,
            window=window,
            limit=query.limit,
            offset=query.offset,
        )
    )
    return await load_booking_views(rows)


async def cancel_booking(
    engine: Engine, booking_id: int, action: VersionedAction, now: datetime
) -> BookingView:
    """Cancel a request or booking; its rooms are free again as soon as this commits."""

    async def cancel() -> None:
        row = await bookings.booking_row(booking_id)
        if row is None:
            raise NotFound("booking")
        if action.version is not None and action.version != row["version"]:
            raise StaleVersion(current=None)
        occurrence_rows = await bookings.occurrence_rows([booking_id])
        last_end = max(o["ends_at"] for o in occurrence_rows)
        check_can_cancel(row["status"], last_end, now)
        if not await bookings.set_status(booking_id, row["version"], Status.CANCELLED, now):
            raise StaleVersion(current=None)
        await bookings.set_occurrence_status(
            booking_id, [Status.PENDING, *HOLDING], Status.CANCELLED
        )

    try:
        await in_writing_transaction(engine, cancel)
    except (StaleVersion, TransitionNotAllowed) as exc:
        exc.current = await load_booking_view(booking_id)
        raise
    return await get_booking(booking_id)
