"""Importing blackouts from an iCalendar file, e.g. the university's academic calendar."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.blackouts.closures import Affected, affected, scope
from booking.calendars.parsing import parse_calendar
from booking.core.booking_rules import Blackout
from booking.db import blackouts
from booking.db.transactions import in_writing_transaction


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    removed: int  # blackouts of events the calendar now marks cancelled
    blackouts: list[Blackout]
    zone: ZoneInfo
    affected: list[Affected]


async def import_calendar(
    engine: Engine,
    user: CurrentUser,
    raw: bytes,
    where: tuple[int | None, int | None],
    default_zone: ZoneInfo,
    now: datetime,
) -> ImportResult:
    """Blackouts from an iCalendar file, one per event, for `where` (building, room; both
    None: everywhere); importing it again changes nothing, an event whose time or summary
    changed updates its blackout, and one the calendar now marks cancelled removes it."""
    building, room = where
    closing = await scope(user.actor, building, room, default_zone)
    # Parsing thousands of events takes a while; the server goes on answering meanwhile.
    parsed = await asyncio.to_thread(parse_calendar, raw, closing.zone)
    entries = parsed.events
    counts = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    ids: dict[str, int] = {}

    async def store() -> None:
        uids = [uid for uid, _, _ in entries]
        existing = await blackouts.imported_all([*uids, *parsed.cancelled], building, room)
        gone = [existing[uid].id for uid in parsed.cancelled if uid in existing]
        await blackouts.delete_blackouts(gone)
        counts["removed"] = len(gone)
        for uid, span, reason in entries:
            before = existing.get(uid)
            if before is None:
                continue
            ids[uid] = before.id
            if before.span == span and before.reason == reason:
                counts["unchanged"] += 1
            else:
                await blackouts.update_blackout(before.id, span, reason)
                counts["updated"] += 1
        new = [entry for entry in entries if entry[0] not in existing]
        ids.update(await blackouts.insert_imported(new, building, room, now))
        counts["created"] = len(new)

    await in_writing_transaction(engine, store)
    stored = await blackouts.blackouts_by_id(list(ids.values()))
    return ImportResult(
        **counts,
        blackouts=[stored[ids[uid]] for uid, _, _ in entries if ids[uid] in stored],
        zone=closing.zone,
        affected=await affected([span for _, span, _ in entries], closing.places, now),
    )
