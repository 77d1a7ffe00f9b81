"""Storing and reading booking requests with their occurrences."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from booking.core.conflicts import Placement
from booking.core.requests import MAX_BLOCKED_LENGTH
from booking.core.timespan import TimeSpan
from booking.core.workflow import SUPERSEDED
from booking.db.engine import is_postgres
from booking.db.raw import fetch, placeholders
from booking.db.room_locks import ROOM_LOCK_SPACE
from booking.db.tables import AuditEntry, BookingRequest, Occurrence, Organisation


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
    paid_rental: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class NewBooking:
    fields: BookingFields
    status: str
    requested_by: int | None
    required_tiers: Sequence[str]
    recurrence: dict[str, Any] | None = None
    skipped_dates: Sequence[dict[str, str]] = ()


@dataclass(frozen=True, slots=True)
class Creation:
    """Who created a booking, and what the audit trail keeps of it."""

    action: str
    actor_id: int | None
    actor_name: str
    details: dict[str, Any]


_BOOKING_COLUMNS = (
    "title, description, organisation, organiser_name, contact_email, contact_phone,"
    " expected_attendance, is_public, status, version, created_at, updated_at, requested_by,"
    " paid_rental, required_tiers, tiers_done, change_pending, recurrence, skipped_dates"
)
_AUDIT_COLUMNS = (
    "booking, actor, actor_name, at, action, from_status, to_status, version, comment, changes,"
    " details"
)


def _booking_values(new: NewBooking, now: datetime) -> list[Any]:
    fields = new.fields
    return [
        fields.title,
        fields.description,
        fields.organisation_id,
        fields.organiser_name,
        fields.contact_email,
        fields.contact_phone,
        fields.expected_attendance,
        fields.is_public,
        new.status,
        1,
        now,
        now,
        new.requested_by,
        fields.paid_rental,
        json.dumps(list(new.required_tiers)),
        len(new.required_tiers) if new.status == "approved" else 0,  # tiers done
        False,
        json.dumps(new.recurrence) if new.recurrence else "",
        json.dumps(list(new.skipped_dates)),
    ]


def _creation_values(new: NewBooking, creation: Creation, now: datetime) -> list[Any]:
    """The audit row's values after its booking id."""
    return [
        creation.actor_id,
        creation.actor_name,
        now,
        creation.action,
        "",
        new.status,
        1,
        "",
        "{}",
        json.dumps(creation.details, default=str),
    ]


async def insert_booking(
    new: NewBooking, placements: Sequence[Placement], now: datetime, creation: Creation
) -> tuple[int, list[int]]:
    """Store a booking, its occurrences and the audit row of its creation; return its id and
    the occurrences' ids. On PostgreSQL a booking of one slot is one statement, room lock
    included, which needs no transaction of its own: creating bookings is the busiest write
    there is."""
    if is_single_statement(placements):
        (slot,) = placements
        rows = await fetch(
            BookingRequest,
            # The room's lock first (the inserts read from it, so it is taken before them): two
            # overlapping inserts would otherwise each wait for the other's row in the
            # exclusion constraint, a deadlock. It is held until the statement commits.
            "WITH l AS (SELECT pg_advisory_xact_lock({}, {})),"
            f" b AS (INSERT INTO bookings ({_BOOKING_COLUMNS}) SELECT {placeholders(19)} FROM l"
            " RETURNING id),"
            " o AS (INSERT INTO occurrences (booking, room, starts_at, ends_at, blocked_from,"
            f" blocked_until, status) SELECT b.id, {placeholders(6)} FROM b RETURNING id),"
            f" a AS (INSERT INTO audit_entries ({_AUDIT_COLUMNS})"
            f" SELECT b.id, {placeholders(10)} FROM b)"
            " SELECT b.id, o.id AS occurrence_id FROM b, o",
            ROOM_LOCK_SPACE,
            slot.room_id,
            *_booking_values(new, now),
            slot.room_id,
            slot.meeting.start,
            slot.meeting.end,
            slot.blocked.start,
            slot.blocked.end,
            new.status,
            *_creation_values(new, creation, now),
        )
        return rows[0]["id"], [rows[0]["occurrence_id"]]
    inserted = await fetch(
        BookingRequest,
        f"INSERT INTO bookings ({_BOOKING_COLUMNS}) VALUES ({placeholders(19)}) RETURNING id",
        *_booking_values(new, now),
    )
    booking_id: int = inserted[0]["id"]
    occurrence_ids = await insert_occurrences(booking_id, placements, new.status)
    await fetch(
        AuditEntry,
        f"INSERT INTO audit_entries ({_AUDIT_COLUMNS}) VALUES ({placeholders(11)})",
        booking_id,
        *_creation_values(new, creation, now),
    )
    return booking_id, occurrence_ids


