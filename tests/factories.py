"""Factories with sensible defaults, and times relative to today so tests never age."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from booking.db.tables import Building, Organisation, Room

ZONE = ZoneInfo("Europe/Bucharest")
_numbers = itertools.count(1)

# A Monday four weeks ahead: far enough to never be "in the past", near enough to be realistic.
_today = datetime.now(UTC).astimezone(ZONE).date()
BASE_DAY = _today + timedelta(days=28 + (7 - _today.weekday()) % 7)


def day(offset: int = 0) -> date:
    return BASE_DAY + timedelta(days=offset)


def local(offset_days: int, hhmm: str) -> str:
    """A naive wall-clock time, as a person would type it into the form."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime.combine(day(offset_days), time(hours, minutes)).isoformat()


def next_last_sunday(month: int) -> date:
    """The next last-Sunday-of-`month` after BASE_DAY (when Europe/Bucharest changes clocks)."""
    for year in (BASE_DAY.year, BASE_DAY.year + 1):
        last = date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)
        sunday = last - timedelta(days=(last.weekday() - 6) % 7)
        if sunday > BASE_DAY:
            return sunday
    raise AssertionError("unreachable")


async def make_building(**overrides: Any) -> dict[str, Any]:
    number = next(_numbers)
    values = {
        "code": f"B{number}",
        "name": f"Clădirea {number}",
        "name_en": f"Building {number}",
        "zone": "Europe/Bucharest",
        "address": "Timișoara",
    } | overrides
    rows = await Building.insert(Building(**values)).returning(*Building.all_columns())
    return rows[0]


async def make_room(building: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    building = building or await make_building()
    number = next(_numbers)
    values: dict[str, Any] = {
        "building": building["id"],
        "code": f"R{number}",
        "name": f"Sala {number}",
        "capacity": 50,
        "equipment": ["projector"],
        "setup_minutes": 0,
        "teardown_minutes": 0,
        "instant_book": True,
        "active": True,
    } | overrides
    values["equipment"] = json.dumps(values["equipment"])
    rows = await Room.insert(Room(**values)).returning(*Room.all_columns())
    return rows[0]


async def make_organisation(**overrides: Any) -> dict[str, Any]:
    number = next(_numbers)
    values = {"code": f"ORG{number}", "name": f"Organizația {number}", "kind": "department"}
    rows = await Organisation.insert(Organisation(**(values | overrides))).returning(
        *Organisation.all_columns()
    )
    return rows[0]


def booking_body(rooms: list[int], start: str, end: str, **overrides: Any) -> dict[str, Any]:
    return {
        "title": "Seminar de cercetare",
        "rooms": rooms,
        "start": start,
        "end": end,
        "expected_attendance": 20,
        "organiser_name": "Ana Popescu",
        "contact_email": "ana.popescu@upt.ro",
    } | overrides
