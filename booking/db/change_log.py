"""The audit trail and the change log: what every change of a request writes besides itself.

One audit row per change (who, when, from which state to which, why) and the change's domain
events, in the transaction that made it: one statement for the audit row, one for all the
events. The statements are built here once, for both ways of writing them: with the request's
id given, or taken from the statement that inserts the request (the one-statement creation on
PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from booking.core.events import Action, Event, HistoryEntry, RecordedEvent
from booking.db.raw import fetch, placeholders
from booking.db.tables import AuditEntry, ChangeLogEntry

SYSTEM = "system"
AUDIT_COLUMNS = (
    "booking, actor, actor_name, at, action, from_status, to_status, version, comment,"
    " changes, details"
)
EVENT_COLUMNS = "booking, version, at, actor, kind, rooms, data"
# A room's stamp moves to the change's time (never back) and counts one more change.
STAMP_CONFLICT = (
    " ON CONFLICT (room) DO UPDATE SET changed_at = CASE"
    " WHEN excluded.changed_at > room_stamps.changed_at THEN excluded.changed_at"
    " ELSE room_stamps.changed_at END, changes = room_stamps.changes + 1"
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One change of one request, as the audit trail and the change log record it."""

    actor_id: int | None
    actor_name: str  # SYSTEM for the service's own changes (a hold lapsing)
    at: datetime
    action: Action
    from_status: str
    to_status: str
    version: int  # the version the request has after the change
    comment: str
    changes: Mapping[str, Any]
    details: Mapping[str, Any]
    events: Sequence[Event]
    rooms: Sequence[int]


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str)


def statements(entry: Entry, booking_id: int | None = None) -> list[tuple[str, str, list[Any]]]:
    """The inserts of the entry's audit row and of all its events, one statement each, as
    (name, statement, parameters): for the request `booking_id`, or, without it, as parts of
    the statement that inserts the request, whose id they select from `b` (a CTE returning it).
    The events' ids follow their order, which is the order the log is read in."""
    audit: list[Any] = [
        entry.actor_id,
        entry.actor_name,
        entry.at,
        entry.action.value,
        entry.from_status,
        entry.to_status,
        entry.version,
        entry.comment,
        _dumps(entry.changes),
        _dumps(entry.details),
    ]
    rooms = _dumps(list(entry.rooms))
    events = [(event.kind.value, _dumps(event.data)) for event in entry.events]
    stamps = _stamps(entry)
    if booking_id is not None:
        found = [
            (
                "audit",
                f"INSERT INTO audit_entries ({AUDIT_COLUMNS}) VALUES ({placeholders(11)})",
                [booking_id, *audit],
            )
        ]
        if events:
            rows = ", ".join(f"({placeholders(7)})" for _ in events)
            values = [entry.version, entry.at, entry.actor_id]
            found.append(
                (
                    "events",
                    f"INSERT INTO change_log ({EVENT_COLUMNS}) VALUES {rows}",
                    [v for kind, data in events for v in (booking_id, *values, kind, rooms, data)],
                )
            )
        return found + stamps
    found = [
        (
            "audit",
            f"INSERT INTO audit_entries ({AUDIT_COLUMNS}) SELECT b.id, {placeholders(10)} FROM b",
            audit,
        )
    ]
    if events:
        # PostgreSQL draws the ids as the rows leave the ORDER BY: in the events' order.
        rows = ", ".join(f"({{}}, {{}}, {number})" for number in range(len(events)))
        found.append(
            (
                "events",
                f"INSERT INTO change_log ({EVENT_COLUMNS})"
                " SELECT b.id, {}, {}, {}, e.kind, {}, e.data::json"
                f" FROM b, (VALUES {rows}) AS e(kind, data, n) ORDER BY e.n",
                [
                    entry.version,
                    entry.at,
                    entry.actor_id,
                    rooms,
                    *(v for kind, data in events for v in (kind, data)),
                ],
            )
        )
    return found + stamps


