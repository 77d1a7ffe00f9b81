"""Reading booking requests with their slots, one or a filtered list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from booking.core.booking import Booking, Slot
from booking.core.requests import MAX_BLOCKED_LENGTH
from booking.core.timespan import TimeSpan
from booking.core.workflow import LAPSED_HOLD, SUPERSEDED, Status
from booking.db.booking_records import (
    BOOKING_COLUMNS,
    BOOKING_FROM,
    OCCURRENCE_COLUMNS,
    OCCURRENCE_FROM,
    booking,
    slot,
)
from booking.db.engine import is_postgres
from booking.db.raw import fetch, placeholders
from booking.db.tables import BookingRequest, Occurrence, Organisation


async def slots_of(booking_ids: Iterable[int]) -> dict[int, list[Slot]]:
    """Every slot of each request, superseded ones included, in time order."""
    ids = sorted(set(booking_ids))
    found: dict[int, list[Slot]] = {i: [] for i in ids}
    if not ids:
        return found
    rows = await fetch(
        Occurrence,
        f"SELECT {OCCURRENCE_COLUMNS} FROM {OCCURRENCE_FROM}"
        f" WHERE o.booking IN ({placeholders(len(ids))}) ORDER BY o.starts_at, o.id",
        *ids,
    )
    for row in rows:
        found[row["booking"]].append(slot(row))
    return found


async def _bookings(rows: list[dict[str, Any]]) -> list[Booking]:
    slots = await slots_of(row["id"] for row in rows)
    return [booking(row, slots[row["id"]]) for row in rows]


async def load_booking(booking_id: int) -> Booking | None:
    found = await load_bookings([booking_id])
    return found[0] if found else None


async def load_bookings(booking_ids: Sequence[int]) -> list[Booking]:
    """The requests with these ids, in the order given (those that exist)."""
    ids = list(dict.fromkeys(booking_ids))
    if not ids:
        return []
    rows = await fetch(
        BookingRequest,
        f"SELECT {BOOKING_COLUMNS} FROM {BOOKING_FROM} WHERE b.id IN ({placeholders(len(ids))})",
        *ids,
    )
    by_id = {b.id: b for b in await _bookings(rows)}
    return [by_id[i] for i in ids if i in by_id]


async def lock_booking(booking_id: int) -> None:
    """Wait for, then hold, the booking's row until the transaction ends. (On SQLite, the
    writing transaction already holds the whole database.)"""
    if is_postgres(BookingRequest._meta.db):
        await fetch(BookingRequest, "SELECT id FROM bookings WHERE id = {} FOR UPDATE", booking_id)


async def expired_holds(now: datetime) -> list[int]:
    rows = await fetch(
        BookingRequest,
        "SELECT id FROM bookings WHERE hold_until <= {} AND status = {} ORDER BY id",
        now,
        Status.HELD.value,
    )
    return [row["id"] for row in rows]


@dataclass(frozen=True, slots=True)
class Visibility:
    """A requester sees what they asked for, what their organisations asked for, and public
    requests; an approver also every request for a room they manage. None instead of a
    Visibility means everything (the roles that span the university)."""

    user_id: int
    organisations: frozenset[int]
    managed_rooms: frozenset[int] = frozenset()
    managed_buildings: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class BookingFilter:
    visible_to: Visibility | None
    as_of: datetime  # a hold whose time is up by then counts as pending
    mine: Visibility | None = None
    statuses: Sequence[str] = ()
    awaiting_decision: bool = False
    approver_rooms: frozenset[int] | None = None
    approver_buildings: frozenset[int] = frozenset()
    room_id: int | None = None
    building_id: int | None = None
    organisation_code: str | None = None
    window: TimeSpan | None = None
    limit: int | None = 50  # None: every one (and no offset)
    offset: int = 0


def _current_slots() -> Any:
    return Occurrence.select(Occurrence.booking).where(Occurrence.status != SUPERSEDED)


def _with_status(statuses: Sequence[str], now: datetime) -> Any:
    """Requests in `statuses` as they stand at `now` (core.workflow.status_at, in SQL): a hold
    whose time is up has lapsed."""
    held = BookingRequest.status == Status.HELD.value
    condition: Any = BookingRequest.status.is_in([s for s in statuses if s != Status.HELD] or ["-"])
    if Status.HELD in statuses:
        condition = condition | (held & (BookingRequest.hold_until > now))
    if LAPSED_HOLD in statuses:
        condition = condition | (held & (BookingRequest.hold_until <= now))
    return condition


async def find_bookings(criteria: BookingFilter) -> list[Booking]:
    # The columns booking_records.booking reads (BOOKING_COLUMNS), the filtered rows themselves.
    query = BookingRequest.select(
        *BookingRequest.all_columns(),
        BookingRequest.organisation.code.as_alias("organisation_code"),
        BookingRequest.organisation.kind.as_alias("organisation_kind"),
        BookingRequest.requested_by.display_name.as_alias("requested_by_name"),
    )
    if criteria.visible_to is not None:
        seen = criteria.visible_to
        visible = _theirs(seen) | (BookingRequest.is_public == True)  # noqa: E712
        if seen.managed_rooms or seen.managed_buildings:
            in_managed = _in_rooms(seen.managed_rooms, seen.managed_buildings)
            visible = visible | BookingRequest.id.is_in(_current_slots().where(in_managed))
        query = query.where(visible)
    if criteria.mine is not None:
        query = query.where(_theirs(criteria.mine))
    if criteria.awaiting_decision:
        query = query.where(
            BookingRequest.status.is_in([Status.PENDING.value, Status.HELD.value])
            | (
                (BookingRequest.status == Status.APPROVED.value)
                & (BookingRequest.change_pending == True)  # noqa: E712
            )
        )
    if criteria.approver_rooms is not None:
        in_theirs = _in_rooms(criteria.approver_rooms, criteria.approver_buildings)
        query = query.where(BookingRequest.id.is_in(_current_slots().where(in_theirs)))
    if criteria.statuses:
        query = query.where(_with_status(criteria.statuses, criteria.as_of))
    if criteria.organisation_code is not None:
        query = query.where(
            BookingRequest.organisation.id.is_in(
                Organisation.select(Organisation.id).where(
                    Organisation.code == criteria.organisation_code
                )
            )
        )
    occurrence_filter = _occurrence_filter(criteria)
    if occurrence_filter is not None:
        query = query.where(BookingRequest.id.is_in(occurrence_filter))
    query = query.order_by(BookingRequest.id, ascending=False)
    if criteria.limit is not None:
        # (SQLite takes an offset only after a limit.)
        query = query.limit(criteria.limit).offset(criteria.offset)
    rows = await query
    return await _bookings(rows)


def _in_rooms(rooms: Iterable[int], buildings: Iterable[int]) -> Any:
    """An occurrence in one of `rooms`, or in a room of one of `buildings` (an approver's)."""
    return Occurrence.room.is_in(sorted(rooms) or [-1]) | Occurrence.room.building.is_in(
        sorted(buildings) or [-1]
    )


def _theirs(who: Visibility) -> Any:
    condition: Any = BookingRequest.requested_by == who.user_id
    if who.organisations:
        condition = condition | BookingRequest.organisation.is_in(sorted(who.organisations))
    return condition


def _occurrence_filter(criteria: BookingFilter) -> Any:
    if criteria.room_id is None and criteria.building_id is None and criteria.window is None:
        return None
    query = _current_slots()
    if criteria.room_id is not None:
        query = query.where(Occurrence.room == criteria.room_id)
    if criteria.building_id is not None:
        query = query.where(Occurrence.room.building == criteria.building_id)
    if criteria.window is not None:
        window = criteria.window
        query = query.where(
            (Occurrence.blocked_from < window.end)
            & (Occurrence.blocked_from > window.start - MAX_BLOCKED_LENGTH)
            & (Occurrence.ends_at > window.start)
        )
    return query
