"""Decisions on requests: approve tier by tier, reject, ask for changes, hold and release.

Approving the last tier makes the request hold its rooms, and declines the pending requests it
overlaps, each with the reason and alternatives. All of it happens in one transaction, and a
decision carries the version the approver saw, so two approvers acting at once cannot both win.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec
from piccolo.engine.base import Engine

from booking.accounts.authentication import CurrentUser
from booking.approvals.schemas import Decision, HoldPlacement
from booking.bookings import transitions
from booking.bookings.changing import Claim, change_booking, check_free
from booking.bookings.conflict_report import conflict_error, current_conflicts
from booking.bookings.dates import date_of
from booking.bookings.records import BookingRecord, load_record, placement, visible_record
from booking.bookings.schemas import BookingView
from booking.bookings.views import load_booking_views
from booking.core.access import can_see, manages
from booking.core.conflicts import Placement, find_conflicts
from booking.core.errors import (
    FieldProblem,
    Forbidden,
    NotFound,
    RuleViolation,
    TransitionNotAllowed,
)
from booking.core.localtime import to_instant
from booking.core.tiers import can_decide_tier, required_tiers
from booking.core.workflow import (
    COMPETING,
    NO_CHANGE_WAITING,
    PROPOSED,
    SUPERSEDED,
    Action,
    Status,
    approval_step,
    check_can_hold,
    check_can_reject,
    check_can_release,
    check_can_request_changes,
    check_not_ended,
    check_version,
    current_tier,
    status_once_dates_decided,
)
from booking.db import bookings, catalogue, occurrences, tiers
from booking.db.engine import is_postgres
from booking.db.room_locks import lock_rooms

_NOT_YOURS = "you do not decide on requests for these rooms"


def _check_decider(user: CurrentUser, record: BookingRecord) -> None:
    """403 for a reader who is not among this request's deciders."""
    actor, facts = user.actor, record.facts
    tier = current_tier(record.state)
    allowed = (
        can_decide_tier(actor, facts, tier)
        if tier is not None
        else manages(actor, facts) or actor.finance
    )
    if not allowed:
        raise Forbidden(_NOT_YOURS)


def _check_manager(user: CurrentUser, record: BookingRecord) -> None:
    if not manages(user.actor, record.facts):
        raise Forbidden("only the manager of these rooms can hold or release them")


async def approve_booking(
    engine: Engine, user: CurrentUser, booking_id: int, decision: Decision, now: datetime
) -> BookingView:
    """Approve the tier the request waits for; the last tier makes it hold its rooms."""

    async def approve(claim: Claim) -> None:
        record = await visible_record(user, booking_id)
        _check_decider(user, record)
        check_version(record.state, decision.version)
        step = approval_step(record.state)
        check_not_ended(record.state, now)
        details = {"tier": step.tier.value, "step": step.describe()}
        if not step.final:
            await transitions.apply(
                record,
                user,
                now,
                action=Action.TIER_APPROVED,
                values={"tiers_done": record.state.tiers_done + 1},
                comment=decision.comment,
                details=details,
            )
            return
        change = record.state.change_pending
        wanted = record.placements(proposed=change)
        if change and any(p.meeting.start <= now for p in wanted):
            raise TransitionNotAllowed(
                "the new time of this change has already begun; it can only be rejected"
            )
        await lock_rooms(engine, [p.room_id for p in wanted + record.placements()])
        # Read again under the room locks: a competing approval may have declined this one.
        fresh = await load_record(booking_id)
        if fresh is None:
            raise NotFound("booking")
        record = fresh
        check_version(record.state, decision.version)
        claim.attendance = record.row["expected_attendance"]
        await check_free(claim, wanted, ignore_booking=booking_id)
        done = len(record.state.required_tiers)
        if change:
            await bookings.set_status_of(booking_id, record.replaced_by_change(), SUPERSEDED)
            await bookings.set_occurrence_status(booking_id, [PROPOSED], Status.APPROVED)
            await transitions.apply(
                record,
                user,
                now,
                action=Action.CHANGE_APPROVED,
                to=Status.APPROVED,
                values={
                    **json.loads(record.row["change_values"] or "{}"),
                    "tiers_done": done,
                    **NO_CHANGE_WAITING,
                },
                comment=decision.comment,
                details=details,
            )
        else:
            await transitions.apply(
                record,
                user,
                now,
                action=Action.APPROVED,
                to=Status.APPROVED,
                values={"tiers_done": done, "hold_until": None},
                slots_to=Status.APPROVED,
                comment=decision.comment,
                details=details,
            )
        await _decline_competing(engine, booking_id, wanted, user, now)

    return await change_booking(engine, user, booking_id, now, approve)


