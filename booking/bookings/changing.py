"""Running a change of one booking: one writing transaction, and every way it can fail turned
into an answer that says what the booking looks like now."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from piccolo.engine.base import Engine

from booking.accounts.authentication import CurrentUser
from booking.approvals.holds import sweep_expired_holds
from booking.bookings.conflict_report import conflict_error, current_conflicts
from booking.bookings.schemas import BookingView
from booking.bookings.views import load_booking_view
from booking.core.conflicts import Conflict, Placement
from booking.core.errors import NotFound, StaleVersion, TransitionNotAllowed
from booking.db import catalogue
from booking.db.transactions import in_writing_transaction, is_exclusion_violation


class Collision(Exception):
    """The slots asked for are held by another booking (raised inside the transaction)."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__("collision")
        self.conflicts = conflicts


@dataclass
class Claim:
    """What the change tries to hold, so a refusal by the database can be explained."""

    placements: list[Placement] = field(default_factory=list)
    attendance: int = 1


async def check_free(claim: Claim, placements: list[Placement], ignore_booking: int | None) -> None:
    claim.placements = placements
    conflicts = await current_conflicts(placements, ignore_booking=ignore_booking)
    if conflicts:
        raise Collision(conflicts)


async def change_booking(
    engine: Engine,
    user: CurrentUser,
    booking_id: int,
    now: datetime,
    work: Callable[[Claim], Awaitable[None]],
) -> BookingView:
    claim = Claim()
    # Holds whose time is up go back to pending first, in a transaction of their own: the
    # change then reads, and is checked against, what holds the rooms now, and a refusal does
    # not undo the lapse (the request's version moved on; the caller reloads and decides).
    await sweep_expired_holds(engine, now)
    try:
        await in_writing_transaction(engine, lambda: work(claim))
    except (StaleVersion, TransitionNotAllowed) as exc:
        exc.current = await load_booking_view(booking_id, user.actor, now)
        raise
    except Collision as collision:
        raise await _explained(collision.conflicts, claim, now) from None
    except Exception as exc:
        if not is_exclusion_violation(exc):
            raise
        # A concurrent change took the room first (PostgreSQL refused the hold).
        conflicts = await current_conflicts(claim.placements, ignore_booking=booking_id)
        raise await _explained(conflicts, claim, now) from None
    view = await load_booking_view(booking_id, user.actor, now)
    if view is None:
        raise NotFound("booking")
    return view


async def _explained(conflicts: list[Conflict], claim: Claim, now: datetime) -> Exception:
    rooms = await catalogue.rooms_by_id(c.wanted.room_id for c in conflicts)
    return await conflict_error(conflicts, rooms, claim.attendance, now)
