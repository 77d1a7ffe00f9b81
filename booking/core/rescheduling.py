"""A request's slots replaced by new ones: a new time or rooms for the whole request, for one
date, or for a series from a date on.

How the new slots take effect depends on the request (core.workflow.edit_effect): a draft
changes in place; a pending or held request goes back to pending and its tiers start again; an
approved booking in rooms that need approval keeps its slots while the new ones wait for the
tiers as a proposed change; in instant-book rooms it moves at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from booking.core.booking import Booking, WaitingValues
from booking.core.conflicts import Placement
from booking.core.events import Action
from booking.core.tiers import TierRole
from booking.core.transitions import Change, SlotUpdate, change
from booking.core.workflow import PROPOSED, SUPERSEDED, EditEffect, Status


def reslot(
    booking: Booking,
    effect: EditEffect,
    *,
    replaced: Sequence[int],
    new: Sequence[Placement],
    tiers: Sequence[TierRole],
    values: Mapping[str, Any] | None = None,
    deferred: Mapping[str, Any] | None = None,
    action: Action = Action.EDITED,
    comment: str = "",
    changes: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
) -> Change:
    """The change that replaces the slots `replaced` by `new` (none: only `values` change).

    `values` are set at once; `deferred` ones (a series' rule, the paid rental) take effect with
    the slots: at once, or when a change waiting for approval is approved."""
    tiers = tuple(tiers)
    deferred = dict(deferred or {})
    stored: dict[str, Any] = dict(values or {})
    if effect is not EditEffect.PROPOSE_CHANGE:
        stored |= deferred
    to, slots_to, new_state = booking.status, None, ""
    updates = [SlotUpdate(SUPERSEDED, ids=frozenset(replaced))] if new else []
    if effect is EditEffect.IN_PLACE:
        new_state = booking.status.value
        paid = deferred.get("paid_rental", booking.fields.paid_rental)
        if tiers != booking.required_tiers or paid != booking.fields.paid_rental:
            # The tiers start again, but an approved booking stays approved: its tiers stay
            # complete.
            done = len(tiers) if booking.status is Status.APPROVED else 0
            stored |= {"required_tiers": tiers, "tiers_done": done}
    elif effect is EditEffect.BACK_TO_PENDING:
        stored |= {"required_tiers": tiers, "tiers_done": 0, "hold_until": None}
        to, slots_to, new_state = Status.PENDING, Status.PENDING.value, Status.PENDING.value
    elif effect is EditEffect.PROPOSE_CHANGE:
        updates, new_state = [], PROPOSED
        stored |= {
            "required_tiers": tiers,
            "tiers_done": 0,
            "change_pending": True,
            "change_supersedes": frozenset(replaced),
            "change_values": WaitingValues(**deferred),
        }
        action = Action.CHANGE_PROPOSED
    else:  # EditEffect.MOVE_NOW
        new_state = Status.APPROVED.value
        stored |= {"required_tiers": tiers, "tiers_done": len(tiers)}
    return change(
        booking,
        action,
        to=to,
        values=stored,
        slots_to=slots_to,
        slot_updates=updates,
        new_slots=new,
        new_slots_state=new_state,
        comment=comment,
        changes=changes,
        details=details,
    )
