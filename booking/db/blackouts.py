"""Storing and reading blackouts: closures of a room, a building or everything."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from booking.core.booking_rules import Blackout
from booking.core.timespan import TimeSpan
from booking.db.raw import fetch, placeholders
from booking.db.tables import Blackout as BlackoutRow

T = TypeVar("T")


def _blackout(row: Mapping[str, Any]) -> Blackout:
    return Blackout(
        id=row["id"],
        span=TimeSpan(row["starts_at"], row["ends_at"]),
        reason=row["reason"],
        room_id=row["room"],
        building_id=row["building"],
        source_uid=row["source_uid"],
    )


_BLACKOUT_SQL = "SELECT id, building, room, starts_at, ends_at, reason, source_uid FROM blackouts"


async def blackouts_in(window: TimeSpan | None) -> list[Blackout]:
    """Every blackout overlapping `window` (None: every one), whatever its scope (they are
    few)."""
    if window is None:
        rows = await fetch(BlackoutRow, f"{_BLACKOUT_SQL} ORDER BY starts_at, id")
    else:
        rows = await fetch(
            BlackoutRow,
            f"{_BLACKOUT_SQL} WHERE starts_at < {{}} AND ends_at > {{}} ORDER BY starts_at, id",
            window.end,
            window.start,
        )
    return [_blackout(row) for row in rows]


async def blackout(blackout_id: int) -> Blackout | None:
    rows = await fetch(BlackoutRow, f"{_BLACKOUT_SQL} WHERE id = {{}}", blackout_id)
    return _blackout(rows[0]) if rows else None


def _new_row(
    span: TimeSpan, reason: str, building: int | None, room: int | None, now: datetime, uid: str
) -> BlackoutRow:
    return BlackoutRow(
        building=building,
        room=room,
        starts_at=span.start,
        ends_at=span.end,
        reason=reason,
        source_uid=uid,
        created_at=now,
    )


async def insert_blackout(
    span: TimeSpan, reason: str, building: int | None, room: int | None, now: datetime
) -> int:
    rows = await BlackoutRow.insert(_new_row(span, reason, building, room, now, "")).returning(
        BlackoutRow.id
    )
    blackout_id: int = rows[0]["id"]
    return blackout_id


# Rows per statement when many are read or written at once: well within both engines' limits
# on bound parameters.
_CHUNK = 500


def _chunks(items: Sequence[T]) -> Iterator[list[T]]:
    for first in range(0, len(items), _CHUNK):
        yield list(items[first : first + _CHUNK])


async def blackouts_by_id(ids: Sequence[int]) -> dict[int, Blackout]:
    found: dict[int, Blackout] = {}
    for chunk in _chunks(ids):
        rows = await fetch(
            BlackoutRow, f"{_BLACKOUT_SQL} WHERE id IN ({placeholders(len(chunk))})", *chunk
        )
        found.update((row["id"], _blackout(row)) for row in rows)
    return found


async def imported_all(
    source_uids: Sequence[str], building: int | None, room: int | None
) -> dict[str, Blackout]:
    """The blackouts earlier imports made in this scope, by the UID of their event."""
    found: dict[str, Blackout] = {}
    for chunk in _chunks(source_uids):
        query = BlackoutRow.select(*BlackoutRow.all_columns()).where(
            BlackoutRow.source_uid.is_in(chunk)
        )
        query = query.where(
            BlackoutRow.building.is_null() if building is None else BlackoutRow.building == building
        )
        query = query.where(
            BlackoutRow.room.is_null() if room is None else BlackoutRow.room == room
        )
        found.update((row["source_uid"], _blackout(row)) for row in await query)
    return found


async def insert_imported(
    events: Sequence[tuple[str, TimeSpan, str]],
    building: int | None,
    room: int | None,
    now: datetime,
) -> dict[str, int]:
    """Store imported events (uid, span, reason) as blackouts; their ids by UID."""
    ids: dict[str, int] = {}
    for chunk in _chunks(events):
        rows = await BlackoutRow.insert(
            *(_new_row(span, reason, building, room, now, uid) for uid, span, reason in chunk)
        ).returning(BlackoutRow.id, BlackoutRow.source_uid)
        ids.update((row["source_uid"], row["id"]) for row in rows)
    return ids


async def delete_blackouts(ids: Sequence[int]) -> None:
    for chunk in _chunks(ids):
        await BlackoutRow.delete().where(BlackoutRow.id.is_in(chunk))


async def update_blackout(blackout_id: int, span: TimeSpan, reason: str) -> None:
    await BlackoutRow.update(
        {
            BlackoutRow.starts_at: span.start,
            BlackoutRow.ends_at: span.end,
            BlackoutRow.reason: reason,
        }
    ).where(BlackoutRow.id == blackout_id)
