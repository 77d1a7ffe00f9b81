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

from booking.core.errors import StaleVersion, TransitionNotAllowed, refused
from booking.core.messages import Duration, Message
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
# Live and not yet approved: cancelling such a request withdraws it.
UNDECIDED = LIVE - {Status.APPROVED}
# Requests that compete for a room without holding it; approving one declines these.
COMPETING = frozenset({Status.PENDING, Status.CHANGES_REQUESTED})
# What a booking stores when no change of it waits for approval.
NO_CHANGE_WAITING = {"change_pending": False, "change_supersedes": None, "change_values": None}

MAX_HOLD = timedelta(days=30)

STATUS_NAMES = {
    Status.DRAFT: Message("status.draft"),
    Status.PENDING: Message("status.pending"),
    Status.CHANGES_REQUESTED: Message("status.changes_requested"),
    Status.HELD: Message("status.held"),
    Status.APPROVED: Message("status.approved"),
    Status.REJECTED: Message("status.rejected"),
    Status.CANCELLED: Message("status.cancelled"),
}


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
        raise StaleVersion()


def _not_now(code: str, **params: object) -> TransitionNotAllowed:
    return TransitionNotAllowed(Message(code, **params))


def submitted_status(state: BookingState, instant: bool) -> Status:
    """Submitting a draft, or resubmitting after changes were asked for."""
    if state.status not in (Status.DRAFT, Status.CHANGES_REQUESTED):
        raise _not_now("workflow.submit_only_draft", status=STATUS_NAMES[state.status])
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

    def describe(self) -> Message:
        tier = TIER_TITLES[self.tier]
        return Message("workflow.tier_step", number=self.number, of=self.of, tier=tier)


def current_tier(state: BookingState) -> TierRole | None:
    """The tier whose decision the request waits for, if it waits for one."""
    if not state.awaiting_decision or state.tiers_done >= len(state.required_tiers):
        return None
    return state.required_tiers[state.tiers_done]


def approval_step(state: BookingState) -> ApprovalStep:
    tier = current_tier(state)
    if tier is None:
        raise _why_no_decision(state) or _not_now(
            "workflow.approve_only_pending", status=STATUS_NAMES[state.status]
        )
    total = len(state.required_tiers)
    return ApprovalStep(tier, state.tiers_done + 1, total, state.tiers_done + 1 == total)


def check_can_reject(state: BookingState) -> TierRole:
    """Any tier may reject; returns the tier deciding now."""
    tier = current_tier(state)
    if tier is None:
        raise _why_no_decision(state) or _not_now(
            "workflow.reject_only_pending", status=STATUS_NAMES[state.status]
        )
    return tier


def check_can_request_changes(state: BookingState) -> TierRole:
    tier = current_tier(state)
    if state.status not in (Status.PENDING, Status.HELD) or tier is None:
        raise _not_now("workflow.request_changes_only_pending", status=STATUS_NAMES[state.status])
    return tier


def has_ended(state: BookingState, now: datetime) -> bool:
    return state.last_end is not None and state.last_end <= now


def check_not_ended(state: BookingState, now: datetime) -> None:
    """A request whose time is over can no longer be edited, submitted, held or approved."""
    if has_ended(state, now):
        raise _not_now("workflow.time_over")


def check_can_hold(state: BookingState, until: datetime, now: datetime) -> None:
    if state.status is not Status.PENDING:
        raise _not_now("workflow.hold_only_pending", status=STATUS_NAMES[state.status])
    # The time given is wrong whatever the state: a rule, not a state that forbids it.
    if until <= now:
        raise refused("until", Message("hold.in_the_past"))
    if until - now > MAX_HOLD:
        raise refused("until", Message("hold.too_long", most=Duration.of(MAX_HOLD)))


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
        raise _not_now("workflow.release_only_held", status=STATUS_NAMES[state.status])


# What a held request, and each of its held slots, is once its hold's time is up, even before a
# sweep has written so.
LAPSED_HOLD = Status.PENDING


def status_at(status: str, hold_until: datetime | None, now: datetime) -> str:
    """The status that a request, or one of its slots, stored as `status` has at `now`, given
    the request's `hold_until`: a hold whose time is up has lapsed."""
    if status == Status.HELD and hold_until is not None and hold_until <= now:
        return LAPSED_HOLD
    return status


def stored_states(statuses: Iterable[str]) -> list[str]:
    """The stored states that may stand as one of `statuses` at some moment: a held one too
    when a lapsed hold is asked for."""
    wanted = list(statuses)
    if LAPSED_HOLD in wanted and Status.HELD not in wanted:
        wanted.append(Status.HELD.value)
    return wanted


def hold_has_lapsed(state: BookingState, now: datetime) -> bool:
    return status_at(state.status, state.hold_until, now) != state.status


def check_not_final(state: BookingState) -> None:
    if state.status in FINAL:
        raise _not_now("workflow.already_final", status=STATUS_NAMES[state.status])


def check_can_cancel(state: BookingState, now: datetime) -> None:
    check_not_final(state)
    if has_ended(state, now):
        raise _not_now("workflow.cancel_ended")


class EditEffect(StrEnum):
    IN_PLACE = "in_place"  # the request keeps its state
    BACK_TO_PENDING = "back_to_pending"  # a new slot restarts the tiers (a hold is dropped)
    PROPOSE_CHANGE = "propose_change"  # approved: the new slot waits, the old one holds
    MOVE_NOW = "move_now"  # approved in instant-book rooms: moves at once


def edit_effect(state: BookingState, slot_changed: bool, instant: bool) -> EditEffect:
    if state.status in FINAL:
        raise _not_now("workflow.edit_final", status=STATUS_NAMES[state.status])
    if state.change_pending:
        raise _not_now("workflow.change_already_waiting")
    if not slot_changed or state.status in (Status.DRAFT, Status.CHANGES_REQUESTED):
        return EditEffect.IN_PLACE
    if state.status is Status.APPROVED:
        return EditEffect.MOVE_NOW if instant else EditEffect.PROPOSE_CHANGE
    return EditEffect.BACK_TO_PENDING


def _why_no_decision(state: BookingState) -> TransitionNotAllowed | None:
    """Why an approved request waits for no decision; None for the other states."""
    if state.status is Status.APPROVED:
        return _not_now("workflow.already_approved")
    return None


def tiers_from(names: Sequence[str]) -> tuple[TierRole, ...]:
    return tuple(TierRole(name) for name in names) or (TierRole.ROOM_MANAGER,)
