"""Storing feed tokens: made, found by digest, listed, revoked, and what each last served."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from booking.core.feeds import FeedKind, FeedToken
from booking.db.raw import fetch
from booking.db.tables import FeedToken as FeedTokenTable
from booking.db.transactions import in_writing_transaction

_COLUMNS = (
    'id, "user", kind, organisation, prefix, created_at, revoked_at, served_etag, served_since'
)


def _token(row: Mapping[str, Any]) -> FeedToken:
    return FeedToken(
        id=row["id"],
        user_id=row["user"],
        kind=FeedKind(row["kind"]),
        organisation_id=row["organisation"],
        prefix=row["prefix"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        served_etag=row["served_etag"],
        served_since=row["served_since"],
    )


async def insert(
    user_id: int,
    kind: FeedKind,
    organisation_id: int | None,
    token_digest: str,
    prefix: str,
    now: datetime,
    replacing: int | None = None,
) -> FeedToken:
    """A new token; with `replacing`, the user's token it rotates is revoked in the same
    transaction."""

    async def write() -> FeedToken:
        if replacing is not None:
            await fetch(
                FeedTokenTable,
                "UPDATE feed_tokens SET revoked_at = COALESCE(revoked_at, {})"
                ' WHERE id = {} AND "user" = {}',
                now,
                replacing,
                user_id,
            )
        rows = await fetch(
            FeedTokenTable,
            'INSERT INTO feed_tokens ("user", kind, organisation, token_hash, prefix,'
            " created_at, served_etag) VALUES ({}, {}, {}, {}, {}, {}, '')"
            f" RETURNING {_COLUMNS}",
            user_id,
            kind.value,
            organisation_id,
            token_digest,
            prefix,
            now,
        )
        return _token(rows[0])

    return await in_writing_transaction(FeedTokenTable._meta.db, write)


async def by_digest(token_digest: str) -> FeedToken | None:
    rows = await fetch(
        FeedTokenTable,
        f"SELECT {_COLUMNS} FROM feed_tokens WHERE token_hash = {{}}",
        token_digest,
    )
    return _token(rows[0]) if rows else None


async def of_user(user_id: int) -> list[FeedToken]:
    rows = await fetch(
        FeedTokenTable,
        f'SELECT {_COLUMNS} FROM feed_tokens WHERE "user" = {{}} AND revoked_at IS NULL'
        " ORDER BY id",
        user_id,
    )
    return [_token(row) for row in rows]


async def one_of_user(user_id: int, token_id: int) -> FeedToken | None:
    rows = await fetch(
        FeedTokenTable,
        f'SELECT {_COLUMNS} FROM feed_tokens WHERE id = {{}} AND "user" = {{}}',
        token_id,
        user_id,
    )
    return _token(rows[0]) if rows else None


async def revoke(user_id: int, token_id: int, now: datetime) -> FeedToken | None:
    async def write() -> FeedToken | None:
        rows = await fetch(
            FeedTokenTable,
            "UPDATE feed_tokens SET revoked_at = COALESCE(revoked_at, {})"
            f' WHERE id = {{}} AND "user" = {{}} RETURNING {_COLUMNS}',
            now,
            token_id,
            user_id,
        )
        return _token(rows[0]) if rows else None

    return await in_writing_transaction(FeedTokenTable._meta.db, write)


async def mark_served(token_id: int, etag: str, since: datetime) -> None:
    """Remember the validator the feed answers with from now on, and since when."""

    async def write() -> None:
        await fetch(
            FeedTokenTable,
            "UPDATE feed_tokens SET served_etag = {}, served_since = {} WHERE id = {}",
            etag,
            since,
            token_id,
        )

    await in_writing_transaction(FeedTokenTable._meta.db, write, single_statement=True)