def is_single_statement(placements: Sequence[Placement]) -> bool:
    """Whether insert_booking writes `placements` in one statement."""
    return len(placements) == 1 and is_postgres(BookingRequest._meta.db)


# Rows per INSERT: 7 parameters each stays far below both engines' limit on parameters.
INSERT_CHUNK = 1000


async def insert_occurrences(
    booking_id: int, placements: Sequence[Placement], status: str
) -> list[int]:
    """Store the occurrences; their ids, in the order of `placements`."""
    if len(placements) > 1 and is_postgres(Occurrence._meta.db):
        # Five arrays instead of seven parameters a row: a long series is encoded and planned
        # in a fraction of the time. WITH ORDINALITY keeps the ids in the order asked.
        rows = await fetch(
            Occurrence,
            "INSERT INTO occurrences (booking, room, starts_at, ends_at, blocked_from,"
            " blocked_until, status) SELECT {}, s.room, s.f, s.u, s.bf, s.bu, {} FROM unnest("
            "{}::int[], {}::timestamptz[], {}::timestamptz[], {}::timestamptz[],"
            " {}::timestamptz[]) WITH ORDINALITY AS s(room, f, u, bf, bu, n) ORDER BY s.n"
            " RETURNING id",
            booking_id,
            status,
            [p.room_id for p in placements],
            [p.meeting.start for p in placements],
            [p.meeting.end for p in placements],
            [p.blocked.start for p in placements],
            [p.blocked.end for p in placements],
        )
        return sorted(row["id"] for row in rows)
    ids: list[int] = []
    for first in range(0, len(placements), INSERT_CHUNK):
        chunk = placements[first : first + INSERT_CHUNK]
        values = ", ".join(f"({placeholders(7)})" for _ in chunk)
        args = [
            value
            for p in chunk
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
            "INSERT INTO occurrences (booking, room, starts_at, ends_at, blocked_from,"
            f" blocked_until, status) VALUES {values} RETURNING id",
            *args,
        )
        # Ids are drawn in the order the rows are inserted; RETURNING's order is not promised.
        ids += sorted(row["id"] for row in rows)
    return ids


async def booking_row(booking_id: int) -> dict[str, Any] | None:
    return (
        await BookingRequest.select(
            *BookingRequest.all_columns(),
            BookingRequest.organisation.code.as_alias("organisation_code"),
            BookingRequest.organisation.kind.as_alias("organisation_kind"),
            BookingRequest.requested_by.display_name.as_alias("requested_by_name"),
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
            Occurrence.room.building.as_alias("building_id"),
            Occurrence.room._.building._.zone.as_alias("zone"),
        )
        .where(Occurrence.booking.is_in(ids))
        .order_by(Occurrence.starts_at, Occurrence.id)
    )


