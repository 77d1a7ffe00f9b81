"""Serialising the writers of one room on PostgreSQL.

Two transactions inserting overlapping holds into the exclusion constraint at the same moment can
each wait for the other's uncommitted row: a deadlock, resolved by PostgreSQL aborting one of
them after a second. A transaction-scoped advisory lock per room, taken in room order before any
write, makes writers of the same room queue instead. SQLite needs nothing: its IMMEDIATE
transaction already serialises every writer.
"""

from __future__ import annotations

from collections.abc import Iterable

from booking.db.engine import is_postgres
from booking.db.raw import fetch
from booking.db.tables import Occurrence

# The first key of the two-key advisory lock, so room locks cannot collide with other locks.
ROOM_LOCK_SPACE = 1


async def lock_rooms(room_ids: Iterable[int]) -> None:
    if not is_postgres(Occurrence._meta.db):
        return
    for room_id in sorted(set(room_ids)):
        await fetch(Occurrence, "SELECT pg_advisory_xact_lock({}, {})", ROOM_LOCK_SPACE, room_id)
