"""Storing and reading users, their memberships, role grants and API tokens.

A write of one statement needs no transaction around it: it is one on both engines, waits for
SQLite's write lock as long as the engine's timeout says, and a lock not had by then is the
503 (try again) that the API answers wherever it meets one. A write that checks before it
writes (a grant or membership given once) is a writing transaction, so that nothing comes
between the check and the write on SQLite.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from booking.core.access import Actor, Role
from booking.core.accounts import Account, Grant, Membership, Principal, Token, User
from booking.db.raw import fetch, placeholders
from booking.db.tables import ApiToken, RoleGrant, UserAccount
from booking.db.tables import Membership as MembershipTable
from booking.db.transactions import in_writing_transaction

T = TypeVar("T")

USER_COLUMNS = (
    "id, email, display_name, language, active, created_at, daily_digest, event_reminders"
)
# A token's "last used" stamp waits this long at most for SQLite's write lock: a read must not
# wait out the engine's whole timeout for it.
TOKEN_STAMP_WAIT_SECONDS = 0.5


async def _write(
    work: Callable[[], Awaitable[T]], single_statement: bool = False, wait: float | None = None
) -> T:
    return await in_writing_transaction(UserAccount._meta.db, work, single_statement, wait)


def _user(row: Mapping[str, Any]) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        display_name=row["display_name"],
        language=row["language"],
        active=bool(row["active"]),
        created_at=row["created_at"],
        daily_digest=bool(row["daily_digest"]),
        event_reminders=bool(row["event_reminders"]),
    )


async def user_by_email(email: str) -> tuple[User, str] | None:
    """The user with this address, and their password's hash ("" if they have none)."""
    rows = await fetch(
        UserAccount,
        f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = {{}}",
        email.strip().lower(),
    )
    return (_user(rows[0]), rows[0]["password_hash"]) if rows else None


async def user_by_id(user_id: int) -> User | None:
    rows = await fetch(UserAccount, f"SELECT {USER_COLUMNS} FROM users WHERE id = {{}}", user_id)
    return _user(rows[0]) if rows else None


# Every grant of every user as (user, role, building, room, team); a membership is a grant of
# the "member" role whose `building` column carries the organisation.
_GRANTS = (
    "SELECT \"user\", 'member' AS role, organisation AS building, NULL AS room, '' AS team"
    " FROM memberships"
    ' UNION ALL SELECT "user", role, building, room, team FROM role_grants'
)
_PRINCIPAL_COLUMNS = (
    "u.id, u.email, u.display_name, u.language, u.active, u.created_at, u.daily_digest,"
    " u.event_reminders, u.sessions_valid_from, g.role, g.building, g.room, g.team"
)


async def principal_by_token(token_digest: str) -> Principal | None:
    """The active owner of an unrevoked token, with the token's id and last use, and the
    owner's roles: one query, since every token-authenticated request asks it."""
    rows = await fetch(
        UserAccount,
        f"SELECT {_PRINCIPAL_COLUMNS}, t.id AS token_id, t.last_used_at AS token_last_used_at"
        ' FROM api_tokens t JOIN users u ON u.id = t."user"'
        f' LEFT JOIN ({_GRANTS}) g ON g."user" = u.id'
        " WHERE t.token_hash = {} AND t.revoked_at IS NULL AND u.active",
        token_digest,
    )
    return _principal(rows) if rows else None


async def active_principal(user_id: int) -> Principal | None:
    """An active user and their roles, in one query."""
    rows = await fetch(
        UserAccount,
        f"SELECT {_PRINCIPAL_COLUMNS} FROM users u"
        f' LEFT JOIN ({_GRANTS}) g ON g."user" = u.id'
        " WHERE u.id = {} AND u.active",
        user_id,
    )
    return _principal(rows) if rows else None


def _principal(rows: list[dict[str, Any]]) -> Principal:
    first = rows[0]
    return Principal(
        user=_user(first),
        actor=actor_of(first["id"], rows),
        sessions_valid_from=first["sessions_valid_from"],
        token_id=first.get("token_id"),
        token_last_used_at=first.get("token_last_used_at"),
    )


def actor_of(user_id: int, grants: Iterable[Mapping[str, Any]]) -> Actor:
    """Everything authorisation needs about a user, from the rows of their grants."""
    organisations: set[int] = set()
    buildings: set[int] = set()
    rooms: set[int] = set()
    teams: set[str] = set()
    finance = admin = False
    for row in grants:
        role = row["role"]
        if role == "member":
            organisations.add(row["building"])
        elif role == Role.APPROVER:
            if row["building"] is not None:
                buildings.add(row["building"])
            if row["room"] is not None:
                rooms.add(row["room"])
        elif role == Role.FINANCE:
            finance = True
        elif role == Role.LOGISTICS:
            teams.add(row["team"])
        elif role == Role.ADMIN:
            admin = True
    return Actor(
        user_id=user_id,
        organisations=frozenset(organisations),
        approver_buildings=frozenset(buildings),
        approver_rooms=frozenset(rooms),
        finance=finance,
        logistics_teams=frozenset(teams),
        admin=admin,
    )


async def insert_user(
    email: str, display_name: str, language: str, password_hash: str, now: datetime
) -> int:
    new = UserAccount(
        email=email.strip().lower(),
        display_name=display_name.strip(),
        language=language,
        password_hash=password_hash,
        active=True,
        created_at=now,
    )
    rows = await UserAccount.insert(new).returning(UserAccount.id)
    user_id: int = rows[0]["id"]
    return user_id


