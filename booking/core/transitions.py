"""A decided change of a request: everything it writes and the events it causes.

The use cases check a transition with the state machine (core.workflow) and describe its result
here; the unit of work writes it as it is, in one transaction: the request's new state (if the
request is still at the version it was read at), its slots, one audit row and the events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from booking.core.booking import Booking
from booking.core.conflicts import Placement
from booking.core.errors import refused
from booking.core.events import Action, Event
from booking.core.messages import Message, message_data
from booking.core.tiers import TierRole
from booking.core.timespan import TimeSpan
from booking.core.workflow import (
    FINAL,
    LIVE,
    NO_CHANGE_WAITING,
    PROPOSED,
    SUPERSEDED,
    Status,
    status_once_dates_decided,
)

# Occurrence states that a final decision ends: every live date, whatever its own state; not a
# proposed change's, and not those of dates cancelled or rejected on their own.
LIVE_SLOT_STATES = frozenset(s.value for s in LIVE)

# What a request's status becoming this means, when another action brought it about.
_STATUS_EVENTS = {
    Status.APPROVED: Action.APPROVED,
    Status.REJECTED: Action.REJECTED,
    Status.CANCELLED: Action.CANCELLED,
}
# Actions that say a status of their own: no second event says it again.
_SAYS = {
    Action.APPROVED: Status.APPROVED,
    Action.REJECTED: Status.REJECTED,
    Action.CANCELLED: Status.CANCELLED,
    Action.DECLINED: Status.REJECTED,
}


@dataclass(frozen=True, slots=True)
class SlotUpdate:
    """Slots of the request moving to state `to`: those with these ids, or those now in these
    states."""

    to: str
    ids: frozenset[int] = frozenset()
    states: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Change:
    action: Action
    before: Status
    to: Status
    values: Mapping[str, Any]  # the request's fields that change, by name
    slot_updates: tuple[SlotUpdate, ...] = ()
    new_slots: tuple[Placement, ...] = ()
    new_slots_state: str = ""
    blocked: tuple[tuple[int, TimeSpan], ...] = ()  # new blocked spans of these slots
    comment: str = ""
    changes: Mapping[str, Any] = field(default_factory=dict)  # field: [old, new], for the audit
    details: Mapping[str, Any] = field(default_factory=dict)
    events: tuple[Event, ...] = ()
    rooms: tuple[int, ...] = ()  # every room the change concerns, before and after


@dataclass(frozen=True, slots=True)
class Decided:
    """A decided change, and what the unit of work must check as it writes it: the rooms to
    lock, and the slots that nothing else may hold."""

    change: Change | None  # None: nothing changes
    lock: list[int] = field(default_factory=list)
    check: list[Placement] = field(default_factory=list)


def events_caused(
    action: Action, before: Status | None, to: Status, comment: str, details: Mapping[str, Any]
) -> tuple[Event, ...]:
    """The action, and the status it led to when that is news of its own."""
    data = {"from": before.value if before else None, "to": to.value, **details}
    if comment:
        data["comment"] = comment
    events = [Event(action, data)]
    follows = _STATUS_EVENTS.get(to)
    if follows is not None and to is not before and _SAYS.get(action) is not to:
        events.append(Event(follows, data))
    return tuple(events)


def change(
    booking: Booking,
    action: Action,
    *,
    to: Status | None = None,
    values: Mapping[str, Any] | None = None,
    slots_to: str | None = None,
    slot_updates: Sequence[SlotUpdate] = (),
    new_slots: Sequence[Placement] = (),
    new_slots_state: str = "",
    blocked: Sequence[tuple[int, TimeSpan]] = (),
    comment: str = "",
    changes: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
) -> Change:
    """The change of `booking` by `action`.

    `slots_to` moves the slots that follow the request's state to that state as well: those in
    the request's own state, so a date approved on its own stays approved when a hold ends or is
    released; a final state (rejected, cancelled) takes every live date with it."""
    new_status = to or booking.status
    updates = list(slot_updates)
    if slots_to is not None:
        following = LIVE_SLOT_STATES if new_status in FINAL else {booking.status.value}
        updates.append(SlotUpdate(slots_to, states=frozenset(following)))
    details = dict(details or {})
    rooms = {o.room_id for o in (*booking.occurrences, *booking.proposed)}
    rooms.update(p.room_id for p in new_slots)
    return Change(
        action=action,
        before=booking.status,
        to=new_status,
        values=dict(values or {}),
        slot_updates=tuple(updates),
        new_slots=tuple(new_slots),
        new_slots_state=new_slots_state,
        blocked=tuple(blocked),
        comment=comment,
        changes=dict(changes or {}),
        details=details,
        events=events_caused(action, booking.status, new_status, comment, details),
        rooms=tuple(sorted(rooms)),
    )


def all_tiers_done(booking: Booking) -> dict[str, Any]:
    """What a request stores when it becomes approved: every tier done, no hold."""
    return {"tiers_done": len(booking.required_tiers), "hold_until": None}


def tier_approved(booking: Booking, comment: str, details: Mapping[str, Any]) -> Change:
    """A tier before the last one approved: the request waits for the next."""
    return change(
        booking,
        Action.TIER_APPROVED,
        values={"tiers_done": booking.tiers_done + 1},
        comment=comment,
        details=details,
    )


def approved(booking: Booking, comment: str, details: Mapping[str, Any]) -> Change:
    """The last tier's approval: the request holds its rooms; or, while a change waits for
    approval, the change takes effect and its slots replace those it supersedes."""
    if not booking.change_pending:
        return change(
            booking,
            Action.APPROVED,
            to=Status.APPROVED,
            values=all_tiers_done(booking),
            slots_to=Status.APPROVED.value,
            comment=comment,
            details=details,
        )
    return change(
        booking,
        Action.CHANGE_APPROVED,
        to=Status.APPROVED,
        values={
            **booking.change_values.as_values(),
            "tiers_done": len(booking.required_tiers),
            **NO_CHANGE_WAITING,
        },
        slot_updates=[
            SlotUpdate(SUPERSEDED, ids=frozenset(booking.replaced_by_change())),
            SlotUpdate(Status.APPROVED.value, states=frozenset({PROPOSED})),
        ],
        comment=comment,
        details=details,
    )


def change_rejected(
    booking: Booking, kept_tiers: Sequence[TierRole], comment: str, details: Mapping[str, Any]
) -> Change:
    """The change waiting for approval refused: the booking keeps its slots, and the tiers
    (`kept_tiers`, those of its current rooms) that approved them."""
    return change(
        booking,
        Action.CHANGE_REJECTED,
        values={
            **NO_CHANGE_WAITING,
            "required_tiers": tuple(kept_tiers),
            "tiers_done": len(kept_tiers),
        },
        slot_updates=[SlotUpdate(SUPERSEDED, states=frozenset({PROPOSED}))],
        comment=comment,
        details=details,
    )


def changes_requested(booking: Booking, tier: TierRole, comment: str) -> Change:
    """The request sent back to its requester, who must say it again: the tiers restart."""
    if not comment.strip():
        raise refused("comment", Message("decision.say_which_changes"))
    return change(
        booking,
        Action.CHANGES_REQUESTED,
        to=Status.CHANGES_REQUESTED,
        values={"hold_until": None, "tiers_done": 0},
        slots_to=Status.CHANGES_REQUESTED.value,
        comment=comment,
        details={"tier": tier.value},
    )


def held(booking: Booking, until: datetime, comment: str) -> Change:
    """The request's rooms held for it until `until`, while it waits for a decision."""
    return change(
        booking,
        Action.HELD,
        to=Status.HELD,
        values={"hold_until": until},
        slots_to=Status.HELD.value,
        comment=comment,
        details={"until": until.isoformat()},
    )


