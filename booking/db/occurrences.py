"""Queries over occurrences: who occupies which room when."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from booking.core.conflicts import Occupation, Placement
from booking.core.requests import MAX_BLOCKED_LENGTH
from booking.core.timespan import TimeSpan, hull
from booking.core.workflow import status_at, stored_states
from booking.db.engine import is_postgres
from booking.db.raw import fetch, placeholders
from booking.db.tables import Occurrence


def _status(row: dict[str, Any], as_of: datetime | None) -> str:
    """The slot's state; read `as_of` a moment, a hold whose time is up has lapsed."""
    if as_of is None:
        return str(row["status"])
    return str(status_at(row["status"], row["hold_until"], as_of))


def _occupations(
    rows: Iterable[dict[str, Any]], statuses: Sequence[str], as_of: datetime | None
) -> list[Occupation]:
    found = []
    for row in rows:
        status = _status(row, as_of)
        if status in statuses:
            found.append(
                Occupation(
                    occurrence_id=row["id"],
                    booking_id=row["booking"],
                    room_id=row["room"],
                    meeting=TimeSpan(row["starts_at"], row["ends_at"]),
                    blocked=TimeSpan(row["blocked_from"], row["blocked_until"]),
                    status=status,
                    public_title=row["title"] if row["is_public"] else None,
                )
            )
    return found


async def occupations(
    window: TimeSpan,
    statuses: Iterable[str],
    room_ids: Iterable[int] | None = None,
    as_of: datetime | None = None,
) -> list[Occupation]:
    """Occurrences in `statuses` whose blocked span overlaps `window`. Read `as_of` a moment
    (every read), a hold whose time is up is pending; without it (a check before a write), an
    expired hold is still held, for the writer to lapse it.

    blocked_from is bounded on both sides (a blocked span is never longer than
    MAX_BLOCKED_LENGTH), so the index scan is short however much history the table holds.
    """
    asked = list(statuses)
    # Read as of a moment, a slot stored as held may stand as pending.
    wanted_statuses = stored_states(asked) if as_of is not None else asked
    rooms = None if room_ids is None else sorted(set(room_ids))
    if rooms == []:
        return []  # no room to look at (a search whose filters leave none): nothing to ask
    postgres = is_postgres(Occurrence._meta.db)
    sql = (_OCCUPATIONS_POSTGRES if postgres else _OCCUPATIONS) + (
        f" AND o.status IN ({placeholders(len(wanted_statuses))})"
    )
    args: list[Any] = [
        window.end,
        window.start - MAX_BLOCKED_LENGTH,
        window.start,
        *wanted_statuses,
    ]
    if rooms is not None:
        sql += f" AND o.room IN ({placeholders(len(rooms))})"
        args += rooms
    rows = await fetch(Occurrence, sql + " ORDER BY o.blocked_from, o.id", *args)
    return _occupations(rows, asked, as_of)


_OCCUPATION_COLUMNS = (
    "o.id, o.booking, o.room, o.starts_at, o.ends_at, o.blocked_from, o.blocked_until, o.status,"
    " b.title, b.is_public, b.hold_until"
)
_OVERLAPPING = " WHERE o.blocked_from < {} AND o.blocked_from > {} AND o.blocked_until > {}"
_OCCUPATIONS = (
    f"SELECT {_OCCUPATION_COLUMNS} FROM occurrences o JOIN bookings b ON b.id = o.booking"
    + _OVERLAPPING
)
# PostgreSQL's planner takes blocked_from and blocked_until for independent columns, so it
# expects some fifty times the occurrences a window holds (1,757 for 36, a free-room search
# near today on 200,000 occurrences), and for that many it joined the bookings by hashing all
# of them: a scan of every booking, 30-60 ms where the window's own rows take 0.3 ms. A
# window's occurrences are few beside the whole history, so each one fetches its booking by
# its key: OFFSET 0 keeps the planner from turning the subquery back into that join.
_OCCUPATIONS_POSTGRES = (
    f"SELECT {_OCCUPATION_COLUMNS} FROM occurrences o CROSS JOIN LATERAL"
    " (SELECT title, is_public, hold_until FROM bookings WHERE id = o.booking OFFSET 0) b"
    + _OVERLAPPING
)


# Beyond this many slots, PostgreSQL is handed the slots and finds the collisions itself
# instead of sending every occupation of the whole period back.
MANY_SLOTS = 8


async def colliding(placements: Sequence[Placement], statuses: Iterable[str]) -> list[Occupation]:
    """Occurrences in `statuses`, as stored, that collide with any of `placements` (a superset
    is fine: the caller matches them exactly)."""
    wanted_statuses = list(statuses)
    if not is_postgres(Occurrence._meta.db) or len(placements) <= MANY_SLOTS:
        window = hull(p.blocked for p in placements)
        return await occupations(window, wanted_statuses, {p.room_id for p in placements})
    rows = await fetch(
        Occurrence,
        # One index probe per slot: OFFSET 0 keeps the planner from turning the lateral
        # subquery into a hash join over every occurrence of the room.
        "SELECT DISTINCT o.id, o.booking, o.room, o.starts_at, o.ends_at, o.blocked_from,"
        " o.blocked_until, o.status, b.title, b.is_public, b.hold_until"
        " FROM unnest({}::int[], {}::timestamptz[], {}::timestamptz[]) AS w(room, f, u)"
        " CROSS JOIN LATERAL (SELECT * FROM occurrences o WHERE o.room = w.room"
        " AND o.blocked_from < w.u AND o.blocked_from > w.f - {}::interval"
        " AND o.blocked_until > w.f AND o.status = ANY({}::text[]) OFFSET 0) o"
        " JOIN bookings b ON b.id = o.booking",
        [p.room_id for p in placements],
        [p.blocked.start for p in placements],
        [p.blocked.end for p in placements],
        MAX_BLOCKED_LENGTH,
        wanted_statuses,
    )
    return _occupations(rows, wanted_statuses, None)


async def titles(booking_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(booking_ids))
    if not ids:
        return {}
    rows = await fetch(
        Occurrence, f"SELECT id, title FROM bookings WHERE id IN ({placeholders(len(ids))})", *ids
    )
    return {row["id"]: row["title"] for row in rows}
