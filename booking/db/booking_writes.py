"""Writing booking requests: a new request with its slots, and a change of one.

Each write also records its audit row and events (db.change_log) in the same transaction. On
PostgreSQL a new request of one slot that holds its room is one statement, room lock included,
which needs no transaction of its own: creating bookings is the busiest write there is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from booking.core.conflicts import Placement
from booking.core.creation import NewBooking
from booking.core.timespan import TimeSpan
from booking.core.transitions import Change
from booking.core.workflow import HOLDING, Status
from booking.db import change_log
from booking.db.booking_records import stored_values
from booking.db.engine import is_postgres
from booking.db.raw import fetch, placeholders
from booking.db.room_locks import ROOM_LOCK_SPACE
from booking.db.tables import BookingRequest, Occurrence

_OCCURRENCE_COLUMNS = "room, starts_at, ends_at, blocked_from, blocked_until, status"


def _booking_row(new: NewBooking, now: datetime) -> dict[str, Any]:
    """The new request's columns and their stored values."""
    fields = new.fields
    return {
        "title": fields.title,
        "description": fields.description,
        "organisation": fields.organisation_id,
        "organiser_name": fields.organiser_name,
        "contact_email": fields.contact_email,
        "contact_phone": fields.contact_phone,
        "expected_attendance": fields.expected_attendance,
        "is_public": fields.is_public,
        "paid_rental": fields.paid_rental,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "requested_by": new.requested_by,
        "tiers_done": new.tiers_done,
        "change_pending": False,
        **stored_values(
            {
                "status": new.status,
                "required_tiers": new.required_tiers,
                "series": new.series,
                "skipped_dates": new.skipped_dates,
            }
        ),
    }


def _slot_values(slot: Placement, status: str) -> list[Any]:
    return [
        slot.room_id,
        slot.meeting.start,
        slot.meeting.end,
        slot.blocked.start,
        slot.blocked.end,
        status,
    ]


def claims_alone(placements: Sequence[Placement], status: Status) -> bool:
    """Whether the database itself refuses a collision of a new request, in the statement that
    stores it, so nothing needs checking or locking first: one slot that holds its room, on
    PostgreSQL (whose exclusion constraint refuses it)."""
    return len(placements) == 1 and status in HOLDING and is_postgres(BookingRequest._meta.db)


async def insert_booking(
    new: NewBooking, entry: change_log.Entry, now: datetime
) -> tuple[int, list[int]]:
    """Store a request, its slots, its audit row and events; return its id and the slots' ids,
    in the order of its placements."""
    if claims_alone(new.placements, new.status):
        return await _insert_in_one_statement(new, entry, now)
    row = _booking_row(new, now)
    inserted = await fetch(
        BookingRequest,
        f"INSERT INTO bookings ({', '.join(row)}) VALUES ({placeholders(len(row))}) RETURNING id",
        *row.values(),
    )
    booking_id: int = inserted[0]["id"]
    occurrence_ids = await insert_occurrences(booking_id, new.placements, new.status.value)
    await change_log.record(booking_id, entry)
    return booking_id, occurrence_ids


async def _insert_in_one_statement(
    new: NewBooking, entry: change_log.Entry, now: datetime
) -> tuple[int, list[int]]:
    (slot,) = new.placements
    row = _booking_row(new, now)
    recorded = change_log.statements(entry)
    sql = (
        # The room's lock first (the inserts read from it, so it is taken before them): two
        # overlapping inserts would otherwise each wait for the other's row in the exclusion
        # constraint, a deadlock. It is held until the statement commits.
        "WITH l AS (SELECT pg_advisory_xact_lock({}, {})),"
        f" b AS (INSERT INTO bookings ({', '.join(row)}) SELECT {placeholders(len(row))}"
        " FROM l RETURNING id),"
        f" o AS (INSERT INTO occurrences (booking, {_OCCURRENCE_COLUMNS})"
        f" SELECT b.id, {placeholders(6)} FROM b RETURNING id)"
        + "".join(f", {name} AS ({statement})" for name, statement, _ in recorded)
        + " SELECT b.id, o.id AS occurrence_id FROM b, o"
    )
    args = [
        ROOM_LOCK_SPACE,
        slot.room_id,
        *row.values(),
        *_slot_values(slot, new.status.value),
    ]
    for _, _, values in recorded:
        args += values
    rows = await fetch(BookingRequest, sql, *args)
    return rows[0]["id"], [rows[0]["occurrence_id"]]


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
            f"INSERT INTO occurrences (booking, {_OCCURRENCE_COLUMNS})"
            " SELECT {}, s.room, s.f, s.u, s.bf, s.bu, {} FROM unnest("
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
        args = [value for p in chunk for value in (booking_id, *_slot_values(p, status))]
        rows = await fetch(
            Occurrence,
            f"INSERT INTO occurrences (booking, {_OCCURRENCE_COLUMNS}) VALUES {values}"
            " RETURNING id",
            *args,
        )
        # Ids are drawn in the order the rows are inserted; RETURNING's order is not promised.
        ids += sorted(row["id"] for row in rows)
    return ids


async def update_booking(
    booking_id: int, expected_version: int, values: dict[str, Any], now: datetime
) -> bool:
    """Change the request if nobody changed it since `expected_version`; bumps the version."""
    columns: dict[Any, Any] = {
        getattr(BookingRequest, name): value for name, value in stored_values(values).items()
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


async def apply_change(booking_id: int, change: Change, entry: change_log.Entry) -> None:
    """Write a change's slots, its audit row and its events (the request itself is updated
    first, by update_booking, which checks its version)."""
    for update in change.slot_updates:
        condition: Any = Occurrence.booking == booking_id
        if update.ids:
            condition = condition & Occurrence.id.is_in(sorted(update.ids))
        if update.states:
            condition = condition & Occurrence.status.is_in(sorted(update.states))
        if update.ids or update.states:
            await Occurrence.update({Occurrence.status: update.to}).where(condition)
    if change.new_slots:
        await insert_occurrences(booking_id, change.new_slots, change.new_slots_state)
    if change.blocked:
        await _set_blocked(change.blocked)
    await change_log.record(booking_id, entry)


# Slots per UPDATE on SQLite: 3 parameters each stays far below its limit on parameters.
UPDATE_CHUNK = 1000


async def _set_blocked(spans: Sequence[tuple[int, TimeSpan]]) -> None:
    """Give each slot its new blocked span, in one statement (one per UPDATE_CHUNK slots on
    SQLite): a series' new buffers must not cost a round trip per date inside the write lock."""
    if is_postgres(Occurrence._meta.db):
        await fetch(
            Occurrence,
            "UPDATE occurrences o SET blocked_from = s.bf, blocked_until = s.bu"
            " FROM unnest({}::int[], {}::timestamptz[], {}::timestamptz[]) AS s(id, bf, bu)"
            " WHERE o.id = s.id",
            [occurrence_id for occurrence_id, _ in spans],
            [blocked.start for _, blocked in spans],
            [blocked.end for _, blocked in spans],
        )
        return
    for first in range(0, len(spans), UPDATE_CHUNK):
        chunk = spans[first : first + UPDATE_CHUNK]
        values = ", ".join(f"({placeholders(3)})" for _ in chunk)
        await fetch(
            Occurrence,
            "UPDATE occurrences SET blocked_from = s.column2, blocked_until = s.column3"
            f" FROM (VALUES {values}) AS s WHERE occurrences.id = s.column1",
            *(value for occurrence_id, b in chunk for value in (occurrence_id, b.start, b.end)),
        )
