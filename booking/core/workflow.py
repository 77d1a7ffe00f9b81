"""The life of a booking request as an explicit state machine.

    draft ──submit──▶ pending ──approve (last tier)──▶ approved
                        │  ▲ ╲──approve (earlier tier)──▶ pending, next tier
                        │  │  ╲─reject──▶ rejected
          request changes  resubmit
                        ▼  │
                  changes_requested
    pending ──hold (until)──▶ held ──expiry or release──▶ pending
    any state but rejected/cancelled ──cancel (before the end)──▶ cancelled

An approved request whose time or rooms are edited keeps its slot while the change goes through
the tiers again (`change_pending`); approving the change moves the booking, rejecting it keeps
the old slot. Each function here checks one transition and says what it leads to; the services
apply the result, write the audit row and bump the version in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from booking.core.errors import FieldProblem, RuleViolation, StaleVersion, TransitionNotAllowed
from booking.core.tiers import TIER_TITLES, TierRole


class Status(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    CHANGES_REQUESTED = "changes_requested"
    HELD = "held"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


# Occurrence-only states: the slots of a change waiting for approval, and slots given up.
PROPOSED = "proposed"
SUPERSEDED = "superseded"

# The states in which an occurrence keeps its room from anybody else. The PostgreSQL exclusion
# constraint lists the same states; a migration must change both together.
HOLDING = frozenset({Status.APPROVED, Status.HELD})
FINAL = frozenset({Status.REJECTED, Status.CANCELLED})
# The states of a request, or of one of its dates, that still count.
LIVE = frozenset(Status) - FINAL
# Requests that compete for a room without holding it; approving one declines these.
COMPETING = frozenset({Status.PENDING, Status.CHANGES_REQUESTED})
# What a booking stores when no change of it waits for approval.
NO_CHANGE_WAITING = {"change_pending": False, "change_supersedes": "", "change_values": ""}

MAX_HOLD = timedelta(days=30)


class Action(StrEnum):
    """What the audit trail records; each transition and each edit is one of these."""

    CREATED = "created"
    SUBMITTED = "submitted"
    TIER_APPROVED = "tier_approved"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"
    HELD = "held"
    HOLD_RELEASED = "hold_released"
    HOLD_LAPSED = "hold_lapsed"
    CANCELLED = "cancelled"
    EDITED = "edited"
    CHANGE_PROPOSED = "change_proposed"
    CHANGE_APPROVED = "change_approved"
    CHANGE_REJECTED = "change_rejected"
    DECLINED = "declined"
    DATE_CANCELLED = "date_cancelled"
    DATES_MOVED = "dates_moved"
    DATE_APPROVED = "date_approved"
    DATE_REJECTED = "date_rejected"
    DATE_RESTORED = "date_restored"
    BUFFERS_CHANGED = "buffers_changed"


@dataclass(frozen=True, slots=True)
class BookingState:
    status: Status
    version: int
    required_tiers: tuple[TierRole, ...] = (TierRole.ROOM_MANAGER,)
    tiers_done: int = 0
    change_pending: bool = False
    hold_until: datetime | None = None
    last_end: datetime | None = None

    @property
    def awaiting_decision(self) -> bool:
        return self.status in (Status.PENDING, Status.HELD) or (
            self.status is Status.APPROVED and self.change_pending
        )


def check_version(state: BookingState, seen: int) -> None:
    if seen != state.version:
        raise StaleVersion(current=None)


def _not_now(message: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(message)


def submitted_status(state: BookingState, instant: bool) -> Status:
    """Submitting a draft, or resubmitting after changes were asked for."""
    if state.status not in (Status.DRAFT, Status.CHANGES_REQUESTED):
        raise _not_now(
            f"only a draft or a request sent back for changes can be submitted; "
            f"this one is {state.status}"
        )
    return Status.APPROVED if instant else Status.PENDING


def status_on_creation(submit: bool, instant: bool) -> Status:
    if not submit:
        return Status.DRAFT
    return Status.APPROVED if instant else Status.PENDING


@dataclass(frozen=True, slots=True)
class ApprovalStep:
    tier: TierRole
    number: int  # 1-based
    of: int
    final: bool

    def describe(self) -> str:
        return f"tier {self.number} of {self.of} ({TIER_TITLES[self.tier]})"


def current_tier(state: BookingState) -> TierRole | None:
    """The tier whose decision the request waits for, if it waits for one."""
    if not state.awaiting_decision or state.tiers_done >= len(state.required_tiers):
        return None
    return state.required_tiers[state.tiers_done]


def approval_step(state: BookingState) -> ApprovalStep:
    tier = current_tier(state)
    if tier is None:
        raise _not_now(_why_no_decision(state, "approved"))
    total = len(state.required_tiers)
    return ApprovalStep(tier, state.tiers_done + 1, total, state.tiers_done + 1 == total)


def check_can_reject(state: BookingState) -> TierRole:
    """Any tier may reject; returns the tier deciding now."""
    tier = current_tier(state)
    if tier is None:
        raise _not_now(_why_no_decision(state, "rejected"))
    return tier


def check_can_request_changes(state: BookingState) -> TierRole:
    tier = current_tier(state)
    if state.status not in (Status.PENDING, Status.HELD) or tier is None:
        raise _not_now(
            f"changes can be asked for only on a pending request; this one is {state.status}"
        )
    return tier


def has_ended(state: BookingState, now: datetime) -> bool:
    return state.last_end is not None and state.last_end <= now


def check_not_ended(state: BookingState, now: datetime) -> None:
    """A request whose time is over can no longer be edited, submitted, held or approved."""
    if has_ended(state, now):
        raise _not_now("the time of this request is over")


def check_can_hold(state: BookingState, until: datetime, now: datetime) -> None:
    if state.status is not Status.PENDING:
        raise _not_now(f"only a pending request can be held; this one is {state.status}")
    # The time given is wrong whatever the state: a rule, not a state that forbids it.
    if until <= now:
        raise RuleViolation([FieldProblem("until", "a hold must end in the future")])
    if until - now > MAX_HOLD:
        raise RuleViolation(
            [FieldProblem("until", f"a hold may last at most {MAX_HOLD.days} days")]
        )


def status_once_dates_decided(
    status: Status, left: Iterable[str], emptied: Status
) -> Status | None:
    """A request's status after dates were decided or cancelled one by one: `emptied` when no
    date is left; approved when every date left is approved while the request itself is not;
    else unchanged (None)."""
    remaining = list(left)
    if not remaining:
        return emptied
    if status is not Status.APPROVED and all(s == Status.APPROVED for s in remaining):
        return Status.APPROVED
    return None


def check_can_release(state: BookingState) -> None:
    if state.status is not Status.HELD:
        raise _not_now(f"only a held request can be released; this one is {state.status}")


def hold_has_lapsed(state: BookingState, now: datetime) -> bool:
    return state.status is Status.HELD and state.hold_until is not None and state.hold_until <= now


def check_not_final(state: BookingState) -> None:
    if state.status in FINAL:
        raise _not_now(f"this request is already {state.status}")


def check_can_cancel(state: BookingState, now: datetime) -> None:
    check_not_final(state)
    if has_ended(state, now):
        raise _not_now("this booking has already ended and can no longer be cancelled")


class EditEffect(StrEnum):
    IN_PLACE = "in_place"  # the request keeps its state
    BACK_TO_PENDING = "back_to_pending"  # a new slot restarts the tiers (a hold is dropped)
    PROPOSE_CHANGE = "propose_change"  # approved: the new slot waits, the old one holds
    MOVE_NOW = "move_now"  # approved in instant-book rooms: moves at once


def edit_effect(state: BookingState, slot_changed: bool, instant: bool) -> EditEffect:
    if state.status in FINAL:
        raise _not_now(f"a {state.status} request can no longer be edited")
    if state.change_pending:
        raise _not_now("a change of this booking is already waiting for approval")
    if not slot_changed or state.status in (Status.DRAFT, Status.CHANGES_REQUESTED):
        return EditEffect.IN_PLACE
    if state.status is Status.APPROVED:
        return EditEffect.MOVE_NOW if instant else EditEffect.PROPOSE_CHANGE
    return EditEffect.BACK_TO_PENDING


def _why_no_decision(state: BookingState, verb: str) -> str:
    if state.status is Status.APPROVED:
        return "this request is already approved"
    return f"only a pending request can be {verb}; this one is {state.status}"


def tiers_from(names: Sequence[str]) -> tuple[TierRole, ...]:
    return tuple(TierRole(name) for name in names) or (TierRole.ROOM_MANAGER,)
