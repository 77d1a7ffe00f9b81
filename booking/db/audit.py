"""The audit trail: one row per transition or edit, written in the transaction that made it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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
    await AuditEntry.insert(
        AuditEntry(
            booking=entry.booking_id,
            actor=entry.actor_id,
            actor_name=entry.actor_name,
            at=entry.at,
            action=entry.action,
            from_status=entry.from_status,
            to_status=entry.to_status,
            version=entry.version,
            comment=entry.comment,
            changes=json.dumps(entry.changes, default=str),
            details=json.dumps(entry.details, default=str),
        )
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
