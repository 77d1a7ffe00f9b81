"""The outbox: e-mails written in the transaction of what caused them, delivered after it.

A message is pending until a delivery claims it (sending, for the length of a lease), then sent,
pending again with a later due time (the server could not take it now), or failed (refused, or
out of attempts). An administrator retries a failed message or discards it with a reason.
Claiming is one statement, so two deliveries of the same message never both send it; a
delivery whose lease ran out (its worker was killed) is claimed again by the next.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from booking.db.raw import fetch, placeholders
from booking.db.tables import OutboxMessage


class Delivery(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DISCARDED = "discarded"


@dataclass(frozen=True, slots=True)
class NewMessage:
    kind: str
    dedupe_key: str
    address: str
    name: str
    language: str
    message_id: str
    booking_id: int | None = None
    change_position: int | None = None
    recipient_id: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredMessage:
    id: int
    kind: str
    dedupe_key: str
    booking_id: int | None
    change_position: int | None
    recipient_id: int | None
    address: str
    name: str
    language: str
    data: Mapping[str, Any]
    message_id: str
    status: Delivery
    attempts: int
    due_at: datetime
    lease_until: datetime | None
    created_at: datetime
    sent_at: datetime | None
    last_error: str
    discarded_reason: str


@dataclass(frozen=True, slots=True)
class Due:
    """A message a delivery should be handed over for, and what names this attempt."""

    id: int
    attempts: int
    due_at: datetime


_COLUMNS = (
    "kind, dedupe_key, booking, change_position, recipient, address, name, language, data,"
    " message_id, status, attempts, due_at, created_at"
)


def _stored(row: Mapping[str, Any]) -> StoredMessage:
    data = row["data"]
    return StoredMessage(
        id=row["id"],
        kind=row["kind"],
        dedupe_key=row["dedupe_key"],
        booking_id=row["booking"],
        change_position=row["change_position"],
        recipient_id=row["recipient"],
        address=row["address"],
        name=row["name"],
        language=row["language"],
        data=json.loads(data) if isinstance(data, str) else data,
        message_id=row["message_id"],
        status=Delivery(row["status"]),
        attempts=row["attempts"],
        due_at=row["due_at"],
        lease_until=row["lease_until"],
        created_at=row["created_at"],
        sent_at=row["sent_at"],
        last_error=row["last_error"],
        discarded_reason=row["discarded_reason"],
    )


async def add(messages: Sequence[NewMessage], now: datetime) -> list[Due]:
    """Write the messages, due now, in the caller's transaction; one already written for the
    same cause (its dedupe key) is left as it is. Returns those written."""
    written: list[Due] = []
    # In slices: SQLite takes at most 32,766 parameters in a statement.
    for start in range(0, len(messages), 500):
        part = messages[start : start + 500]
        rows = ", ".join(f"({placeholders(14)})" for _ in part)
        values = [
            v
            for m in part
            for v in (
                m.kind,
                m.dedupe_key,
                m.booking_id,
                m.change_position,
                m.recipient_id,
                m.address,
                m.name,
                m.language,
                json.dumps(m.data, default=str),
                m.message_id,
                Delivery.PENDING.value,
                0,
                now,
                now,
            )
        ]
        found = await fetch(
            OutboxMessage,
            f"INSERT INTO outbox ({_COLUMNS}) VALUES {rows}"
            " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
            *values,
        )
        written += [Due(row["id"], 0, now) for row in found]
    return written


async def claim(
    message_id: int, now: datetime, lease_until: datetime, due_by: datetime | None = None
) -> StoredMessage | None:
    """Take the message for one attempt, if it is due by `due_by` (`now` if None) and nobody
    else has it; None otherwise (sent already, failed, not yet due, or being sent under a
    lease that still runs)."""
    rows = await fetch(
        OutboxMessage,
        "UPDATE outbox SET status = {}, attempts = attempts + 1, lease_until = {}"
        " WHERE id = {} AND ((status = {} AND due_at <= {}) OR (status = {} AND lease_until <= {}))"
        " RETURNING *",
        Delivery.SENDING.value,
        lease_until,
        message_id,
        Delivery.PENDING.value,
        due_by or now,
        Delivery.SENDING.value,
        now,
    )
    return _stored(rows[0]) if rows else None


async def _finish(message_id: int, attempts: int, sets: str, *values: Any) -> bool:
    # Only the attempt that claimed the message finishes it: a delivery whose lease ran out and
    # that another took over leaves the row to the other.
    rows = await fetch(
        OutboxMessage,
        f"UPDATE outbox SET {sets} WHERE id = {{}} AND status = {{}} AND attempts = {{}}"
        " RETURNING id",
        *values,
        message_id,
        Delivery.SENDING.value,
        attempts,
    )
    return bool(rows)


async def mark_sent(message: StoredMessage, now: datetime) -> bool:
    return await _finish(
        message.id,
        message.attempts,
        "status = {}, sent_at = {}, lease_until = NULL, last_error = ''",
        Delivery.SENT.value,
        now,
    )


async def mark_deferred(message: StoredMessage, due_at: datetime, reason: str) -> bool:
    return await _finish(
        message.id,
        message.attempts,
        "status = {}, due_at = {}, lease_until = NULL, last_error = {}",
        Delivery.PENDING.value,
        due_at,
        reason,
    )


async def mark_failed(message: StoredMessage, reason: str, now: datetime) -> bool:
    return await _finish(
        message.id,
        message.attempts,
        "status = {}, lease_until = NULL, last_error = {}, failed_at = {}",
        Delivery.FAILED.value,
        reason,
        now,
    )


async def mark_discarded_while_sending(message: StoredMessage, reason: str) -> bool:
    """A message with nothing left to say (its request is gone) is discarded by its delivery."""
    return await _finish(
        message.id,
        message.attempts,
        "status = {}, lease_until = NULL, discarded_reason = {}",
        Delivery.DISCARDED.value,
        reason,
    )


async def due(now: datetime, limit: int = 1000) -> list[Due]:
    """Messages that should be on their way: pending and due, or sending under a lease that ran
    out. The sweep hands them over again."""
    rows = await fetch(
        OutboxMessage,
        "SELECT id, attempts, due_at FROM outbox WHERE (status = {} AND due_at <= {})"
        " OR (status = {} AND lease_until <= {}) ORDER BY due_at, id LIMIT {}",
        Delivery.PENDING.value,
        now,
        Delivery.SENDING.value,
        now,
        limit,
    )
    return [Due(row["id"], row["attempts"], row["due_at"]) for row in rows]


async def next_due_at() -> datetime | None:
    """When the next pending message falls due (the in-process runner sleeps until then)."""
    rows = await fetch(
        OutboxMessage,
        "SELECT min(due_at) AS due FROM outbox WHERE status = {}",
        Delivery.PENDING.value,
    )
    found = rows[0]["due"] if rows else None
    if isinstance(found, str):  # SQLite's min() of a timestamp is its text
        return datetime.fromisoformat(found)
    return found


async def message(message_id: int) -> StoredMessage | None:
    rows = await fetch(OutboxMessage, "SELECT * FROM outbox WHERE id = {}", message_id)
    return _stored(rows[0]) if rows else None


async def listed(
    statuses: Sequence[str], booking_id: int | None, limit: int, offset: int
) -> list[StoredMessage]:
    """The messages in these states (every state if none), newest first."""
    where: list[str] = []
    values: list[Any] = []
    if statuses:
        where.append(f"status IN ({placeholders(len(statuses))})")
        values += list(statuses)
    if booking_id is not None:
        where.append("booking = {}")
        values.append(booking_id)
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    rows = await fetch(
        OutboxMessage,
        f"SELECT * FROM outbox{condition} ORDER BY id DESC LIMIT {{}} OFFSET {{}}",
        *values,
        limit,
        offset,
    )
    return [_stored(row) for row in rows]


async def counts() -> dict[str, int]:
    rows = await fetch(OutboxMessage, "SELECT status, count(*) AS n FROM outbox GROUP BY status")
    return {row["status"]: row["n"] for row in rows}


async def retry(message_id: int, now: datetime) -> StoredMessage | None:
    """A failed message back to pending, due now, with its attempts counted afresh."""
    rows = await fetch(
        OutboxMessage,
        "UPDATE outbox SET status = {}, attempts = 0, due_at = {}, lease_until = NULL"
        " WHERE id = {} AND status = {} RETURNING *",
        Delivery.PENDING.value,
        now,
        message_id,
        Delivery.FAILED.value,
    )
    return _stored(rows[0]) if rows else None


async def discard(message_id: int, reason: str) -> StoredMessage | None:
    """A failed or pending message given up, with the administrator's reason."""
    rows = await fetch(
        OutboxMessage,
        "UPDATE outbox SET status = {}, discarded_reason = {}, lease_until = NULL"
        " WHERE id = {} AND status IN ({}, {}) RETURNING *",
        Delivery.DISCARDED.value,
        reason,
        message_id,
        Delivery.FAILED.value,
        Delivery.PENDING.value,
    )
    return _stored(rows[0]) if rows else None


async def failed_since(since: datetime) -> list[StoredMessage]:
    rows = await fetch(
        OutboxMessage,
        "SELECT * FROM outbox WHERE status = {} AND failed_at >= {} ORDER BY id",
        Delivery.FAILED.value,
        since,
    )
    return [_stored(row) for row in rows]


async def purge_delivered(before: datetime) -> int:
    """Forget messages sent or discarded before `before`."""
    rows = await fetch(
        OutboxMessage,
        "DELETE FROM outbox WHERE status IN ({}, {}) AND created_at < {} RETURNING id",
        Delivery.SENT.value,
        Delivery.DISCARDED.value,
        before,
    )
    return len(rows)