def _refusal(record: BookingRecord) -> tuple[Status, dict[str, object]]:
    """Refusing a request refuses what still waits for a decision. Dates approved on their own
    stay approved, and with them the request."""
    left = [o["status"] for o in record.approved_dates]
    if status_once_dates_decided(record.status, left, Status.REJECTED) is Status.APPROVED:
        return Status.APPROVED, transitions.all_tiers_done(record)
    return Status.REJECTED, {"hold_until": None}


async def _decline_competing(
    engine: Engine, winner_id: int, placements: list[Placement], user: CurrentUser, now: datetime
) -> None:
    window = occurrences.hull(p.blocked for p in placements)
    others = await occurrences.occupations(window, COMPETING, {p.room_id for p in placements})
    hits = find_conflicts(placements, [o for o in others if o.booking_id != winner_id])
    for booking_id in sorted({hit.existing.booking_id for hit in hits}):
        # Read it under its row lock: it may be edited or decided elsewhere at this moment,
        # and declining it at a stale version would fail this whole approval.
        await bookings.lock_booking(is_postgres(engine), booking_id)
        loser = await load_record(booking_id)
        if loser is None or loser.status not in COMPETING:
            continue
        conflicts = await current_conflicts(loser.placements(), ignore_booking=booking_id)
        rooms = await catalogue.rooms_by_id(p.room_id for p in loser.placements())
        explained = await conflict_error(conflicts, rooms, loser.row["expected_attendance"], now)
        to, values = _refusal(loser)
        await transitions.apply(
            loser,
            user,
            now,
            action=Action.DECLINED,
            to=to,
            values=values,
            slots_to=Status.REJECTED,
            comment=f"declined: request #{winner_id} was approved for the same room and time",
            details={
                "approved_instead": winner_id,
                "alternatives": msgspec.to_builtins(explained.alternatives),
            },
        )


async def reject_booking(
    engine: Engine, user: CurrentUser, booking_id: int, decision: Decision, now: datetime
) -> BookingView:
    """Any tier may reject; rejecting a change keeps the booking in its current slot."""

    async def reject(claim: Claim) -> None:
        record = await visible_record(user, booking_id)
        _check_decider(user, record)
        check_version(record.state, decision.version)
        tier = check_can_reject(record.state)
        details = {"tier": tier.value}
        if record.state.change_pending:
            await bookings.set_occurrence_status(booking_id, [PROPOSED], SUPERSEDED)
            # Back to the current rooms, and to the tiers that approved them.
            current = await catalogue.rooms_by_id(record.room_ids())
            kept = required_tiers(
                await tiers.rules_for_rooms(current.values()),
                record.external,
                bool(record.row["paid_rental"]),
            )
            await transitions.apply(
                record,
                user,
                now,
                action=Action.CHANGE_REJECTED,
                values={
                    **NO_CHANGE_WAITING,
                    "required_tiers": [t.value for t in kept],
                    "tiers_done": len(kept),
                },
                comment=decision.comment,
                details=details,
            )
            return
        to, values = _refusal(record)
        await transitions.apply(
            record,
            user,
            now,
            action=Action.REJECTED,
            to=to,
            values=values,
            slots_to=Status.REJECTED,
            comment=decision.comment,
            details=details,
        )

    return await change_booking(engine, user, booking_id, now, reject)


