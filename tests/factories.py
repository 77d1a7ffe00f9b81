"""Factories with sensible defaults, and times relative to today so tests never age."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from booking.accounts.credentials import digest, new_api_token
from booking.accounts.passwords import hash_password_now
from booking.db.tables import (
    ApiToken,
    Building,
    Membership,
    Organisation,
    RoleGrant,
    Room,
    UserAccount,
)

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


def within_a_week(hhmm: str) -> str:
    """A naive wall-clock time a week from today: a hold's end, inside the 30 days allowed."""
    hours, minutes = map(int, hhmm.split(":"))
    return datetime.combine(_today + timedelta(days=7), time(hours, minutes)).isoformat()


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


# Hashed once: argon2 is slow on purpose, and most tests only need a user to exist.
PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password_now(PASSWORD)


async def make_user(
    email: str | None = None,
    *,
    organisations: list[int] = (),  # type: ignore[assignment]
    roles: list[tuple[str, int | None, int | None]] = (),  # type: ignore[assignment]
    team: str = "",
    name: str | None = None,
) -> dict[str, Any]:
    """A user with PASSWORD, members of `organisations`, with `roles` as (role, building,
    room)."""
    number = next(_numbers)
    email = email or f"user{number}@upt.ro"
    rows = await UserAccount.insert(
        UserAccount(
            email=email.lower(),
            display_name=name or f"Utilizator {number}",
            # The tests read the service's answers in English (the default is Romanian).
            language="en",
            password_hash=_PASSWORD_HASH,
            active=True,
            created_at=datetime.now(UTC),
        )
    ).returning(*UserAccount.all_columns())
    user = rows[0]
    for organisation in organisations:
        await Membership.insert(Membership(user=user["id"], organisation=organisation))
    for role, building, room in roles:
        await RoleGrant.insert(
            RoleGrant(
                user=user["id"],
                role=role,
                building=building,
                room=room,
                team=team if role == "logistics" else "",
            )
        )
    return user


async def make_token(user_id: int) -> str:
    token = new_api_token()
    await ApiToken.insert(
        ApiToken(
            user=user_id,
            name="tests",
            token_hash=digest(token),
            prefix=token[:10],
            created_at=datetime.now(UTC),
        )
    )
    return token


@dataclass
class Person:
    """A user of the tests, with an HTTP client that signs in with their API token."""

    user: dict[str, Any]
    token: str
    client: httpx.AsyncClient

    @property
    def id(self) -> int:
        user_id: int = self.user["id"]
        return user_id


async def person(
    open_client: Callable[..., httpx.AsyncClient], email: str | None = None, **kwargs: Any
) -> Person:
    user = await make_user(email, **kwargs)
    token = await make_token(user["id"])
    return Person(user, token, open_client(token))
