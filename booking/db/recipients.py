"""Who the notifications go to: accounts and addresses, with the language each reads."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from booking.core.access import Actor, Role
from booking.core.notifications import Person
from booking.db.accounts import actor_of
from booking.db.raw import fetch, placeholders
from booking.db.tables import UserAccount

_PERSON = "SELECT id, email, display_name, language FROM users"


def _person(row: Mapping[str, Any]) -> Person:
    return Person(row["email"], row["display_name"], row["language"] or "ro", row["id"])


async def accounts(user_ids: Collection[int]) -> dict[int, Person]:
    """The active accounts among these ids."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = await fetch(
        UserAccount, f"{_PERSON} WHERE active AND id IN ({placeholders(len(ids))})", *ids
    )
    return {row["id"]: _person(row) for row in rows}


async def by_address(addresses: Iterable[str]) -> dict[str, Person]:
    """The active accounts with these addresses (lower-cased), by address."""
    wanted = sorted({a.strip().lower() for a in addresses if a.strip()})
    if not wanted:
        return {}
    rows = await fetch(
        UserAccount,
        f"{_PERSON} WHERE active AND email IN ({placeholders(len(wanted))})",
        *wanted,
    )
    return {row["email"]: _person(row) for row in rows}


async def deciding_candidates(
    room_ids: Collection[int], building_ids: Collection[int]
) -> list[tuple[Person, Actor]]:
    """The active accounts that may have a part in deciding a request of these rooms (their
    approvers and their buildings', finance, the administrators), each with every grant it
    holds: whether it decides a tier is core.notifications.deciders' to say."""
    rooms, buildings = sorted(room_ids) or [0], sorted(building_ids) or [0]
    rows = await fetch(
        UserAccount,
        "SELECT u.id, u.email, u.display_name, u.language, g.role, g.building, g.room, g.team"
        ' FROM users u JOIN role_grants g ON g."user" = u.id WHERE u.active AND u.id IN'
        ' (SELECT "user" FROM role_grants WHERE role IN ({}, {}) OR (role = {}'
        f" AND (room IN ({placeholders(len(rooms))})"
        f" OR building IN ({placeholders(len(buildings))}))))"
        " ORDER BY u.id",
        Role.FINANCE.value,
        Role.ADMIN.value,
        Role.APPROVER.value,
        *rooms,
        *buildings,
    )
    grants: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grants.setdefault(row["id"], []).append(row)
    return [(_person(found[0]), actor_of(user_id, found)) for user_id, found in grants.items()]


async def administrators() -> list[Person]:
    return await with_roles(Role.ADMIN)


async def with_roles(*roles: Role) -> list[Person]:
    """The active accounts granted any of `roles` anywhere."""
    rows = await fetch(
        UserAccount,
        f"{_PERSON} WHERE active AND id IN"
        f' (SELECT "user" FROM role_grants WHERE role IN ({placeholders(len(roles))}))'
        " ORDER BY id",
        *(role.value for role in roles),
    )
    return [_person(row) for row in rows]