def stamp_rooms(room_ids: Iterable[int], at: datetime) -> tuple[str, list[Any]] | None:
    """The upsert that counts one more change, at `at`, for each of the rooms, in room order
    (so that two changes of the same rooms wait for each other instead of deadlocking); None
    for no room. Calendar feeds read these stamps (db/feeds.py)."""
    rooms = sorted(set(room_ids))
    if not rooms:
        return None
    rows = ", ".join("({}, {}, 1)" for _ in rooms)
    return (
        f"INSERT INTO room_stamps (room, changed_at, changes) VALUES {rows}{STAMP_CONFLICT}",
        [v for room in rooms for v in (room, at)],
    )


def _stamps(entry: Entry) -> list[tuple[str, str, list[Any]]]:
    found = stamp_rooms(entry.rooms, entry.at)
    return [("stamps", *found)] if found is not None else []


async def record(booking_id: int, entry: Entry) -> None:
    """Write the entry's audit row and events, in the caller's transaction."""
    # Raw SQL: every booking change writes these, and Piccolo's insert costs more than the
    # statement itself.
    for _, sql, values in statements(entry, booking_id):
        await fetch(AuditEntry, sql, *values)


def _loaded(raw: Any) -> Any:
    return json.loads(raw) if isinstance(raw, str) else raw


async def history(booking_id: int) -> list[HistoryEntry]:
    rows = await fetch(
        AuditEntry,
        "SELECT id, actor, actor_name, at, action, from_status, to_status, version, comment,"
        " changes, details FROM audit_entries WHERE booking = {} ORDER BY id",
        booking_id,
    )
    return [
        HistoryEntry(
            id=row["id"],
            at=row["at"],
            actor_id=row["actor"],
            actor_name=row["actor_name"],
            action=row["action"],
            from_status=row["from_status"],
            to_status=row["to_status"],
            version=row["version"],
            comment=row["comment"],
            changes=_loaded(row["changes"]),
            details=_loaded(row["details"]),
        )
        for row in rows
    ]


async def events_of(booking_id: int) -> list[RecordedEvent]:
    """The change log of one request, in order."""
    rows = await fetch(
        ChangeLogEntry,
        "SELECT id, booking, version, kind, actor, rooms, data FROM change_log"
        " WHERE booking = {} ORDER BY id",
        booking_id,
    )
    return _recorded(rows)


async def unrelayed(limit: int) -> list[RecordedEvent]:
    """Events not yet turned into notifications, in order."""
    rows = await fetch(
        ChangeLogEntry,
        "SELECT id, booking, version, kind, actor, rooms, data FROM change_log"
        " WHERE relayed_at IS NULL ORDER BY id LIMIT {}",
        limit,
    )
    return _recorded(rows)


async def unrelayed_of(booking_ids: Collection[int]) -> list[RecordedEvent]:
    """Every event of these requests not yet relayed, in order (the rest of a change whose
    first events a batch took)."""
    ids = sorted(booking_ids)
    if not ids:
        return []
    rows = await fetch(
        ChangeLogEntry,
        "SELECT id, booking, version, kind, actor, rooms, data FROM change_log"
        f" WHERE relayed_at IS NULL AND booking IN ({placeholders(len(ids))}) ORDER BY id",
        *ids,
    )
    return _recorded(rows)


async def mark_relayed(positions: Sequence[int], now: datetime) -> None:
    for start in range(0, len(positions), 500):
        part = positions[start : start + 500]
        await fetch(
            ChangeLogEntry,
            f"UPDATE change_log SET relayed_at = {{}} WHERE id IN ({placeholders(len(part))})",
            now,
            *part,
        )


def _recorded(rows: list[dict[str, Any]]) -> list[RecordedEvent]:
    return [
        RecordedEvent(
            position=row["id"],
            booking_id=row["booking"],
            version=row["version"],
            kind=Action(row["kind"]),
            actor_id=row["actor"],
            rooms=tuple(_loaded(row["rooms"])),
            data=_loaded(row["data"]),
        )
        for row in rows
    ]