def hold_ended(
    booking: Booking,
    action: Action,
    comment: str = "",
    details: Mapping[str, Any] | None = None,
) -> Change:
    """A hold released by a manager, or lapsed when its time was up: pending again."""
    return change(
        booking,
        action,
        to=Status.PENDING,
        values={"hold_until": None},
        slots_to=Status.PENDING.value,
        comment=comment,
        details=details,
    )


def cancelled(booking: Booking, comment: str) -> Change:
    """The request cancelled, with every live date and any change waiting for approval."""
    return change(
        booking,
        Action.CANCELLED,
        to=Status.CANCELLED,
        values={"hold_until": None, **NO_CHANGE_WAITING},
        slot_updates=[SlotUpdate(SUPERSEDED, states=frozenset({PROPOSED}))],
        slots_to=Status.CANCELLED.value,
        comment=comment,
    )


def request_refused(
    booking: Booking,
    action: Action,
    comment: str = "",
    details: Mapping[str, Any] | None = None,
) -> Change:
    """Refusing a request (rejected, or declined for a competitor) refuses what still waits
    for a decision. Dates approved on their own stay approved, and with them the request."""
    left = [o.status for o in booking.approved_dates]
    if status_once_dates_decided(booking.status, left, Status.REJECTED) is Status.APPROVED:
        to, values = Status.APPROVED, all_tiers_done(booking)
    else:
        to, values = Status.REJECTED, {"hold_until": None}
    return change(
        booking,
        action,
        to=to,
        values=values,
        slots_to=Status.REJECTED.value,
        comment=comment,
        details=details,
    )


def dates_decided(
    booking: Booking,
    action: Action,
    ids: frozenset[int],
    state: Status,
    comment: str,
    details: Mapping[str, Any],
) -> Change:
    """The slots `ids` (one date) approved, refused or cancelled on their own. The request
    takes that state too when no date is left, is approved when every date left is approved,
    else stays as it was (core.workflow.status_once_dates_decided)."""
    left = [
        state if o.id in ids else o.status for o in booking.live if o.id not in ids or state in LIVE
    ]
    to = status_once_dates_decided(booking.status, left, state)
    updates = [SlotUpdate(state.value, ids=ids)]
    values: dict[str, Any] = {}
    if to is Status.APPROVED:
        values = all_tiers_done(booking)
    elif to in FINAL:
        # Nothing is left to hold, nor any change of it to wait for.
        values = {"hold_until": None, **NO_CHANGE_WAITING}
        updates.append(SlotUpdate(SUPERSEDED, states=frozenset({PROPOSED})))
    return change(
        booking,
        action,
        to=to,
        values=values,
        slot_updates=updates,
        comment=comment,
        details=details,
    )


def message_detail(message: Message) -> dict[str, Any]:
    """A message kept among an audit row's details: shown in the reader's language."""
    return {"message": message_data(message)}
