"""Storing and reading opening hours, booking windows and blackouts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, time, timedelta
from typing import Any, TypeVar

from booking.core.booking_rules import Blackout, OpeningHours, RoomRules
from booking.core.rooms import RoomFacts
from booking.core.timespan import TimeSpan
from booking.db.raw import fetch, placeholders
from booking.db.tables import Blackout as BlackoutRow
from booking.db.tables import Room, RoomHours

T = TypeVar("T")


async def rules_for(rooms: Iterable[RoomFacts]) -> dict[int, RoomRules]:
    asked = {room.id: room for room in rooms}
    if not asked:
        return {}
    ids = sorted(asked)
    rows = await fetch(
        Room,
        "SELECT r.id, r.min_notice_minutes, r.max_advance_days, h.weekday, h.opens, h.closes"
        " FROM rooms r LEFT JOIN room_hours h ON h.room = r.id"
        f" WHERE r.id IN ({placeholders(len(ids))})",
        *ids,
    )
    hours: dict[int, list[OpeningHours]] = {room_id: [] for room_id in ids}
    windows: dict[int, tuple[int, int]] = {}
    for row in rows:
        windows[row["id"]] = (row["min_notice_minutes"], row["max_advance_days"])
        if row["weekday"] is not None:
            hours[row["id"]].append(
                OpeningHours(
                    row["weekday"],
                    time.fromisoformat(row["opens"]),
                    time.fromisoformat(row["closes"]),
                )
            )
    return {
        room_id: RoomRules(
            room_id=room_id,
            code=asked[room_id].code,
            zone=asked[room_id].zone,
            building_id=asked[room_id].building_id,
            hours=tuple(hours[room_id]),
            min_notice=timedelta(minutes=windows.get(room_id, (0, 0))[0]),
            max_advance=timedelta(days=windows[room_id][1])
            if windows.get(room_id, (0, 0))[1]
            else None,
        )
        for room_id in ids
    }


def blackout(row: dict[str, Any]) -> Blackout:
    return Blackout(
        id=row["id"],
        span=TimeSpan(row["starts_at"], row["ends_at"]),
        reason=row["reason"],
        room_id=row["room"],
        building_id=row["building"],
    )


async def blackouts_in(window: TimeSpan) -> list[Blackout]:
    """Every blackout overlapping `window`, whatever its scope (they are few)."""
    rows = await fetch(
        BlackoutRow,
        "SELECT id, building, room, starts_at, ends_at, reason FROM blackouts"
        " WHERE starts_at < {} AND ends_at > {} ORDER BY starts_at, id",
        window.end,
        window.start,
    )
    return [blackout(row) for row in rows]


async def blackout_rows(window: TimeSpan | None) -> list[dict[str, Any]]:
    query = BlackoutRow.select(*BlackoutRow.all_columns()).order_by(BlackoutRow.starts_at)
    if window is not None:
        query = query.where(
            (BlackoutRow.starts_at < window.end) & (BlackoutRow.ends_at > window.start)
        )
    rows: list[dict[str, Any]] = await query
    return rows


async def blackout_row(blackout_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await BlackoutRow.select(*BlackoutRow.all_columns())
        .where(BlackoutRow.id == blackout_id)
        .first()
    )
    return row


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


async def blackout_rows_by_id(ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        rows = await BlackoutRow.select(*BlackoutRow.all_columns()).where(
            BlackoutRow.id.is_in(chunk)
        )
        found.update((row["id"], row) for row in rows)
    return found


async def imported_all(
    source_uids: Sequence[str], building: int | None, room: int | None
) -> dict[str, dict[str, Any]]:
    """The blackouts earlier imports made in this scope, by the UID of their event."""
    found: dict[str, dict[str, Any]] = {}
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
        found.update((row["source_uid"], row) for row in await query)
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


async def delete_blackout(blackout_id: int) -> None:
    await BlackoutRow.delete().where(BlackoutRow.id == blackout_id)


async def set_hours(room_id: int, hours: Sequence[OpeningHours]) -> None:
    await RoomHours.delete().where(RoomHours.room == room_id)
    if hours:
        await RoomHours.insert(
            *(
                RoomHours(
                    room=room_id,
                    weekday=h.weekday,
                    opens=f"{h.opens:%H:%M}",
                    closes=f"{h.closes:%H:%M}",
                )
                for h in hours
            )
        )


async def set_windows(room_id: int, min_notice_minutes: int, max_advance_days: int) -> None:
    await Room.update(
        {Room.min_notice_minutes: min_notice_minutes, Room.max_advance_days: max_advance_days}
    ).where(Room.id == room_id)
