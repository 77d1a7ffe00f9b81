"""Deciding the requester's changes of a request: submitting it, editing it, giving some of
its dates new times or rooms.

As for a new request (core.creation), the use case reads what a decision needs (the rooms and
what is known of them, core.rule_breaches.RoomsKnown), the functions here decide everything at
once, and the unit of work checks the new slots against what holds the rooms as it writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from booking.core.access import Actor
from booking.core.booking import EDITABLE_FIELDS, Booking, Slot
from booking.core.changes import changed_fields
from booking.core.conflicts import Placement
from booking.core.errors import TransitionNotAllowed, refused
from booking.core.events import Action
from booking.core.localtime import to_instant
from booking.core.messages import Message
from booking.core.requests import check_request, meeting_span
from booking.core.rescheduling import reslot
from booking.core.rooms import RoomFacts
from booking.core.rule_breaches import RoomsKnown
from booking.core.series import check_dates_apart, local_date
from booking.core.tiers import TIER_TITLES, TierRole
from booking.core.timespan import TimeSpan
from booking.core.transitions import Decided, change
from booking.core.workflow import (
    HOLDING,
    EditEffect,
    Status,
    check_not_ended,
    edit_effect,
    submitted_status,
)

SLOT_FIELDS = ("rooms", "start", "end")


def decide_submit(
    booking: Booking,
    actor: Actor,
    known: RoomsKnown,
    comment: str,
    override_reason: str | None,
    now: datetime,
) -> Decided:
    """Submit a draft, or resubmit a request sent back for changes: only its dates ahead are
    claimed; those begun or over are history."""
    tiers = known.tiers(booking.external, booking.fields.paid_rental)
    status = submitted_status(booking.state, known.instant(tiers))
    check_not_ended(booking.state, now)
    placements = [p for p in booking.placements() if p.meeting.start > now]
    if not placements:
        raise TransitionNotAllowed(Message("booking.every_date_begun"))
    attendance = booking.fields.expected_attendance
    check_request(placements[0].meeting, known.rooms, attendance, now)
    verdict = known.verdict(placements, actor, override_reason, now)
    submitted = change(
        booking,
        Action.SUBMITTED,
        to=status,
        values={"required_tiers": tiers, "tiers_done": 0},
        slots_to=status.value,
        comment=comment,
        details=verdict.overridden,
    )
    return Decided(submitted, [p.room_id for p in placements], placements)


def given_fields(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The fields an edit gives, trimmed; the blank ones refused."""
    given = {
        name: value for name, value in changes.items() if name in (*SLOT_FIELDS, *EDITABLE_FIELDS)
    }
    for name in ("title", "organiser_name"):
        if name in given:
            given[name] = given[name].strip()
            if not given[name]:
                raise refused(name, Message("text.blank"))
    return given


def edited_rooms(booking: Booking, given: Mapping[str, Any], now: datetime) -> list[int]:
    """The rooms a request will have after an edit; refuses an edit the request's state or a
    series does not allow."""
    check_not_ended(booking.state, now)
    if booking.series is not None and any(name in given for name in SLOT_FIELDS):
        raise TransitionNotAllowed(Message("series.move_dates_one_by_one"))
    rooms: list[int] = given.get("rooms", booking.room_ids())
    return rooms


@dataclass(frozen=True, slots=True)
class EditedSlot:
    meeting: TimeSpan
    placements: list[Placement]
    changed: bool  # other rooms or another time than the request has now


def edited_slot(
    booking: Booking, given: Mapping[str, Any], rooms: Sequence[RoomFacts]
) -> EditedSlot:
    """The meeting and slots a request will have after an edit, in the zone of its rooms."""
    zone = ZoneInfo(rooms[0].zone)
    first = booking.occurrences[0]
    start = to_instant(given["start"], zone, "start") if "start" in given else None
    end = to_instant(given["end"], zone, "end") if "end" in given else None
    meeting = meeting_span(start or first.meeting.start, end or first.meeting.end)
    moving = any(name in given for name in SLOT_FIELDS)
    placements = (
        [booking.placement_in(room, meeting) for room in rooms] if moving else booking.placements()
    )
    changed = sorted(placements, key=_order) != sorted(booking.placements(), key=_order)
    return EditedSlot(meeting, placements, changed)


def _order(p: Placement) -> tuple[int, datetime]:
    return p.room_id, p.meeting.start


def _new_tiers_refusal(code: str, added: set[TierRole]) -> TransitionNotAllowed:
    return TransitionNotAllowed(Message(code, tiers=[TIER_TITLES[t] for t in sorted(added)]))


