"""Reading buildings, rooms and organisations."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from piccolo.columns import Column

from booking.core.catalogue import Building, Organisation, RoomDetails
from booking.core.rooms import RoomFacts
from booking.db import feeds
from booking.db.raw import fetch, placeholders
from booking.db.tables import Building as BuildingTable
from booking.db.tables import Organisation as OrganisationTable
from booking.db.tables import Room
from booking.db.transactions import in_writing_transaction


def _equipment(raw: Any) -> frozenset[str]:
    items = json.loads(raw) if isinstance(raw, str) else raw
    return frozenset(str(item) for item in items or ())


def room_facts(row: Mapping[str, Any]) -> RoomFacts:
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


def room_details(row: Mapping[str, Any]) -> RoomDetails:
    """A room and its building's names from a row of ROOM_SQL."""
    return RoomDetails(
        facts=room_facts(row),
        building_code=row["building_code"],
        building_name=row["building_name"],
        building_name_en=row["building_name_en"],
        description=row["description"],
        is_demo=bool(row["is_demo"]),
    )


# Every column a room's facts or its public view needs, with its building's code, name and
# zone. Written out, not built by Piccolo: the room list and every free-room search run it.
ROOM_SQL = (
    "SELECT r.id, r.code, r.name, r.building, b.code AS building_code,"
    " b.name AS building_name, b.name_en AS building_name_en, b.zone, r.capacity, r.equipment,"
    " r.setup_minutes, r.teardown_minutes, r.instant_book, r.active, r.description, r.is_demo"
    " FROM rooms r JOIN buildings b ON b.id = r.building"
)


def _columns(values: Mapping[str, Any]) -> dict[Column | str, Any]:
    columns: dict[Column | str, Any] = {}
    columns.update(values)
    return columns


async def update_room(room_id: int, values: Mapping[str, Any], at: datetime) -> None:
    """Change a room's own fields, and count it as a change of what its calendar shows."""

    async def write() -> None:
        await Room.update(_columns(values)).where(Room.id == room_id)
        await feeds.touch_rooms([room_id], at)

    await in_writing_transaction(Room._meta.db, write)


async def update_building(building_id: int, values: Mapping[str, Any], at: datetime) -> None:
    """Change a building's fields, and count it as a change of every one of its rooms."""

    async def write() -> None:
        await BuildingTable.update(_columns(values)).where(BuildingTable.id == building_id)
        rows = await fetch(Room, "SELECT id FROM rooms WHERE building = {}", building_id)
        await feeds.touch_rooms([row["id"] for row in rows], at)

    await in_writing_transaction(Room._meta.db, write)


async def all_rooms() -> list[RoomFacts]:
    return [room.facts for room in await rooms()]


async def rooms_by_id(ids: Iterable[int]) -> dict[int, RoomFacts]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await fetch(Room, f"{ROOM_SQL} WHERE r.id IN ({placeholders(len(wanted))})", *wanted)
    return {row["id"]: room_facts(row) for row in rows}


async def room(room_id: int) -> RoomDetails | None:
    rows = await fetch(Room, f"{ROOM_SQL} WHERE r.id = {{}}", room_id)
    return room_details(rows[0]) if rows else None


async def rooms() -> list[RoomDetails]:
    """Every room, active or not, by code."""
    return [room_details(row) for row in await fetch(Room, f"{ROOM_SQL} ORDER BY r.code")]


def _building(row: Mapping[str, Any]) -> Building:
    return Building(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        name_en=row["name_en"],
        zone=row["zone"],
        address=row["address"],
        is_demo=bool(row["is_demo"]),
    )


_BUILDING_SQL = "SELECT id, code, name, name_en, zone, address, is_demo FROM buildings"


async def buildings() -> list[Building]:
    return [_building(row) for row in await fetch(BuildingTable, f"{_BUILDING_SQL} ORDER BY code")]


async def building(building_id: int) -> Building | None:
    rows = await fetch(BuildingTable, f"{_BUILDING_SQL} WHERE id = {{}}", building_id)
    return _building(rows[0]) if rows else None


def _organisation(row: Mapping[str, Any]) -> Organisation:
    return Organisation(row["id"], row["code"], row["name"], row["kind"], bool(row["is_demo"]))


_ORGANISATION_SQL = "SELECT id, code, name, kind, is_demo FROM organisations"


async def organisations() -> list[Organisation]:
    rows = await fetch(OrganisationTable, f"{_ORGANISATION_SQL} ORDER BY code")
    return [_organisation(row) for row in rows]


async def organisation_by_code(code: str) -> Organisation | None:
    rows = await fetch(OrganisationTable, f"{_ORGANISATION_SQL} WHERE code = {{}}", code)
    return _organisation(rows[0]) if rows else None


async def organisation(organisation_id: int) -> Organisation | None:
    rows = await fetch(OrganisationTable, f"{_ORGANISATION_SQL} WHERE id = {{}}", organisation_id)
    return _organisation(rows[0]) if rows else None


async def _ids_by_code(
    table: type[Room] | type[BuildingTable], codes: Iterable[str]
) -> dict[str, int]:
    """The ids of the rows with these codes, by the code as asked; codes match whatever their
    case (`cc-s2` is `CC-S2`)."""
    asked = {code: code.upper() for code in codes}
    if not asked:
        return {}
    wanted = sorted(set(asked.values()))
    name = table._meta.tablename
    matching = f"UPPER(code) IN ({placeholders(len(wanted))})"
    rows = await fetch(
        table, f"SELECT id, UPPER(code) AS code FROM {name} WHERE {matching}", *wanted
    )
    by_code = {row["code"]: int(row["id"]) for row in rows}
    return {code: by_code[upper] for code, upper in asked.items() if upper in by_code}


async def room_ids_by_code(codes: Iterable[str]) -> dict[str, int]:
    return await _ids_by_code(Room, codes)


async def building_ids_by_code(codes: Iterable[str]) -> dict[str, int]:
    return await _ids_by_code(BuildingTable, codes)