async def request_changes(
    engine: Engine, user: CurrentUser, booking_id: int, decision: Decision, now: datetime
) -> BookingView:
    """Send the request back to the requester; resubmitting restarts the tiers."""

    async def send_back(claim: Claim) -> None:
        record = await visible_record(user, booking_id)
        _check_decider(user, record)
        check_version(record.state, decision.version)
        tier = check_can_request_changes(record.state)
        if not decision.comment.strip():
            raise RuleViolation([FieldProblem("comment", "say which changes are needed")])
        await transitions.apply(
            record,
            user,
            now,
            action=Action.CHANGES_REQUESTED,
            to=Status.CHANGES_REQUESTED,
            values={"hold_until": None, "tiers_done": 0},
            slots_to=Status.CHANGES_REQUESTED,
            comment=decision.comment,
            details={"tier": tier.value},
        )

    return await change_booking(engine, user, booking_id, now, send_back)


async def hold_booking(
    engine: Engine, user: CurrentUser, booking_id: int, data: HoldPlacement, now: datetime
) -> BookingView:
    """A tentative hold: the rooms are kept for this request until `until`."""

    async def hold(claim: Claim) -> None:
        record = await visible_record(user, booking_id)
        _check_manager(user, record)
        check_version(record.state, data.version)
        zone = ZoneInfo(record.occurrences[0]["zone"])
        until = to_instant(data.until, zone, "until")
        check_can_hold(record.state, until, now)
        check_not_ended(record.state, now)
        claim.attendance = record.row["expected_attendance"]
        await lock_rooms(engine, [p.room_id for p in record.placements()])
        await check_free(claim, record.placements(), ignore_booking=booking_id)
        await transitions.apply(
            record,
            user,
            now,
            action=Action.HELD,
            to=Status.HELD,
            values={"hold_until": until},
            slots_to=Status.HELD,
            comment=data.comment,
            details={"until": until.isoformat()},
        )

    return await change_booking(engine, user, booking_id, now, hold)


async def release_hold(
    engine: Engine, user: CurrentUser, booking_id: int, decision: Decision, now: datetime
) -> BookingView:
    async def release(claim: Claim) -> None:
        record = await visible_record(user, booking_id)
        _check_manager(user, record)
        check_version(record.state, decision.version)
        check_can_release(record.state)
        await transitions.apply(
            record,
            user,
            now,
            action=Action.HOLD_RELEASED,
            to=Status.PENDING,
            values={"hold_until": None},
            slots_to=Status.PENDING,
            comment=decision.comment,
        )

    return await change_booking(engine, user, booking_id, now, release)


@dataclass(frozen=True, slots=True)
class QueueQuery:
    building_id: int | None = None
    room_id: int | None = None
    tier: str | None = None
    limit: int = 50
    offset: int = 0


# The queue is filtered by tier in the service; this many candidates are read at most.
QUEUE_CANDIDATES = 1000


async def approval_queue(user: CurrentUser, query: QueueQuery, now: datetime) -> list[BookingView]:
    """The requests waiting for a decision this user can make, soonest event first."""
    actor = user.actor
    if not (actor.admin or actor.finance or actor.is_approver):
        raise Forbidden("only approvers have an approval queue")
    sees_all = actor.admin or actor.finance
    rows = await bookings.booking_rows(
        bookings.BookingFilter(
            visible_to=None,
            awaiting_decision=True,
            approver_rooms=None if sees_all else actor.approver_rooms,
            approver_buildings=frozenset() if sees_all else actor.approver_buildings,
            room_id=query.room_id,
            building_id=query.building_id,
            limit=QUEUE_CANDIDATES,
        )
    )
    views = [
        view
        for view in await load_booking_views(rows, actor, now)
        if "approve" in view.allowed_actions
        and (query.tier is None or view.awaiting_tier == query.tier)
    ]
    views.sort(key=lambda v: (_first_start(v), v.id))
    return views[query.offset : query.offset + query.limit]


def _first_start(view: BookingView) -> datetime:
    slots = view.proposed_occurrences or view.occurrences
    return min(o.start for o in slots)


