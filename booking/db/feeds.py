"""What the calendar feeds read: the dates in a window, the stamps that say whether anything
changed, and the requests of a private feed's scope."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from booking.core.feeds import FeedDate
from booking.core.requests import MAX_BLOCKED_LENGTH
from booking.core.timespan import TimeSpan
from booking.core.workflow import Status, status_at
from booking.db import change_log
from booking.db.raw import fetch, placeholders
from booking.db.tables import BookingRequest, Occurrence, RoomStamp

_DATES_SQL = (
    "SELECT o.booking, o.room, o.starts_at, o.ends_at, o.status, b.version, b.updated_at,"
    " b.title, b.description, b.is_public, b.status AS booking_status, b.hold_until,"
    " COALESCE(g.name, '') AS organisation_name"
    " FROM occurrences o JOIN bookings b ON b.id = o.booking"
    " LEFT JOIN organisations g ON g.id = b.organisation"
    # In the window: blocked_from is bounded on both sides, so the index on it is used.
    " WHERE o.blocked_from < {} AND o.blocked_from > {} AND o.ends_at > {}"
)


@dataclass(frozen=True, slots=True)
class Stamp:
    """How many changes the rooms of a feed have seen, and when the last was."""

    changes: int
    changed_at: datetime | None


def _dates(rows: Iterable[dict[str, Any]], states: frozenset[str], now: datetime) -> list[FeedDate]:
    found = []
    for row in rows:
        status = str(status_at(row["status"], row["hold_until"], now))
        if status not in states:
            continue
        found.append(
            FeedDate(
                booking_id=row["booking"],
                version=row["version"],
                changed_at=row["updated_at"],
                title=row["title"],
                description=row["description"],
                organisation_name=row["organisation_name"],
                is_public=bool(row["is_public"]),
                booking_status=str(status_at(row["booking_status"], row["hold_until"], now)),
                room_id=row["room"],
                start=row["starts_at"],
                end=row["ends_at"],
                status=status,
            )
        )
    return found


def stored_moment(raw: Any) -> datetime | None:
    """An aggregate's timestamp: SQLite hands MAX() of a timestamp back as its stored text."""
    if raw is None or isinstance(raw, datetime):
        return raw
    return datetime.fromisoformat(str(raw)).astimezone(UTC)


def _window(window: TimeSpan) -> list[Any]:
    return [window.end, window.start - MAX_BLOCKED_LENGTH, window.start]


def _stored(states: frozenset[str]) -> list[str]:
    """The stored states to read for `states` as of a moment: a held slot may have lapsed."""
    wanted = set(states)
    if Status.PENDING.value in wanted:
        wanted.add(Status.HELD.value)
    return sorted(wanted)


async def dates_in_rooms(
    room_ids: Sequence[int], window: TimeSpan, states: frozenset[str], now: datetime
) -> list[FeedDate]:
    rooms = sorted(set(room_ids)) or [-1]
    stored = _stored(states)
    rows = await fetch(
        Occurrence,
        f"{_DATES_SQL} AND o.room IN ({placeholders(len(rooms))})"
        f" AND o.status IN ({placeholders(len(stored))}) ORDER BY o.starts_at, o.id",
        *_window(window),
        *rooms,
        *stored,
    )
    return _dates(rows, states, now)


async def public_dates(
    room_ids: Sequence[int] | None, window: TimeSpan, now: datetime
) -> list[FeedDate]:
    """The approved dates of public requests, in `room_ids` (None: every room)."""
    sql = f"{_DATES_SQL} AND o.status = {{}} AND b.is_public = {{}}"
    args: list[Any] = [*_window(window), Status.APPROVED.value, True]
    if room_ids is not None:
        rooms = sorted(set(room_ids)) or [-1]
        sql += f" AND o.room IN ({placeholders(len(rooms))})"
        args += rooms
    rows = await fetch(Occurrence, sql + " ORDER BY o.starts_at, o.id", *args)
    return _dates(rows, frozenset({Status.APPROVED.value}), now)


async def dates_of_bookings(
    booking_ids: Sequence[int], window: TimeSpan, states: frozenset[str], now: datetime
) -> list[FeedDate]:
    ids = sorted(set(booking_ids))
    if not ids:
        return []
    stored = _stored(states)
    rows = await fetch(
        Occurrence,
        f"{_DATES_SQL} AND o.booking IN ({placeholders(len(ids))})"
        f" AND o.status IN ({placeholders(len(stored))}) ORDER BY o.starts_at, o.id",
        *_window(window),
        *ids,
        *stored,
    )
    return _dates(rows, states, now)


async def stamp(room_ids: Sequence[int] | None) -> Stamp:
    """The changes seen by `room_ids` (None: every room)."""
    sql = "SELECT COALESCE(SUM(changes), 0) AS changes, MAX(changed_at) AS at FROM room_stamps"
    args: list[Any] = []
    if room_ids is not None:
        rooms = sorted(set(room_ids)) or [-1]
        sql += f" WHERE room IN ({placeholders(len(rooms))})"
        args = rooms
    rows = await fetch(RoomStamp, sql, *args)
    return Stamp(int(rows[0]["changes"]), stored_moment(rows[0]["at"]))


async def touch_rooms(room_ids: Iterable[int], at: datetime) -> None:
    """Count a change of the rooms themselves (a new name), in the caller's transaction."""
    found = change_log.stamp_rooms(room_ids, at)
    if found is not None:
        sql, values = found
        await fetch(RoomStamp, sql, *values)


LAPSED_HOLD_SQL = "SELECT MAX(hold_until) FROM bookings WHERE status = {} AND hold_until <= {}"


async def latest_lapsed_hold(now: datetime) -> datetime | None:
    """When the latest hold whose time is up, and that no sweep has lapsed yet, ended: a feed
    stops showing such a hold at that moment, before any change is written."""
    rows = await fetch(
        BookingRequest, f"SELECT ({LAPSED_HOLD_SQL}) AS until", Status.HELD.value, now
    )
    return stored_moment(rows[0]["until"])


async def versions_of_requests(
    requested_by: int | None = None,
    contact_email: str | None = None,
    organisation_id: int | None = None,
) -> list[tuple[int, int]]:
    """(id, version) of every request a user asked for or is the contact of, or of every
    request of an organisation, in any state."""
    if organisation_id is not None:
        rows = await fetch(
            BookingRequest,
            "SELECT id, version FROM bookings WHERE organisation = {} ORDER BY id",
            organisation_id,
        )
    else:
        rows = await fetch(
            BookingRequest,
            "SELECT id, version FROM bookings WHERE requested_by = {}"
            " OR lower(contact_email) = {} ORDER BY id",
            requested_by,
            (contact_email or "").lower(),
        )
    return [(row["id"], row["version"]) for row in rows]