async def set_password_hash(user_id: int, password_hash: str) -> None:
    await UserAccount.update({UserAccount.password_hash: password_hash}).where(
        UserAccount.id == user_id
    )


async def change_password_hash(user_id: int, password_hash: str, now: datetime) -> None:
    """A new password, which ends every session started before `now`."""
    await UserAccount.update(
        {UserAccount.password_hash: password_hash, UserAccount.sessions_valid_from: now}
    ).where(UserAccount.id == user_id)


async def update_user(user_id: int, values: dict[str, Any]) -> None:
    columns = {getattr(UserAccount, name): value for name, value in values.items()}
    if columns:
        await UserAccount.update(columns).where(UserAccount.id == user_id)


async def list_users(limit: int, offset: int) -> list[User]:
    rows = await fetch(
        UserAccount,
        f"SELECT {USER_COLUMNS} FROM users ORDER BY id LIMIT {{}} OFFSET {{}}",
        limit,
        offset,
    )
    return [_user(row) for row in rows]


async def accounts_of(users: Sequence[User]) -> list[Account]:
    """The users with their memberships and role grants, in two queries for all of them."""
    ids = [user.id for user in users]
    if not ids:
        return []
    grants: dict[int, list[Grant]] = {i: [] for i in ids}
    for row in await fetch(
        RoleGrant,
        'SELECT id, "user", role, building, room, team FROM role_grants'
        f' WHERE "user" IN ({placeholders(len(ids))}) ORDER BY id',
        *ids,
    ):
        grants[row["user"]].append(
            Grant(row["id"], row["role"], row["building"], row["room"], row["team"] or None)
        )
    memberships: dict[int, list[Membership]] = {i: [] for i in ids}
    for row in await fetch(
        MembershipTable,
        'SELECT m."user", m.organisation, o.code, o.name FROM memberships m'
        " JOIN organisations o ON o.id = m.organisation"
        f' WHERE m."user" IN ({placeholders(len(ids))}) ORDER BY m.id',
        *ids,
    ):
        memberships[row["user"]].append(Membership(row["organisation"], row["code"], row["name"]))
    return [Account(user, memberships[user.id], grants[user.id]) for user in users]


async def add_grant(
    user_id: int, role: str, building: int | None, room: int | None, team: str
) -> int:
    async def add() -> int:
        existing = await RoleGrant.select(RoleGrant.id).where(
            (RoleGrant.user == user_id)
            & (RoleGrant.role == role)
            & (RoleGrant.building.is_null() if building is None else RoleGrant.building == building)
            & (RoleGrant.room.is_null() if room is None else RoleGrant.room == room)
            & (RoleGrant.team == team)
        )
        if existing:
            grant_id: int = existing[0]["id"]
            return grant_id
        rows = await RoleGrant.insert(
            RoleGrant(user=user_id, role=role, building=building, room=room, team=team)
        ).returning(RoleGrant.id)
        grant_id = rows[0]["id"]
        return grant_id

    return await _write(add)


async def remove_grant(user_id: int, grant_id: int) -> bool:
    removed = (
        await RoleGrant.delete()
        .where((RoleGrant.id == grant_id) & (RoleGrant.user == user_id))
        .returning(RoleGrant.id)
    )
    return bool(removed)


async def add_membership(user_id: int, organisation_id: int) -> None:
    async def add() -> None:
        exists = await MembershipTable.exists().where(
            (MembershipTable.user == user_id) & (MembershipTable.organisation == organisation_id)
        )
        if not exists:
            await MembershipTable.insert(
                MembershipTable(user=user_id, organisation=organisation_id)
            )

    await _write(add)


async def remove_membership(user_id: int, organisation_id: int) -> bool:
    removed = (
        await MembershipTable.delete()
        .where(
            (MembershipTable.user == user_id) & (MembershipTable.organisation == organisation_id)
        )
        .returning(MembershipTable.id)
    )
    return bool(removed)


_TOKEN_COLUMNS = "id, name, prefix, created_at, last_used_at, revoked_at"


def _token(row: Mapping[str, Any]) -> Token:
    return Token(
        id=row["id"],
        name=row["name"],
        prefix=row["prefix"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )


async def insert_token(
    user_id: int, name: str, token_digest: str, prefix: str, now: datetime
) -> Token:
    new = ApiToken(user=user_id, name=name, token_hash=token_digest, prefix=prefix, created_at=now)
    rows = await ApiToken.insert(new).returning(ApiToken.id)
    return Token(rows[0]["id"], name, prefix, now, None, None)


async def tokens_of(user_id: int) -> list[Token]:
    rows = await fetch(
        ApiToken,
        f'SELECT {_TOKEN_COLUMNS} FROM api_tokens WHERE "user" = {{}} ORDER BY id',
        user_id,
    )
    return [_token(row) for row in rows]


async def revoke_token(user_id: int, token_id: int, now: datetime) -> Token | None:
    """The token revoked (at `now`, or when it already was); None if the user has no such
    token."""
    rows = await fetch(
        ApiToken,
        "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, {})"
        f' WHERE id = {{}} AND "user" = {{}} RETURNING {_TOKEN_COLUMNS}',
        now,
        token_id,
        user_id,
    )
    return _token(rows[0]) if rows else None


async def touch_token(token_id: int, now: datetime) -> None:
    """Stamp the token's last use; DatabaseBusy if the write lock is not had within
    TOKEN_STAMP_WAIT_SECONDS."""
    # A writing transaction of one statement all the same: it is what waits less than the
    # engine's timeout, and says so with DatabaseBusy.
    await _write(
        lambda: ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == token_id),
        single_statement=True,
        wait=TOKEN_STAMP_WAIT_SECONDS,
    )
