"""Storing and reading booking requests with their occurrences."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from booking.core.conflicts import Placement
from booking.core.requests import MAX_BLOCKED_LENGTH
from booking.core.timespan import TimeSpan
from booking.db.raw import fetch, placeholders
from booking.db.tables import BookingRequest, Occurrence, Organisation


@dataclass(frozen=True, slots=True)
class BookingFields:
    """The requester's own fields of a booking, already checked."""

    title: str
    description: str
    organisation_id: int | None
    organiser_name: str
    contact_email: str
    contact_phone: str
    expected_attendance: int
    is_public: bool


async def insert_booking(
    fields: BookingFields, placements: Sequence[Placement], status: str, now: datetime
) -> tuple[int, dict[int, int]]:
    """Store a booking and its occurrences; return its id and the occurrence id per room."""
    inserted = await fetch(
        BookingRequest,
        "INSERT INTO bookings (title, description, organisation, organiser_name, contact_email,"
        " contact_phone, expected_attendance, is_public, status, version, created_at, updated_at)"
        f" VALUES ({placeholders(12)}) RETURNING id",
        fields.title,
        fields.description,
        fields.organisation_id,
        fields.organiser_name,
        fields.contact_email,
        fields.contact_phone,
        fields.expected_attendance,
        fields.is_public,
        status,
        1,
        now,
        now,
    )
    booking_id: int = inserted[0]["id"]
    values = ", ".join(f"({placeholders(7)})" for _ in placements)
    args = [
        value
        for p in placements
        for value in (
            booking_id,
            p.room_id,
            p.meeting.start,
            p.meeting.end,
            p.blocked.start,
            p.blocked.end,
            status,
        )
    ]
    rows = await fetch(
        Occurrence,
        "INSERT INTO occurrences (booking, room, starts_at, ends_at, blocked_from, blocked_until,"
        f" status) VALUES {values} RETURNING id, room",
        *args,
    )
    return booking_id, {row["room"]: row["id"] for row in rows}


async def booking_row(booking_id: int) -> dict[str, Any] | None:
    return (
        await BookingRequest.select(
            *BookingRequest.all_columns(),
            BookingRequest.organisation.code.as_alias("organisation_code"),
        )
        .where(BookingRequest.id == booking_id)
        .first()
    )


async def occurrence_rows(booking_ids: Iterable[int]) -> list[dict[str, Any]]:
    ids = list(booking_ids)
    if not ids:
        return []
    return (
        await Occurrence.select(
            *Occurrence.all_columns(),
            Occurrence.room.code.as_alias("room_code"),
            Occurrence.room._.building._.zone.as_alias("zone"),
        )
        .where(Occurrence.booking.is_in(ids))
        .order_by(Occurrence.starts_at, Occurrence.id)
    )


async def set_status(booking_id: int, expected_version: int, status: str, now: datetime) -> bool:
    """Change the status if nobody changed the booking since `expected_version`."""
    updated = (
        await BookingRequest.update(
            {
                BookingRequest.status: status,
                BookingRequest.version: BookingRequest.version + 1,
                BookingRequest.updated_at: now,
            }
        )
        .where((BookingRequest.id == booking_id) & (BookingRequest.version == expected_version))
        .returning(BookingRequest.id)
    )
    return bool(updated)


async def set_occurrence_status(booking_id: int, from_statuses: Iterable[str], to: str) -> None:
    await Occurrence.update({Occurrence.status: to}).where(
        (Occurrence.booking == booking_id) & Occurrence.status.is_in(list(from_statuses))
    )


@dataclass(frozen=True, slots=True)
class BookingFilter:
    statuses: Sequence[str] = ()
    room_id: int | None = None
    building_id: int | None = None
    organisation_code: str | None = None
    window: TimeSpan | None = None
    limit: int = 50
    offset: int = 0


async def booking_rows(criteria: BookingFilter) -> list[dict[str, Any]]:
    query = BookingRequest.select(
        *BookingRequest.all_columns(),
        BookingRequest.organisation.code.as_alias("organisation_code"),
    )
    if criteria.statuses:
        query = query.where(BookingRequest.status.is_in(list(criteria.statuses)))
    if criteria.organisation_code is not None:
        query = query.where(
            BookingRequest.organisation.id.is_in(
                Organisation.select(Organisation.id).where(
                    Organisation.code == criteria.organisation_code
                )
            )
        )
    occurrence_filter = _occurrence_filter(criteria)
    if occurrence_filter is not None:
        query = query.where(BookingRequest.id.is_in(occurrence_filter))
    return (
        await query.order_by(BookingRequest.id, ascending=False)
        .limit(criteria.limit)
        .offset(criteria.offset)
    )


def _occurrence_filter(criteria: BookingFilter) -> Any:
    if criteria.room_id is None and criteria.building_id is None and criteria.window is None:
        return None
    query = Occurrence.select(Occurrence.booking)
    if criteria.room_id is not None:
        query = query.where(Occurrence.room == criteria.room_id)
    if criteria.building_id is not None:
        query = query.where(Occurrence.room.building == criteria.building_id)
    if criteria.window is not None:
        window = criteria.window
        query = query.where(
            (Occurrence.blocked_from < window.end)
            & (Occurrence.blocked_from > window.start - MAX_BLOCKED_LENGTH)
            & (Occurrence.ends_at > window.start)
        )
    return query
