"""Storing and reading rooms' opening hours and booking windows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import time, timedelta

from booking.core.booking_rules import OpeningHours, RoomRules
from booking.core.rooms import RoomFacts
from booking.db.raw import fetch, placeholders
from booking.db.tables import Room, RoomHours


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
    found = {}
    for room_id in ids:
        notice_minutes, advance_days = windows.get(room_id, (0, 0))
        room = asked[room_id]
        found[room_id] = RoomRules(
            room_id=room_id,
            code=room.code,
            zone=room.zone,
            building_id=room.building_id,
            hours=tuple(hours[room_id]),
            min_notice=timedelta(minutes=notice_minutes),
            max_advance=timedelta(days=advance_days) if advance_days else None,
        )
    return found


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


async def set_windows(room_id: int, min_notice: timedelta, max_advance: timedelta | None) -> None:
    await Room.update(
        {
            Room.min_notice_minutes: int(min_notice.total_seconds() // 60),
            Room.max_advance_days: max_advance.days if max_advance else 0,
        }
    ).where(Room.id == room_id)