async def competing_requests(
    user: CurrentUser, booking_id: int, now: datetime
) -> list[BookingView]:
    """Other requests that want any of the same rooms at an overlapping time."""
    record = await visible_record(user, booking_id)
    if not user.actor.is_staff:
        raise Forbidden("only approvers see competing requests")
    wanted = record.placements(proposed=record.state.change_pending)
    if not wanted:
        return []  # cancelled or refused: it wants no room any more
    window = occurrences.hull(p.blocked for p in wanted)
    statuses = [*COMPETING, Status.HELD]
    others = await occurrences.occupations(window, statuses, {p.room_id for p in wanted})
    hits = find_conflicts(wanted, [o for o in others if o.booking_id != booking_id])
    ids = sorted({hit.existing.booking_id for hit in hits})
    found = [await load_record(i) for i in ids]
    rows = [r.row for r in found if r is not None and can_see(user.actor, r.seen_facts)]
    return await load_booking_views(rows, user.actor, now)


async def approve_date(
    engine: Engine,
    user: CurrentUser,
    booking_id: int,
    occurrence_id: int,
    decision: Decision,
    now: datetime,
) -> BookingView:
    """Approve one date of a request waiting for its last tier; the date holds its rooms at
    once. When no date waits any more, the request is approved."""

    async def approve(claim: Claim) -> None:
        record = await visible_record(user, booking_id)
        _check_decider(user, record)
        check_version(record.state, decision.version)
        step = approval_step(record.state)
        check_not_ended(record.state, now)
        if not step.final or record.state.change_pending:
            raise TransitionNotAllowed(
                "single dates are decided at the last tier of a pending request; "
                f"this one waits for {step.describe()}"
            )
        day, rows = date_of(record, occurrence_id)
        if any(o["status"] == Status.APPROVED for o in rows):
            raise TransitionNotAllowed(f"{day} is already approved")
        if min(o["starts_at"] for o in rows) <= now:
            raise RuleViolation([FieldProblem("occurrence", "this date has already begun")])
        wanted = [placement(o) for o in rows]
        await lock_rooms(engine, [p.room_id for p in wanted])
        claim.attendance = record.row["expected_attendance"]
        await check_free(claim, wanted, ignore_booking=booking_id)
        ids = [o["id"] for o in rows]
        await bookings.set_status_of(booking_id, ids, Status.APPROVED)
        left = [Status.APPROVED if o["id"] in ids else o["status"] for o in record.live]
        to = status_once_dates_decided(record.status, left, emptied=Status.APPROVED)
        await transitions.apply(
            record,
            user,
            now,
            action=Action.DATE_APPROVED,
            to=to,
            values=transitions.all_tiers_done(record) if to is Status.APPROVED else {},
            comment=decision.comment,
            details={"date": day.isoformat(), "tier": step.tier.value},
        )
        await _decline_competing(engine, booking_id, wanted, user, now)

    return await change_booking(engine, user, booking_id, now, approve)


async def reject_date(
    engine: Engine,
    user: CurrentUser,
    booking_id: int,
    occurrence_id: int,
    decision: Decision,
    now: datetime,
) -> BookingView:
    """Refuse one date of a request waiting for a decision; refusing the last one rejects it."""

    async def reject(claim: Claim) -> None:
        record = await visible_record(user, booking_id)
        _check_decider(user, record)
        check_version(record.state, decision.version)
        tier = check_can_reject(record.state)
        if record.state.change_pending:
            raise TransitionNotAllowed("reject the waiting change as a whole")
        day, rows = date_of(record, occurrence_id)
        if any(o["status"] == Status.APPROVED for o in rows):
            raise TransitionNotAllowed(f"{day} is approved already; cancel it instead")
        ids = [o["id"] for o in rows]
        await bookings.set_status_of(booking_id, ids, Status.REJECTED)
        left = [o["status"] for o in record.live if o["id"] not in ids]
        to = status_once_dates_decided(record.status, left, emptied=Status.REJECTED)
        values = transitions.all_tiers_done(record) if to is Status.APPROVED else {}
        await transitions.apply(
            record,
            user,
            now,
            action=Action.DATE_REJECTED,
            to=to,
            values=values,
            comment=decision.comment,
            details={"date": day.isoformat(), "tier": tier.value},
        )

    return await change_booking(engine, user, booking_id, now, reject)
