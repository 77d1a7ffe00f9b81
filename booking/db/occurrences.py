"""Queries over occurrences: who occupies which room when."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from booking.core.conflicts import Occupation
from booking.core.requests import MAX_BLOCKED_LENGTH
from booking.core.timespan import TimeSpan
from booking.db.tables import Occurrence

OCCUPATION_COLUMNS = (
    Occurrence.id,
    Occurrence.booking,
    Occurrence.room,
    Occurrence.starts_at,
    Occurrence.ends_at,
    Occurrence.blocked_from,
    Occurrence.blocked_until,
    Occurrence.status,
    Occurrence.booking.title.as_alias("title"),
    Occurrence.booking.is_public.as_alias("is_public"),
)


def occupation(row: dict[str, Any]) -> Occupation:
    return Occupation(
        occurrence_id=row["id"],
        booking_id=row["booking"],
        room_id=row["room"],
        meeting=TimeSpan(row["starts_at"], row["ends_at"]),
        blocked=TimeSpan(row["blocked_from"], row["blocked_until"]),
        status=row["status"],
        public_title=row["title"] if row["is_public"] else None,
    )


async def occupations(
    window: TimeSpan, statuses: Iterable[str], room_ids: Iterable[int] | None = None
) -> list[Occupation]:
    """Occurrences in `statuses` whose blocked span overlaps `window`.

    blocked_from is bounded on both sides (a blocked span is never longer than
    MAX_BLOCKED_LENGTH), so the index scan is short however much history the table holds.
    """
    query = Occurrence.select(*OCCUPATION_COLUMNS).where(
        (Occurrence.blocked_from < window.end)
        & (Occurrence.blocked_from > window.start - MAX_BLOCKED_LENGTH)
        & (Occurrence.blocked_until > window.start)
        & Occurrence.status.is_in(list(statuses))
    )
    if room_ids is not None:
        query = query.where(Occurrence.room.is_in(list(room_ids) or [-1]))
    rows = await query.order_by(Occurrence.blocked_from)
    return [occupation(row) for row in rows]


async def occupied_room_ids(window: TimeSpan, statuses: Iterable[str]) -> set[int]:
    rows = (
        await Occurrence.select(Occurrence.room)
        .where(
            (Occurrence.blocked_from < window.end)
            & (Occurrence.blocked_from > window.start - MAX_BLOCKED_LENGTH)
            & (Occurrence.blocked_until > window.start)
            & Occurrence.status.is_in(list(statuses))
        )
        .distinct()
    )
    return {row["room"] for row in rows}


def hull(spans: Iterable[TimeSpan]) -> TimeSpan:
    items = list(spans)
    start: datetime = min(span.start for span in items)
    end: datetime = max(span.end for span in items)
    return TimeSpan(start, end)