def decide_edit(
    booking: Booking,
    actor: Actor,
    given: Mapping[str, Any],
    slot: EditedSlot,
    known: RoomsKnown,
    comment: str,
    override_reason: str | None,
    now: datetime,
) -> Decided:
    """An edit of a request: a new time or rooms for an approved booking waits for the tiers
    while the booking keeps its current slot; for a pending one it restarts the tiers."""
    rooms = known.rooms
    attendance = given.get("expected_attendance", booking.fields.expected_attendance)
    if slot.changed or "expected_attendance" in given:
        # An unchanged slot may have begun already; only a new one must lie ahead.
        check_request(slot.meeting, rooms, attendance, now if slot.changed else slot.meeting.start)
    paid = given.get("paid_rental", booking.fields.paid_rental)
    tiers = known.tiers(booking.external, paid)
    effect = edit_effect(booking.state, slot.changed, known.instant(tiers))
    overridden: Mapping[str, Any] = {}
    if slot.changed:
        overridden = known.verdict(slot.placements, actor, override_reason, now).overridden
    plain = {name: given[name] for name in EDITABLE_FIELDS if name in given}
    before = {name: getattr(booking.fields, name) for name in EDITABLE_FIELDS}
    changes = changed_fields(before, plain)
    if slot.changed:
        changes |= _slot_changes(booking, rooms, slot.meeting)
    if not changes:
        return Decided(None)
    added = set(tiers) - set(booking.required_tiers)
    if added and booking.approved_dates:
        raise _new_tiers_refusal("booking.new_tiers_for_approved_dates", added)
    if booking.status is Status.APPROVED and effect is EditEffect.IN_PLACE and added:
        raise _new_tiers_refusal("booking.new_tiers_for_approved_booking", added)
    # A paid rental changes who must approve: a change waiting for approval sets it with its
    # new slots.
    deferred = {"paid_rental": plain.pop("paid_rental")} if "paid_rental" in plain else {}
    edited = reslot(
        booking,
        effect,
        replaced=[o.id for o in booking.occurrences if o.status == booking.status],
        new=slot.placements if slot.changed else [],
        tiers=tiers,
        values=plain,
        deferred=deferred,
        comment=comment,
        changes=changes,
        details=overridden,
    )
    lock = []
    if effect is not EditEffect.IN_PLACE or booking.status in HOLDING:
        lock = [*booking.room_ids(), *(p.room_id for p in slot.placements)]
    check = slot.placements if effect is not EditEffect.IN_PLACE else []
    return Decided(edited, lock, check)


def _slot_changes(
    booking: Booking, rooms: Sequence[RoomFacts], meeting: TimeSpan
) -> dict[str, list[Any]]:
    first = booking.occurrences[0]
    was, now_is = (
        first.meeting.in_zone(ZoneInfo(first.zone)),
        meeting.in_zone(ZoneInfo(rooms[0].zone)),
    )
    before = {
        "rooms": sorted(o.room_code for o in booking.occurrences),
        "start": was.start.isoformat(),
        "end": was.end.isoformat(),
    }
    after = {
        "rooms": sorted(room.code for room in rooms),
        "start": now_is.start.isoformat(),
        "end": now_is.end.isoformat(),
    }
    return changed_fields(before, after)


# New slots for some dates: for each date, the slots it has now (none for a restored date) and
# its new ones.
Plan = Mapping[date, tuple[Sequence[Slot], Sequence[Placement]]]


def rooms_after(booking: Booking, plan: Plan) -> list[int]:
    """Every room the request has once the plan's dates have their new slots."""
    replaced = {o.id for slots, _ in plan.values() for o in slots}
    kept = [o.room_id for o in booking.live if o.id not in replaced]
    return list(dict.fromkeys([*kept, *(p.room_id for _, new in plan.values() for p in new)]))


def decide_reslot(
    booking: Booking,
    actor: Actor,
    plan: Plan,
    known: RoomsKnown,
    comment: str,
    override_reason: str | None,
    now: datetime,
    action: Action = Action.DATES_MOVED,
    deferred: Mapping[str, Any] | None = None,
) -> Decided:
    """New slots for the plan's dates; `known` is of every room the request has after."""
    old_ids = [o.id for slots, _ in plan.values() for o in slots]
    new = [p for _, placements in plan.values() for p in placements]
    kept = [o for o in booking.live if o.id not in old_ids]
    zones = {room.id: room.zone for room in known.rooms}
    _check_one_date_a_day(kept, new, zones)
    check_dates_apart([o.placement for o in kept] + new, field="start")
    # The tiers are those of every room the request has after the change.
    tiers = known.tiers(booking.external, booking.fields.paid_rental)
    # Refuses final states, and a change while another one waits for approval.
    effect = edit_effect(booking.state, slot_changed=True, instant=known.instant(tiers))
    overridden = known.verdict(new, actor, override_reason, now).overridden
    changes = {
        day.isoformat(): [
            [_described(o.meeting, o.zone) for o in slots],
            [_described(p.meeting, zones[p.room_id]) for p in placements],
        ]
        for day, (slots, placements) in plan.items()
    }
    moved = reslot(
        booking,
        effect,
        replaced=old_ids,
        new=new,
        tiers=tiers,
        deferred=deferred,
        action=action,
        comment=comment,
        changes=changes,
        details=overridden,
    )
    if effect is EditEffect.IN_PLACE:
        return Decided(moved)
    return Decided(moved, [*(o.room_id for o in booking.live), *zones], new)


def _check_one_date_a_day(
    kept: Sequence[Slot], new: Sequence[Placement], zones: Mapping[int, str]
) -> None:
    taken = {o.local_day for o in kept}
    for slot in new:
        day = local_date(slot.meeting.start, zones[slot.room_id])
        if day in taken:
            raise refused("start", Message("dates.one_a_day", day=day))


def _described(meeting: TimeSpan, zone: str) -> str:
    local = meeting.in_zone(ZoneInfo(zone))
    return f"{local.start.isoformat()}/{local.end.isoformat()}"
