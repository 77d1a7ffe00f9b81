"""The actions a screen offers an actor for one request in its current state."""

from __future__ import annotations

from datetime import datetime

import pytest

from booking.core.access import Actor, BookingFacts
from booking.core.actions import available_actions
from booking.core.tiers import TierRole
from booking.core.workflow import BookingState, Status

from .builders import local

NOW = local("12:00")
LATER = local("18:00")
EARLIER = local("11:00")
RM = TierRole.ROOM_MANAGER
FIN = TierRole.FINANCE

# Organisation 7 asked, through user 100, for room 10 in building 1.
BOOKING = BookingFacts.of(7, requested_by=100, is_public=True, rooms=[(10, 1)])

REQUESTER = Actor(100, organisations=frozenset({7}))
APPROVER = Actor(400, approver_buildings=frozenset({1}))
FINANCE = Actor(500, finance=True)
ADMIN = Actor(1, admin=True)
OUTSIDER = Actor(300, organisations=frozenset({8}))


def state(
    status: Status,
    *,
    tiers: tuple[TierRole, ...] = (RM,),
    done: int = 0,
    change_pending: bool = False,
    hold_until: datetime | None = None,
    last_end: datetime | None = LATER,
) -> BookingState:
    return BookingState(
        status=status,
        version=1,
        required_tiers=tiers,
        tiers_done=done,
        change_pending=change_pending,
        hold_until=hold_until,
        last_end=last_end,
    )


PENDING = state(Status.PENDING)
PENDING_AT_FINANCE = state(Status.PENDING, tiers=(RM, FIN), done=1)
HELD = state(Status.HELD, hold_until=LATER)
HELD_AT_FINANCE = state(Status.HELD, tiers=(RM, FIN), done=1, hold_until=LATER)
APPROVED = state(Status.APPROVED, done=1)
CHANGE_PENDING = state(Status.APPROVED, change_pending=True)
CHANGE_AT_FINANCE = state(Status.APPROVED, tiers=(RM, FIN), done=1, change_pending=True)
DRAFT = state(Status.DRAFT)
DRAFT_WITHOUT_SLOT = state(Status.DRAFT, last_end=None)
CHANGES_REQUESTED = state(Status.CHANGES_REQUESTED)
CANCELLED = state(Status.CANCELLED)
REJECTED = state(Status.REJECTED)
ENDED_APPROVED = state(Status.APPROVED, done=1, last_end=EARLIER)
ENDED_PENDING = state(Status.PENDING, last_end=EARLIER)
ENDS_NOW = state(Status.APPROVED, done=1, last_end=NOW)

DECIDE = ["approve", "reject", "request_changes"]


CASES = [
    # pending
    ("requester-pending", REQUESTER, PENDING, ["edit", "cancel"]),
    ("approver-pending", APPROVER, PENDING, [*DECIDE, "hold", "cancel"]),
    ("finance-pending", FINANCE, PENDING, []),
    ("admin-pending", ADMIN, PENDING, ["edit", *DECIDE, "hold", "cancel"]),
    ("outsider-pending", OUTSIDER, PENDING, []),
    ("approver-pending-at-finance", APPROVER, PENDING_AT_FINANCE, ["hold", "cancel"]),
    ("finance-pending-at-finance", FINANCE, PENDING_AT_FINANCE, DECIDE),
    ("admin-pending-at-finance", ADMIN, PENDING_AT_FINANCE, ["edit", *DECIDE, "hold", "cancel"]),
    # held
    ("requester-held", REQUESTER, HELD, ["edit", "cancel"]),
    ("approver-held", APPROVER, HELD, [*DECIDE, "release", "cancel"]),
    ("finance-held", FINANCE, HELD, []),
    ("admin-held", ADMIN, HELD, ["edit", *DECIDE, "release", "cancel"]),
    ("approver-held-at-finance", APPROVER, HELD_AT_FINANCE, ["release", "cancel"]),
    ("finance-held-at-finance", FINANCE, HELD_AT_FINANCE, DECIDE),
    # approved
    ("requester-approved", REQUESTER, APPROVED, ["edit", "cancel"]),
    ("approver-approved", APPROVER, APPROVED, ["cancel"]),
    ("finance-approved", FINANCE, APPROVED, []),
    ("admin-approved", ADMIN, APPROVED, ["edit", "cancel"]),
    # approved, with a change waiting for approval
    ("requester-change-pending", REQUESTER, CHANGE_PENDING, ["cancel"]),
    ("approver-change-pending", APPROVER, CHANGE_PENDING, ["approve", "reject", "cancel"]),
    ("finance-change-pending", FINANCE, CHANGE_PENDING, []),
    ("admin-change-pending", ADMIN, CHANGE_PENDING, ["approve", "reject", "cancel"]),
    ("approver-change-at-finance", APPROVER, CHANGE_AT_FINANCE, ["cancel"]),
    ("finance-change-at-finance", FINANCE, CHANGE_AT_FINANCE, ["approve", "reject"]),
    # draft
    ("requester-draft", REQUESTER, DRAFT, ["edit", "submit", "cancel"]),
    ("requester-draft-no-slot", REQUESTER, DRAFT_WITHOUT_SLOT, ["edit", "submit", "cancel"]),
    ("approver-draft", APPROVER, DRAFT, ["cancel"]),
    ("finance-draft", FINANCE, DRAFT, []),
    ("admin-draft", ADMIN, DRAFT, ["edit", "submit", "cancel"]),
    # sent back for changes
    ("requester-changes-requested", REQUESTER, CHANGES_REQUESTED, ["edit", "submit", "cancel"]),
    ("approver-changes-requested", APPROVER, CHANGES_REQUESTED, ["cancel"]),
    ("finance-changes-requested", FINANCE, CHANGES_REQUESTED, []),
    ("admin-changes-requested", ADMIN, CHANGES_REQUESTED, ["edit", "submit", "cancel"]),
    # final
    ("requester-cancelled", REQUESTER, CANCELLED, []),
    ("approver-cancelled", APPROVER, CANCELLED, []),
    ("finance-cancelled", FINANCE, CANCELLED, []),
    ("admin-cancelled", ADMIN, CANCELLED, []),
    ("requester-rejected", REQUESTER, REJECTED, []),
    ("admin-rejected", ADMIN, REJECTED, []),
    # ended: nobody may cancel any more
    ("requester-ended", REQUESTER, ENDED_APPROVED, []),
    ("approver-ended", APPROVER, ENDED_APPROVED, []),
    ("admin-ended", ADMIN, ENDED_APPROVED, []),
    ("requester-ends-now", REQUESTER, ENDS_NOW, []),
    ("approver-ended-pending", APPROVER, ENDED_PENDING, []),
]


@pytest.mark.parametrize(
    ("actor", "current", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_available_actions(actor: Actor, current: BookingState, expected: list[str]) -> None:
    assert available_actions(actor, BOOKING, current, NOW) == expected


@pytest.mark.parametrize(
    "current",
    [PENDING, HELD, APPROVED, DRAFT],
    ids=["pending", "held", "approved", "draft"],
)
def test_nobody_signed_in(current: BookingState) -> None:
    assert available_actions(None, BOOKING, current, NOW) == []


def test_approver_of_one_of_two_buildings_cannot_decide() -> None:
    booking = BookingFacts.of(7, 100, True, [(10, 1), (20, 2)])
    assert available_actions(APPROVER, booking, PENDING, NOW) == []
    both = Actor(401, approver_buildings=frozenset({1, 2}))
    assert available_actions(both, booking, PENDING, NOW) == [*DECIDE, "hold", "cancel"]
