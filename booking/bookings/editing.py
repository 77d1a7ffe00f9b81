"""The requester's side of a request: edit it, submit it, resubmit it after changes were asked
for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.bookings.commands import EditBooking, Submit
from booking.bookings.creating import rooms_asked
from booking.bookings.unit_of_work import Outcome, UnitOfWork, change_booking
from booking.core.access import BookingFacts, can_change, manages
from booking.core.booking import EDITABLE_FIELDS, Booking
from booking.core.changes import changed_fields
from booking.core.conflicts import Placement
from booking.core.errors import Forbidden, TransitionNotAllowed, refused
from booking.core.events import Action
from booking.core.localtime import to_instant
from booking.core.messages import Message
from booking.core.requests import check_request, meeting_span
from booking.core.rescheduling import reslot
from booking.core.rooms import RoomFacts
from booking.core.rule_breaches import given_reason, judge
from booking.core.tiers import TIER_TITLES, TierRole, instant_approval
from booking.core.timespan import TimeSpan
from booking.core.transitions import change
from booking.core.workflow import (
    HOLDING,
    EditEffect,
    Status,
    check_not_ended,
    edit_effect,
    submitted_status,
)
from booking.db import tiers
from booking.rooms.rules import breaches

SLOT_FIELDS = ("rooms", "start", "end")


def check_requester(user: CurrentUser, booking: Booking) -> None:
    if not can_change(user.actor, booking.facts):
        raise Forbidden(Message("booking.change_only_requester"))


async def rules_verdict(
    placements: Sequence[Placement],
    rooms: Sequence[RoomFacts],
    now: datetime,
    user: CurrentUser,
    override_reason: str | None,
) -> dict[str, Any]:
    """Refuse slots that break a room's rules, unless a manager of all of them overrides with
    a reason; returns what the audit trail should keep of an override."""
    reason = given_reason(override_reason)
    places = BookingFacts.of(None, None, False, ((r.id, r.building_id) for r in rooms))
    found = await breaches(placements, rooms, now)
    zones = {room.id: room.zone for room in rooms}
    verdict = judge(found, zones, override_reason=reason, may_override=manages(user.actor, places))
    return dict(verdict.overridden)


async def submit_booking(
    engine: Engine, user: CurrentUser, booking_id: int, command: Submit, now: datetime
) -> Outcome:
    """Submit a draft, or resubmit a request sent back for changes."""

    async def submit(unit: UnitOfWork, booking: Booking) -> None:
        asked = await rooms_asked(booking.room_ids())
        paid = booking.fields.paid_rental
        needed = await tiers.tiers_needed(asked, booking.external, paid)
        instant = instant_approval((room.instant_book for room in asked), needed)
        status = submitted_status(booking.state, instant)
        check_not_ended(booking.state, now)
        # Dates already begun or over are history: only those ahead are checked again.
        placements = [p for p in booking.placements() if p.meeting.start > now]
        if not placements:
            raise TransitionNotAllowed(Message("booking.every_date_begun"))
        attendance = booking.fields.expected_attendance
        check_request(placements[0].meeting, asked, attendance, now)
        overridden = await rules_verdict(placements, asked, now, user, command.override_reason)
        await unit.lock_rooms([p.room_id for p in placements])
        await unit.check_free(placements, attendance, ignore_booking=booking_id)
        submitted = change(
            booking,
            Action.SUBMITTED,
            to=status,
            values={"required_tiers": needed, "tiers_done": 0},
            slots_to=status.value,
            comment=command.comment,
            details=overridden,
        )
        await unit.apply(booking, submitted)

    return await change_booking(
        engine, user, booking_id, command.version, now, check_requester, submit
    )


def _given(command: EditBooking) -> dict[str, Any]:
    given = {
        name: value
        for name, value in command.changes.items()
        if name in (*SLOT_FIELDS, *EDITABLE_FIELDS)
    }
    for name in ("title", "organiser_name"):
        if name in given:
            given[name] = given[name].strip()
            if not given[name]:
                raise refused(name, Message("text.blank"))
    return given


def _new_tiers_refusal(code: str, added: set[TierRole]) -> TransitionNotAllowed:
    names = [TIER_TITLES[t] for t in sorted(added)]
    return TransitionNotAllowed(Message(code, tiers=names))


async def edit_booking(
    engine: Engine, user: CurrentUser, booking_id: int, command: EditBooking, now: datetime
) -> Outcome:
    """Change a request. A new time or rooms for an approved booking waits for the tiers while
    the booking keeps its current slot; for a pending one it restarts the tiers."""
    given = _given(command)

    async def edit(unit: UnitOfWork, booking: Booking) -> None:
        check_not_ended(booking.state, now)
        moving = any(name in given for name in SLOT_FIELDS)
        if moving and booking.series is not None:
            raise TransitionNotAllowed(Message("series.move_dates_one_by_one"))
        current_rooms = booking.room_ids()
        asked = await rooms_asked(given.get("rooms", current_rooms))
        zone = ZoneInfo(asked[0].zone)
        first = booking.occurrences[0]
        start = to_instant(given["start"], zone, "start") if "start" in given else None
        end = to_instant(given["end"], zone, "end") if "end" in given else None
        meeting = meeting_span(start or first.meeting.start, end or first.meeting.end)
        attendance = given.get("expected_attendance", booking.fields.expected_attendance)
        placements = (
            [booking.placement_in(room, meeting) for room in asked]
            if moving
            else booking.placements()
        )
        slot_changed = sorted(placements, key=_order) != sorted(booking.placements(), key=_order)
        if slot_changed or "expected_attendance" in given:
            # An unchanged slot may have begun already; only a new one must lie ahead.
            check_request(meeting, asked, attendance, now if slot_changed else meeting.start)
        paid = given.get("paid_rental", booking.fields.paid_rental)
        needed = await tiers.tiers_needed(asked, booking.external, paid)
        instant = instant_approval((room.instant_book for room in asked), needed)
        effect = edit_effect(booking.state, slot_changed, instant)
        overridden = {}
        if slot_changed:
            overridden = await rules_verdict(placements, asked, now, user, command.override_reason)
        plain = {name: given[name] for name in EDITABLE_FIELDS if name in given}
        before = {name: getattr(booking.fields, name) for name in EDITABLE_FIELDS}
        changes = changed_fields(before, plain)
        if slot_changed:
            changes |= _slot_changes(booking, asked, meeting)
        if not changes:
            return
        added = set(needed) - set(booking.required_tiers)
        if added and booking.approved_dates:
            raise _new_tiers_refusal("booking.new_tiers_for_approved_dates", added)
        if booking.status is Status.APPROVED and effect is EditEffect.IN_PLACE and added:
            raise _new_tiers_refusal("booking.new_tiers_for_approved_booking", added)
        if effect is not EditEffect.IN_PLACE or booking.status in HOLDING:
            await unit.lock_rooms([*current_rooms, *(p.room_id for p in placements)])
        if effect is not EditEffect.IN_PLACE:
            await unit.check_free(placements, attendance, ignore_booking=booking_id)
        # A paid rental changes who must approve: a change waiting for approval sets it with
        # its new slots.
        deferred = {"paid_rental": plain.pop("paid_rental")} if "paid_rental" in plain else {}
        edited = reslot(
            booking,
            effect,
            replaced=[o.id for o in booking.occurrences if o.status == booking.status],
            new=placements if slot_changed else [],
            tiers=needed,
            values=plain,
            deferred=deferred,
            comment=command.comment,
            changes=changes,
            details=overridden,
        )
        await unit.apply(booking, edited)

    return await change_booking(
        engine, user, booking_id, command.version, now, check_requester, edit
    )


def _order(p: Placement) -> tuple[int, datetime]:
    return p.room_id, p.meeting.start


def _slot_changes(
    booking: Booking, asked: list[RoomFacts], meeting: TimeSpan
) -> dict[str, list[Any]]:
    first = booking.occurrences[0]
    zone, new_zone = ZoneInfo(first.zone), ZoneInfo(asked[0].zone)
    before = {
        "rooms": sorted(o.room_code for o in booking.occurrences),
        "start": first.meeting.start.astimezone(zone).isoformat(),
        "end": first.meeting.end.astimezone(zone).isoformat(),
    }
    after = {
        "rooms": sorted(room.code for room in asked),
        "start": meeting.start.astimezone(new_zone).isoformat(),
        "end": meeting.end.astimezone(new_zone).isoformat(),
    }
    return changed_fields(before, after)
