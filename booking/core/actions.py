"""What an actor can do with a request right now: the buttons a screen offers."""

from __future__ import annotations

from datetime import datetime

from booking.core.access import Actor, BookingFacts, can_cancel, can_change, manages
from booking.core.tiers import can_decide_tier
from booking.core.workflow import FINAL, BookingState, Status, current_tier, has_ended


def available_actions(
    actor: Actor | None, booking: BookingFacts, state: BookingState, now: datetime
) -> list[str]:
    if actor is None or has_ended(state, now):
        return []
    actions: list[str] = []
    requester = can_change(actor, booking)
    if requester and state.status not in FINAL and not state.change_pending:
        actions.append("edit")
    if requester and state.status in (Status.DRAFT, Status.CHANGES_REQUESTED):
        actions.append("submit")
    tier = current_tier(state)
    if tier is not None and can_decide_tier(actor, booking, tier):
        actions += ["approve", "reject"]
        if state.status in (Status.PENDING, Status.HELD):
            actions.append("request_changes")
    if manages(actor, booking):
        if state.status is Status.PENDING:
            actions.append("hold")
        if state.status is Status.HELD:
            actions.append("release")
    if can_cancel(actor, booking) and state.status not in FINAL:
        actions.append("cancel")
    return actions
