"""Decisions on requests: approve tier by tier, reject, ask for changes; one date at a time too.

Approving the last tier makes the request hold its rooms, and declines the pending requests it
overlaps, each with the reason and alternatives. All of it happens in one unit of work, and a
decision carries the version the approver saw, so two approvers acting at once cannot both win.
"""

from __future__ import annotations

from datetime import datetime

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.bookings.commands import Act
from booking.bookings.conflicts import current_conflicts, suggestions
from booking.bookings.unit_of_work import Outcome, UnitOfWork, change_booking
from booking.core import transitions
from booking.core.access import manages
from booking.core.booking import Booking
from booking.core.conflicts import Placement
from booking.core.date_decisions import decide_date_approval, decide_date_rejection
from booking.core.errors import (
    Forbidden,
    NotFound,
    TransitionNotAllowed,
)
from booking.core.events import Action
from booking.core.messages import Message
from booking.core.tiers import can_decide_tier, required_tiers
from booking.core.transitions import (
    message_detail,
    request_refused,
)
from booking.core.workflow import (
    COMPETING,
    approval_step,
    check_can_reject,
    check_can_request_changes,
    check_not_ended,
    check_version,
    current_tier,
)
from booking.db import bookings, catalogue, tiers


def check_decider(user: CurrentUser, booking: Booking) -> None:
    """403 for a reader who is not among this request's deciders."""
    actor, facts = user.actor, booking.facts
    tier = current_tier(booking.state)
    allowed = (
        can_decide_tier(actor, facts, tier)
        if tier is not None
        else manages(actor, facts) or actor.finance
    )
    if not allowed:
        raise Forbidden(Message("decision.not_yours"))


async def approve_booking(
    engine: Engine, user: CurrentUser, booking_id: int, command: Act, now: datetime
) -> Outcome:
    """Approve the tier the request waits for; the last tier makes it hold its rooms."""

    async def approve(unit: UnitOfWork, booking: Booking) -> None:
        step = approval_step(booking.state)
        check_not_ended(booking.state, now)
        details = {"tier": step.tier.value, "step": message_detail(step.describe())}
        if not step.final:
            await unit.apply(booking, transitions.tier_approved(booking, command.comment, details))
            return
        waiting_change = booking.change_pending
        wanted = booking.placements(proposed=waiting_change)
        if waiting_change and any(p.meeting.start <= now for p in wanted):
            raise TransitionNotAllowed(Message("decision.change_begun"))
        await unit.lock_rooms([p.room_id for p in wanted + booking.placements()])
        # Read again under the room locks: a competing approval may have declined this one.
        fresh = await bookings.load_booking(booking_id)
        if fresh is None:
            raise NotFound("booking")
        booking = fresh
        check_version(booking.state, command.version)
        await unit.check_free(wanted, booking.fields.expected_attendance, booking_id)
        approved = transitions.approved(booking, command.comment, details)
        await unit.apply(booking, approved)
        await _decline_competing(unit, booking_id, wanted)

    return await change_booking(
        engine, user, booking_id, command.version, now, check_decider, approve
    )


async def _decline_competing(unit: UnitOfWork, winner_id: int, placements: list[Placement]) -> None:
    hits = await current_conflicts(placements, ignore_booking=winner_id, statuses=COMPETING)
    for booking_id in sorted({hit.existing.booking_id for hit in hits}):
        # Read it under its row lock: it may be edited or decided elsewhere at this moment,
        # and declining it at a stale version would fail this whole approval.
        await bookings.lock_booking(booking_id)
        loser = await bookings.load_booking(booking_id)
        if loser is None or loser.status not in COMPETING:
            continue
        conflicts = await current_conflicts(loser.placements(), ignore_booking=booking_id)
        rooms = await catalogue.rooms_by_id(p.room_id for p in loser.placements())
        attendance = loser.fields.expected_attendance
        alternatives, known = await suggestions(conflicts, rooms, attendance, unit.now)
        declined = request_refused(
            loser,
            Action.DECLINED,
            details={
                "note": message_detail(Message("decision.declined_for", winner=winner_id)),
                "approved_instead": winner_id,
                "alternatives": alternatives.as_data(known),
            },
        )
        await unit.apply(loser, declined)


async def reject_booking(
    engine: Engine, user: CurrentUser, booking_id: int, command: Act, now: datetime
) -> Outcome:
    """Any tier may reject; rejecting a change keeps the booking in its current slot."""

    async def reject(unit: UnitOfWork, booking: Booking) -> None:
        tier = check_can_reject(booking.state)
        details = {"tier": tier.value}
        if booking.change_pending:
            # Back to the current rooms, and to the tiers that approved them.
            current = await catalogue.rooms_by_id(booking.room_ids())
            kept = required_tiers(
                await tiers.rules_for_rooms(current.values()),
                booking.external,
                booking.fields.paid_rental,
            )
            rejected = transitions.change_rejected(booking, kept, command.comment, details)
        else:
            rejected = request_refused(booking, Action.REJECTED, command.comment, details)
        await unit.apply(booking, rejected)

    return await change_booking(
        engine, user, booking_id, command.version, now, check_decider, reject
    )


async def request_changes(
    engine: Engine, user: CurrentUser, booking_id: int, command: Act, now: datetime
) -> Outcome:
    """Send the request back to the requester; resubmitting restarts the tiers."""

    async def send_back(unit: UnitOfWork, booking: Booking) -> None:
        tier = check_can_request_changes(booking.state)
        await unit.apply(booking, transitions.changes_requested(booking, tier, command.comment))

    return await change_booking(
        engine, user, booking_id, command.version, now, check_decider, send_back
    )


async def approve_date(
    engine: Engine,
    user: CurrentUser,
    booking_id: int,
    occurrence_id: int,
    command: Act,
    now: datetime,
) -> Outcome:
    """Approve one date of a request waiting for its last tier; the date holds its rooms at
    once. When no date waits any more, the request is approved."""

    async def approve(unit: UnitOfWork, booking: Booking) -> None:
        decided = decide_date_approval(booking, occurrence_id, command.comment, now)
        await unit.write(booking, decided)
        await _decline_competing(unit, booking_id, decided.check)

    return await change_booking(
        engine, user, booking_id, command.version, now, check_decider, approve
    )


async def reject_date(
    engine: Engine,
    user: CurrentUser,
    booking_id: int,
    occurrence_id: int,
    command: Act,
    now: datetime,
) -> Outcome:
    """Refuse one date of a request waiting for a decision; refusing the last one rejects it."""

    async def reject(unit: UnitOfWork, booking: Booking) -> None:
        await unit.write(booking, decide_date_rejection(booking, occurrence_id, command.comment))

    return await change_booking(
        engine, user, booking_id, command.version, now, check_decider, reject
    )
