"""The audit trail: one row per transition or edit, written in the transaction that made it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from booking.db.raw import fetch, placeholders
from booking.db.tables import AuditEntry


@dataclass(frozen=True, slots=True)
class Entry:
    booking_id: int
    actor_id: int | None
    actor_name: str
    at: datetime
    action: str
    from_status: str
    to_status: str
    version: int
    comment: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


async def record(entry: Entry) -> None:
    # Raw SQL: every booking change writes one, and Piccolo's insert costs more than the rest
    # of the statement.
    await fetch(
        AuditEntry,
        "INSERT INTO audit_entries (booking, actor, actor_name, at, action, from_status,"
        f" to_status, version, comment, changes, details) VALUES ({placeholders(11)})",
        entry.booking_id,
        entry.actor_id,
        entry.actor_name,
        entry.at,
        entry.action,
        entry.from_status,
        entry.to_status,
        entry.version,
        entry.comment,
        json.dumps(entry.changes, default=str),
        json.dumps(entry.details, default=str),
    )


async def history(booking_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await AuditEntry.select(*AuditEntry.all_columns())
        .where(AuditEntry.booking == booking_id)
        .order_by(AuditEntry.id)
    )
    for row in rows:
        for name in ("changes", "details"):
            if isinstance(row[name], str):
                row[name] = json.loads(row[name])
    return rows
