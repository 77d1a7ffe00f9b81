"""Storing and reading account links (core.account_links): made, found by their secret's
digest, used once, revoked. Each runs in the caller's transaction, if any."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from booking.core.account_links import AccountLink, Purpose
from booking.db.raw import fetch
from booking.db.tables import AccountLink as AccountLinkTable

_COLUMNS = 'id, "user", purpose, created_at, expires_at, used_at, revoked_at'


def _link(row: Mapping[str, Any]) -> AccountLink:
    return AccountLink(
        id=row["id"],
        user_id=row["user"],
        purpose=Purpose(row["purpose"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
        revoked_at=row["revoked_at"],
    )


async def insert_link(
    user_id: int, purpose: Purpose, now: datetime, expires_at: datetime
) -> AccountLink:
    """A new link, without its secret's digest yet: the secret is derived from the id and the
    time the row was given, so set_secret_digest follows in the same transaction."""
    rows = await fetch(
        AccountLinkTable,
        'INSERT INTO account_links ("user", purpose, created_at, expires_at, secret_hash)'
        f" VALUES ({{}}, {{}}, {{}}, {{}}, '') RETURNING {_COLUMNS}",
        user_id,
        purpose.value,
        now,
        expires_at,
    )
    return _link(rows[0])


async def set_secret_digest(link_id: int, secret_digest: str) -> None:
    await AccountLinkTable.update({AccountLinkTable.secret_hash: secret_digest}).where(
        AccountLinkTable.id == link_id
    )


async def link_by_digest(secret_digest: str) -> AccountLink | None:
    if not secret_digest:
        return None
    rows = await fetch(
        AccountLinkTable,
        f"SELECT {_COLUMNS} FROM account_links WHERE secret_hash = {{}}",
        secret_digest,
    )
    return _link(rows[0]) if rows else None


async def link_by_id(link_id: int) -> AccountLink | None:
    rows = await fetch(
        AccountLinkTable, f"SELECT {_COLUMNS} FROM account_links WHERE id = {{}}", link_id
    )
    return _link(rows[0]) if rows else None


async def use(link_id: int, now: datetime) -> bool:
    """Mark the link used, if it is still usable and its account active: one statement, so of
    two uses at once only one succeeds."""
    rows = await fetch(
        AccountLinkTable,
        "UPDATE account_links SET used_at = {} WHERE id = {}"
        " AND used_at IS NULL AND revoked_at IS NULL AND expires_at > {}"
        ' AND "user" IN (SELECT id FROM users WHERE active) RETURNING id',
        now,
        link_id,
        now,
    )
    return bool(rows)


async def revoke_open(user_id: int, now: datetime, purpose: Purpose | None = None) -> int:
    """Revoke the user's links not used nor revoked yet (of one purpose, or all); returns how
    many were."""
    condition = "" if purpose is None else " AND purpose = {}"
    rows = await fetch(
        AccountLinkTable,
        'UPDATE account_links SET revoked_at = {} WHERE "user" = {}'
        f" AND used_at IS NULL AND revoked_at IS NULL{condition} RETURNING id",
        now,
        user_id,
        *([] if purpose is None else [purpose.value]),
    )
    return len(rows)
