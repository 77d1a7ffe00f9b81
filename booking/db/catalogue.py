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


ROOM_FACTS_SQL = (
    "SELECT r.id, r.code, r.name, r.building, b.zone, r.capacity, r.equipment,"
    " r.setup_minutes, r.teardown_minutes, r.instant_book, r.active"
    " FROM rooms r JOIN buildings b ON b.id = r.building"
)


async def all_rooms() -> list[RoomFacts]:
    rows = await fetch(Room, f"{ROOM_FACTS_SQL} ORDER BY r.code")
    return [room_facts(row) for row in rows]


async def rooms_by_id(ids: Iterable[int]) -> dict[int, RoomFacts]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await fetch(
        Room, f"{ROOM_FACTS_SQL} WHERE r.id IN ({placeholders(len(wanted))})", *wanted
    )
    return {row["id"]: room_facts(row) for row in rows}


async def room_details(room_id: int) -> dict[str, Any] | None:
    return (
        await Room.select(
            *Room.all_columns(),
            Room.building.code.as_alias("building_code"),
            Room.building.name.as_alias("building_name"),
            Room.building.zone.as_alias("zone"),
        )
        .where(Room.id == room_id)
        .first()
    )


async def room_rows(ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    query = Room.select(
        *Room.all_columns(),
        Room.building.code.as_alias("building_code"),
        Room.building.name.as_alias("building_name"),
        Room.building.zone.as_alias("zone"),
    ).order_by(Room.code)
    if ids is not None:
        query = query.where(Room.id.is_in(list(ids) or [-1]))
    return await query


async def buildings() -> list[dict[str, Any]]:
    return await Building.select().order_by(Building.code)


async def building(building_id: int) -> dict[str, Any] | None:
    return await Building.select().where(Building.id == building_id).first()


async def organisations() -> list[dict[str, Any]]:
    return await Organisation.select().order_by(Organisation.code)


async def organisation_by_code(code: str) -> dict[str, Any] | None:
    return await Organisation.select().where(Organisation.code == code).first()
