"""What the scheduled messages read: the requests starting soon, the people who decide
requests, who turned a message off, and which messages are written already."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from booking.core.notifications import OPTIONAL, Kind
from booking.core.rooms import MAX_BUFFER
from booking.core.timespan import TimeSpan
from booking.db.raw import fetch, placeholders
from booking.db.tables import Occurrence, OutboxMessage, UserAccount

# Keys asked about in one statement (SQLite takes at most 32,766 parameters).
_SLICE = 500


async def starting_within(
    window: TimeSpan, booking_statuses: Collection[str], slot_statuses: Collection[str]
) -> list[int]:
    """The requests in `booking_statuses` with a slot in `slot_statuses` that starts within
    `window`, its end included (a message due "48 hours before" is due at 48 hours)."""
    # A slot starts at most a setup buffer after its blocked span does: bounding blocked_from
    # too lets the overlap index answer.
    rows = await fetch(
        Occurrence,
        "SELECT DISTINCT o.booking FROM occurrences o JOIN bookings b ON b.id = o.booking"
        " WHERE o.blocked_from >= {} AND o.blocked_from <= {}"
        " AND o.starts_at >= {} AND o.starts_at <= {}"
        f" AND o.status IN ({placeholders(len(slot_statuses))})"
        f" AND b.status IN ({placeholders(len(booking_statuses))})"
        " ORDER BY o.booking",
        window.start - MAX_BUFFER,
        window.end,
        window.start,
        window.end,
        *slot_statuses,
        *booking_statuses,
    )
    return [row["booking"] for row in rows]


async def turned_off(kind: Kind, user_ids: Iterable[int]) -> set[int]:
    """Those of the accounts that turned `kind` off (a kind nobody may turn off: none)."""
    column = OPTIONAL.get(kind)  # the users' column of the setting
    ids = sorted(set(user_ids))
    if column is None or not ids:
        return set()
    found: set[int] = set()
    for start in range(0, len(ids), _SLICE):
        part = ids[start : start + _SLICE]
        rows = await fetch(
            UserAccount,
            f"SELECT id FROM users WHERE NOT {column} AND id IN ({placeholders(len(part))})",
            *part,
        )
        found |= {row["id"] for row in rows}
    return found


async def written(dedupe_keys: Iterable[str]) -> set[str]:
    """Those of the keys whose message is in the outbox already."""
    keys = sorted(set(dedupe_keys))
    found: set[str] = set()
    for start in range(0, len(keys), _SLICE):
        part = keys[start : start + _SLICE]
        rows = await fetch(
            OutboxMessage,
            f"SELECT dedupe_key FROM outbox WHERE dedupe_key IN ({placeholders(len(part))})",
            *part,
        )
        found |= {row["dedupe_key"] for row in rows}
    return found
