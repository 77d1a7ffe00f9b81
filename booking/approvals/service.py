"""Approving a pending request: exactly one of several overlapping requests can win."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piccolo.engine.base import Engine

from booking.bookings.conflict_report import conflict_error, current_conflicts
from booking.bookings.schemas import BookingView
from booking.bookings.views import load_booking_view
from booking.core.conflicts import Conflict, Placement
from booking.core.errors import NotFound, StaleVersion, TransitionNotAllowed
from booking.core.timespan import TimeSpan
from booking.core.workflow import Status, check_can_approve
from booking.db import bookings, catalogue
from booking.db.room_locks import lock_rooms
from booking.db.transactions import in_writing_transaction, is_exclusion_violation


class _Collision(Exception):
    def __init__(self, conflicts: list[Conflict], attendance: int) -> None:
        super().__init__("collision")
        self.conflicts = conflicts
        self.attendance = attendance


def _placements(occurrence_rows: list[dict[str, Any]]) -> list[Placement]:
    return [
        Placement(
            o["room"],
            TimeSpan(o["starts_at"], o["ends_at"]),
            TimeSpan(o["blocked_from"], o["blocked_until"]),
        )
        for o in occurrence_rows
        if o["status"] == Status.PENDING
    ]


async def approve_booking(
    engine: Engine, booking_id: int, version: int, now: datetime
) -> BookingView:
    """Approve `booking_id` as seen at `version`; its occurrences then hold their rooms."""

    async def approve() -> None:
        row = await bookings.booking_row(booking_id)
        if row is None:
            raise NotFound("booking")
        if row["version"] != version:
            raise StaleVersion(current=None)
        check_can_approve(row["status"])
        placements = _placements(await bookings.occurrence_rows([booking_id]))
        await lock_rooms(engine, (p.room_id for p in placements))
        conflicts = await current_conflicts(placements, ignore_booking=booking_id)
        if conflicts:
            raise _Collision(conflicts, row["expected_attendance"])
        if not await bookings.set_status(booking_id, version, Status.APPROVED, now):
            raise StaleVersion(current=None)
        await bookings.set_occurrence_status(booking_id, [Status.PENDING], Status.APPROVED)

    try:
        await in_writing_transaction(engine, approve)
    except (StaleVersion, TransitionNotAllowed) as exc:
        exc.current = await load_booking_view(booking_id)
        raise
    except _Collision as collision:
        raise await _explained(collision.conflicts, collision.attendance, now) from None
    except Exception as exc:
        if not is_exclusion_violation(exc):
            raise
        # A concurrent approval of an overlapping request committed first (PostgreSQL only).
        view = await load_booking_view(booking_id)
        assert view is not None
        occurrence_rows = await bookings.occurrence_rows([booking_id])
        conflicts = await current_conflicts(_placements(occurrence_rows), ignore_booking=booking_id)
        raise await _explained(conflicts, view.expected_attendance, now) from None
    view = await load_booking_view(booking_id)
    assert view is not None
    return view


async def _explained(conflicts: list[Conflict], attendance: int, now: datetime) -> Exception:
    rooms = await catalogue.rooms_by_id(c.wanted.room_id for c in conflicts)
    return await conflict_error(conflicts, rooms, attendance, now)
