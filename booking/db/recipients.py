"""Who the notifications go to: accounts and addresses, with the language each reads."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from booking.core.access import Role
from booking.core.notifications import Person
from booking.core.tiers import TierRole
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


async def deciders(
    tier: TierRole, room_ids: Collection[int], building_ids: Collection[int]
) -> list[Person]:
    """Those who decide `tier` for a request of these rooms: the approvers of its rooms or
    their buildings for the room managers' tier, finance for the finance tier; the
    administrators when nobody else is named (they may decide every tier)."""
    if tier is TierRole.FINANCE:
        people = await _with_role(Role.FINANCE)
    elif room_ids or building_ids:
        rooms, buildings = sorted(room_ids) or [0], sorted(building_ids) or [0]
        rows = await fetch(
            UserAccount,
            f'{_PERSON} WHERE active AND id IN (SELECT "user" FROM role_grants WHERE role = {{}}'
            f" AND (room IN ({placeholders(len(rooms))})"
            f" OR building IN ({placeholders(len(buildings))}))) ORDER BY id",
            Role.APPROVER.value,
            *rooms,
            *buildings,
        )
        people = [_person(row) for row in rows]
    else:
        people = []
    return people or await administrators()


async def administrators() -> list[Person]:
    return await _with_role(Role.ADMIN)


async def _with_role(role: Role) -> list[Person]:
    """The active accounts granted `role` anywhere."""
    rows = await fetch(
        UserAccount,
        f"{_PERSON} WHERE active AND id IN"
        ' (SELECT "user" FROM role_grants WHERE role = {}) ORDER BY id',
        role.value,
    )
    return [_person(row) for row in rows]
