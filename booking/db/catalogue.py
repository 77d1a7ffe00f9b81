"""Reading buildings, rooms and organisations."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from booking.core.rooms import RoomFacts
from booking.db.raw import fetch, placeholders
from booking.db.tables import Building, Organisation, Room


def _equipment(raw: Any) -> frozenset[str]:
    items = json.loads(raw) if isinstance(raw, str) else raw
    return frozenset(str(item) for item in items or ())


def room_facts(row: dict[str, Any]) -> RoomFacts:
    return RoomFacts(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        building_id=row["building"],
        zone=row["zone"],
        capacity=row["capacity"],
        equipment=_equipment(row["equipment"]),
        setup=timedelta(minutes=row["setup_minutes"]),
        teardown=timedelta(minutes=row["teardown_minutes"]),
        instant_book=bool(row["instant_book"]),
        active=bool(row["active"]),
    )


# Every column a room's facts or its public view needs, with its building's code, name and
# zone. Written out, not built by Piccolo: the room list and every free-room search run it.
ROOM_SQL = (
    "SELECT r.id, r.code, r.name, r.building, b.code AS building_code,"
    " b.name AS building_name, b.zone, r.capacity, r.equipment, r.setup_minutes,"
    " r.teardown_minutes, r.instant_book, r.active, r.description, r.is_demo"
    " FROM rooms r JOIN buildings b ON b.id = r.building"
)


async def all_rooms() -> list[RoomFacts]:
    return [room_facts(row) for row in await room_rows()]


async def rooms_by_id(ids: Iterable[int]) -> dict[int, RoomFacts]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await fetch(Room, f"{ROOM_SQL} WHERE r.id IN ({placeholders(len(wanted))})", *wanted)
    return {row["id"]: room_facts(row) for row in rows}


async def room_details(room_id: int) -> dict[str, Any] | None:
    rows = await fetch(Room, f"{ROOM_SQL} WHERE r.id = {{}}", room_id)
    return rows[0] if rows else None


async def room_rows() -> list[dict[str, Any]]:
    """Every room, active or not, by code."""
    return await fetch(Room, f"{ROOM_SQL} ORDER BY r.code")


async def buildings() -> list[dict[str, Any]]:
    return await Building.select().order_by(Building.code)


async def building(building_id: int) -> dict[str, Any] | None:
    return await Building.select().where(Building.id == building_id).first()


async def organisations() -> list[dict[str, Any]]:
    return await Organisation.select().order_by(Organisation.code)


async def organisation_by_code(code: str) -> dict[str, Any] | None:
    return await Organisation.select().where(Organisation.code == code).first()