async def update_booking(
    booking_id: int, expected_version: int, values: dict[str, Any], now: datetime
) -> bool:
    """Change the booking if nobody changed it since `expected_version`; bumps the version."""
    columns: dict[Any, Any] = {
        getattr(BookingRequest, name): (json.dumps(value) if name == "required_tiers" else value)
        for name, value in values.items()
    }
    updated = (
        await BookingRequest.update(
            {
                **columns,
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


async def set_status_of(booking_id: int, occurrence_ids: Iterable[int], to: str) -> None:
    ids = list(occurrence_ids)
    if ids:
        await Occurrence.update({Occurrence.status: to}).where(
            (Occurrence.booking == booking_id) & Occurrence.id.is_in(ids)
        )


async def rooms_buffers(room_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Each room's own setup and teardown minutes."""
    ids = sorted(set(room_ids)) or [-1]
    rows = await fetch(
        Occurrence,
        "SELECT id, setup_minutes, teardown_minutes FROM rooms"
        f" WHERE id IN ({placeholders(len(ids))})",
        *ids,
    )
    return {row["id"]: (row["setup_minutes"], row["teardown_minutes"]) for row in rows}


async def set_blocked(spans: Sequence[tuple[int, TimeSpan]]) -> None:
    for occurrence_id, blocked in spans:
        await Occurrence.update(
            {Occurrence.blocked_from: blocked.start, Occurrence.blocked_until: blocked.end}
        ).where(Occurrence.id == occurrence_id)


async def delete_occurrence_ids(booking_id: int, occurrence_ids: Iterable[int]) -> None:
    ids = list(occurrence_ids)
    if ids:
        await Occurrence.delete().where(
            (Occurrence.booking == booking_id) & Occurrence.id.is_in(ids)
        )


async def delete_occurrences(booking_id: int, statuses: Iterable[str]) -> None:
    await Occurrence.delete().where(
        (Occurrence.booking == booking_id) & Occurrence.status.is_in(list(statuses))
    )


async def lock_booking(engine_is_postgres: bool, booking_id: int) -> None:
    """Wait for, then hold, the booking's row until the transaction ends (PostgreSQL; SQLite's
    IMMEDIATE transaction already holds the whole database)."""
    if engine_is_postgres:
        await fetch(BookingRequest, "SELECT id FROM bookings WHERE id = {} FOR UPDATE", booking_id)


async def expired_holds(now: datetime) -> list[dict[str, Any]]:
    return await fetch(
        BookingRequest,
        "SELECT id, version, status FROM bookings WHERE hold_until <= {} AND status = {}",
        now,
        "held",
    )


@dataclass(frozen=True, slots=True)
class Visibility:
    """A requester sees what they asked for, what their organisations asked for, and public
    requests; an approver also every request for a room they manage. None instead of a
    Visibility means everything (the roles that span the university)."""

    user_id: int
    organisations: frozenset[int]
    managed_rooms: frozenset[int] = frozenset()
    managed_buildings: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class BookingFilter:
    visible_to: Visibility | None
    mine: Visibility | None = None
    statuses: Sequence[str] = ()
    awaiting_decision: bool = False
    approver_rooms: frozenset[int] | None = None
    approver_buildings: frozenset[int] = frozenset()
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
        BookingRequest.organisation.kind.as_alias("organisation_kind"),
        BookingRequest.requested_by.display_name.as_alias("requested_by_name"),
    )
    if criteria.visible_to is not None:
        seen = criteria.visible_to
        visible = _theirs(seen) | (BookingRequest.is_public == True)  # noqa: E712
        if seen.managed_rooms or seen.managed_buildings:
            in_managed = _in_rooms(seen.managed_rooms, seen.managed_buildings)
            visible = visible | BookingRequest.id.is_in(
                Occurrence.select(Occurrence.booking).where(
                    in_managed & (Occurrence.status != SUPERSEDED)
                )
            )
        query = query.where(visible)
    if criteria.mine is not None:
        query = query.where(_theirs(criteria.mine))
    if criteria.awaiting_decision:
        query = query.where(
            BookingRequest.status.is_in(["pending", "held"])
            | ((BookingRequest.status == "approved") & (BookingRequest.change_pending == True))  # noqa: E712
        )
    if criteria.approver_rooms is not None:
        in_theirs = _in_rooms(criteria.approver_rooms, criteria.approver_buildings)
        query = query.where(
            BookingRequest.id.is_in(Occurrence.select(Occurrence.booking).where(in_theirs))
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


def _in_rooms(rooms: Iterable[int], buildings: Iterable[int]) -> Any:
    """An occurrence in one of `rooms`, or in a room of one of `buildings` (an approver's)."""
    return Occurrence.room.is_in(sorted(rooms) or [-1]) | Occurrence.room.building.is_in(
        sorted(buildings) or [-1]
    )


def _theirs(who: Visibility) -> Any:
    condition: Any = BookingRequest.requested_by == who.user_id
    if who.organisations:
        condition = condition | BookingRequest.organisation.is_in(sorted(who.organisations))
    return condition


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
