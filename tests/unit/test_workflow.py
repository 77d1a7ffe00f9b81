"""The booking state machine: what a request becomes, and what may be done to it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from booking.core.errors import RuleViolation, StaleVersion, TransitionNotAllowed
from booking.core.tiers import TierRole
from booking.core.workflow import (
    COMPETING,
    FINAL,
    HOLDING,
    MAX_HOLD,
    ApprovalStep,
    BookingState,
    EditEffect,
    Status,
    approval_step,
    check_can_cancel,
    check_can_hold,
    check_can_reject,
    check_can_release,
    check_can_request_changes,
    check_version,
    current_tier,
    edit_effect,
    hold_has_lapsed,
    status_at,
    status_on_creation,
    stored_states,
    submitted_status,
    tiers_from,
)

from .builders import english, local, minutes, named, reasons, refused

NOW = local("12:00")
RM = TierRole.ROOM_MANAGER
FIN = TierRole.FINANCE
TWO_TIERS = (RM, FIN)


def state(
    status: Status,
    *,
    version: int = 1,
    tiers: tuple[TierRole, ...] = (RM,),
    done: int = 0,
    change_pending: bool = False,
    hold_until: datetime | None = None,
    last_end: datetime | None = None,
) -> BookingState:
    return BookingState(
        status=status,
        version=version,
        required_tiers=tiers,
        tiers_done=done,
        change_pending=change_pending,
        hold_until=hold_until,
        last_end=last_end,
    )


EDITABLE = (
    Status.DRAFT,
    Status.PENDING,
    Status.CHANGES_REQUESTED,
    Status.HELD,
    Status.APPROVED,
)


def other_than(*kept: Status) -> list[Status]:
    return [s for s in Status if s not in kept]


class TestStateSets:
    def test_holding(self) -> None:
        assert frozenset({Status.APPROVED, Status.HELD}) == HOLDING

    def test_final(self) -> None:
        assert frozenset({Status.REJECTED, Status.CANCELLED}) == FINAL

    def test_competing(self) -> None:
        assert frozenset({Status.PENDING, Status.CHANGES_REQUESTED}) == COMPETING

    def test_sets_are_disjoint_and_leave_only_drafts_out(self) -> None:
        assert not HOLDING & FINAL
        assert not HOLDING & COMPETING
        assert not FINAL & COMPETING
        assert set(Status) - (HOLDING | FINAL | COMPETING) == {Status.DRAFT}

    @pytest.mark.parametrize(
        ("text", "holding"),
        [("approved", True), ("held", True), ("pending", False), ("cancelled", False)],
        ids=["approved", "held", "pending", "cancelled"],
    )
    def test_stored_text_matches(self, text: str, holding: bool) -> None:
        assert (text in HOLDING) is holding


class TestSubmittedStatus:
    @pytest.mark.parametrize("status", [Status.DRAFT, Status.CHANGES_REQUESTED])
    @pytest.mark.parametrize(
        ("instant", "expected"),
        [(True, Status.APPROVED), (False, Status.PENDING)],
        ids=["instant", "needs-approval"],
    )
    def test_submittable(self, status: Status, instant: bool, expected: Status) -> None:
        assert submitted_status(state(status), instant) is expected

    @pytest.mark.parametrize("status", other_than(Status.DRAFT, Status.CHANGES_REQUESTED))
    @pytest.mark.parametrize("instant", [True, False], ids=["instant", "needs-approval"])
    def test_refused_from_every_other_state(self, status: Status, instant: bool) -> None:
        with refused(TransitionNotAllowed, match=f"this one is {named(status)}$"):
            submitted_status(state(status), instant)


@pytest.mark.parametrize(
    ("submit", "instant", "expected"),
    [
        (False, False, Status.DRAFT),
        (False, True, Status.DRAFT),
        (True, False, Status.PENDING),
        (True, True, Status.APPROVED),
    ],
    ids=["draft", "draft-in-instant-rooms", "submitted", "submitted-instant"],
)
def test_status_on_creation(submit: bool, instant: bool, expected: Status) -> None:
    assert status_on_creation(submit, instant) is expected


class TestApprovalChain:
    @pytest.mark.parametrize(
        ("status", "change_pending"),
        [(Status.PENDING, False), (Status.HELD, False), (Status.APPROVED, True)],
        ids=["pending", "held", "approved-change-pending"],
    )
    @pytest.mark.parametrize(
        ("done", "expected", "text"),
        [
            (0, ApprovalStep(RM, 1, 2, final=False), "tier 1 of 2 (room manager)"),
            (1, ApprovalStep(FIN, 2, 2, final=True), "tier 2 of 2 (finance)"),
        ],
        ids=["tier-1", "tier-2"],
    )
    def test_two_tier_chain(
        self,
        status: Status,
        change_pending: bool,
        done: int,
        expected: ApprovalStep,
        text: str,
    ) -> None:
        current = state(status, tiers=TWO_TIERS, done=done, change_pending=change_pending)
        assert current.awaiting_decision
        assert current_tier(current) is expected.tier
        step = approval_step(current)
        assert step == expected
        assert english(step.describe()) == text

    def test_single_tier_is_final_at_once(self) -> None:
        step = approval_step(state(Status.PENDING))
        assert step == ApprovalStep(RM, 1, 1, final=True)
        assert english(step.describe()) == "tier 1 of 1 (room manager)"

    def test_walking_the_chain(self) -> None:
        first = state(Status.PENDING, version=3, tiers=TWO_TIERS)
        assert approval_step(first) == ApprovalStep(RM, 1, 2, final=False)
        second = replace(first, tiers_done=1, version=4)
        assert approval_step(second) == ApprovalStep(FIN, 2, 2, final=True)
        done = replace(second, tiers_done=2, version=5)
        assert current_tier(done) is None
        with refused(TransitionNotAllowed, match=r"this one is pending$"):
            approval_step(done)

    @pytest.mark.parametrize("done", [0, 1, 2], ids=["none-done", "one-done", "all-done"])
    def test_approved_without_change_is_not_decided_again(self, done: int) -> None:
        current = state(Status.APPROVED, tiers=TWO_TIERS, done=done)
        assert not current.awaiting_decision
        assert current_tier(current) is None
        with refused(TransitionNotAllowed, match=r"^this request is already approved$"):
            approval_step(current)

    def test_approved_with_change_pending_is_decided(self) -> None:
        current = state(Status.APPROVED, tiers=TWO_TIERS, change_pending=True)
        assert approval_step(current) == ApprovalStep(RM, 1, 2, final=False)

    @pytest.mark.parametrize(
        "status", [Status.DRAFT, Status.CHANGES_REQUESTED, Status.REJECTED, Status.CANCELLED]
    )
    def test_nothing_to_decide(self, status: Status) -> None:
        current = state(status, tiers=TWO_TIERS)
        assert not current.awaiting_decision
        assert current_tier(current) is None
        with refused(
            TransitionNotAllowed,
            match=f"^only a pending request can be approved; this one is {named(status)}$",
        ):
            approval_step(current)


class TestCheckCanReject:
    @pytest.mark.parametrize(
        ("current", "tier"),
        [
            (state(Status.PENDING), RM),
            (state(Status.PENDING, tiers=TWO_TIERS, done=1), FIN),
            (state(Status.HELD, tiers=TWO_TIERS), RM),
            (state(Status.APPROVED, tiers=TWO_TIERS, done=1, change_pending=True), FIN),
        ],
        ids=["pending", "pending-at-finance", "held", "approved-change-pending"],
    )
    def test_returns_the_deciding_tier(self, current: BookingState, tier: TierRole) -> None:
        assert check_can_reject(current) is tier

    @pytest.mark.parametrize(
        ("current", "message"),
        [
            (state(Status.APPROVED, done=1), "already approved"),
            (state(Status.DRAFT), "can be rejected; this one is draft"),
            (state(Status.CHANGES_REQUESTED), "can be rejected; this one is changes requested"),
            (state(Status.REJECTED), "can be rejected; this one is rejected"),
            (state(Status.CANCELLED), "can be rejected; this one is cancelled"),
        ],
        ids=["approved", "draft", "changes-requested", "rejected", "cancelled"],
    )
    def test_refused(self, current: BookingState, message: str) -> None:
        with refused(TransitionNotAllowed, match=message):
            check_can_reject(current)


class TestCheckCanRequestChanges:
    @pytest.mark.parametrize("status", [Status.PENDING, Status.HELD])
    @pytest.mark.parametrize(("done", "tier"), [(0, RM), (1, FIN)], ids=["tier-1", "tier-2"])
    def test_pending_or_held(self, status: Status, done: int, tier: TierRole) -> None:
        assert check_can_request_changes(state(status, tiers=TWO_TIERS, done=done)) is tier

    @pytest.mark.parametrize(
        "current",
        [
            state(Status.DRAFT),
            state(Status.CHANGES_REQUESTED),
            state(Status.APPROVED, done=1),
            state(Status.APPROVED, change_pending=True),
            state(Status.REJECTED),
            state(Status.CANCELLED),
        ],
        ids=[
            "draft",
            "changes-requested",
            "approved",
            "approved-change-pending",
            "rejected",
            "cancelled",
        ],
    )
    def test_refused(self, current: BookingState) -> None:
        with refused(TransitionNotAllowed, match=f"this one is {named(current.status)}$"):
            check_can_request_changes(current)


class TestCheckCanHold:
    @pytest.mark.parametrize(
        "until",
        [
            NOW + minutes(1),
            local("18:00"),
            NOW + MAX_HOLD,
            (NOW + MAX_HOLD).astimezone(UTC),
        ],
        ids=["a-minute", "this-evening", "exactly-max", "exactly-max-given-in-utc"],
    )
    def test_pending_until_a_future_time(self, until: datetime) -> None:
        check_can_hold(state(Status.PENDING), until, NOW)

    def test_max_hold_is_thirty_days(self) -> None:
        assert timedelta(days=30) == MAX_HOLD

    @pytest.mark.parametrize(
        "until",
        [NOW, NOW.astimezone(UTC), NOW - minutes(1), local("08:00")],
        ids=["now", "now-given-in-utc", "a-minute-ago", "this-morning"],
    )
    def test_until_must_be_in_the_future(self, until: datetime) -> None:
        with pytest.raises(RuleViolation) as refused:
            check_can_hold(state(Status.PENDING), until, NOW)
        assert reasons(refused.value) == [("until", "a hold must end in the future")]

    @pytest.mark.parametrize(
        "until",
        [NOW + MAX_HOLD + minutes(1), NOW + timedelta(days=31), NOW + timedelta(days=365)],
        ids=["max-and-a-minute", "31-days", "a-year"],
    )
    def test_at_most_max_hold(self, until: datetime) -> None:
        with pytest.raises(RuleViolation) as refused:
            check_can_hold(state(Status.PENDING), until, NOW)
        assert reasons(refused.value) == [("until", "a hold may last at most 30 days")]

    @pytest.mark.parametrize("status", other_than(Status.PENDING))
    def test_only_pending(self, status: Status) -> None:
        with refused(TransitionNotAllowed, match=f"only a pending .* this one is {named(status)}$"):
            check_can_hold(state(status), local("18:00"), NOW)


class TestCheckCanRelease:
    def test_held(self) -> None:
        check_can_release(state(Status.HELD, hold_until=local("18:00")))

    @pytest.mark.parametrize("status", other_than(Status.HELD))
    def test_anything_else(self, status: Status) -> None:
        with refused(TransitionNotAllowed, match=f"only a held .* this one is {named(status)}$"):
            check_can_release(state(status))


@pytest.mark.parametrize(
    ("current", "lapsed"),
    [
        (state(Status.HELD, hold_until=NOW - minutes(1)), True),
        (state(Status.HELD, hold_until=NOW), True),
        (state(Status.HELD, hold_until=NOW.astimezone(UTC)), True),
        (state(Status.HELD, hold_until=NOW + minutes(1)), False),
        (state(Status.HELD, hold_until=None), False),
        (state(Status.PENDING, hold_until=NOW - minutes(1)), False),
        (state(Status.APPROVED, hold_until=NOW - minutes(1)), False),
    ],
    ids=[
        "held-past",
        "held-until-now",
        "held-until-now-in-utc",
        "held-future",
        "held-without-end",
        "pending-old-hold",
        "approved-old-hold",
    ],
)
def test_hold_has_lapsed(current: BookingState, lapsed: bool) -> None:
    assert hold_has_lapsed(current, NOW) is lapsed


@pytest.mark.parametrize(
    ("stored", "hold_until", "expected"),
    [
        ("held", NOW - minutes(1), "pending"),
        ("held", NOW, "pending"),
        ("held", NOW + minutes(1), "held"),
        ("held", None, "held"),
        ("pending", NOW - minutes(1), "pending"),
        ("approved", NOW - minutes(1), "approved"),
        ("proposed", NOW - minutes(1), "proposed"),
        ("superseded", None, "superseded"),
    ],
)
def test_status_at(stored: str, hold_until: datetime | None, expected: str) -> None:
    assert status_at(stored, hold_until, NOW) == expected


@pytest.mark.parametrize(
    ("asked", "stored"),
    [
        (["pending"], ["pending", "held"]),
        (["pending", "held"], ["pending", "held"]),
        (["held"], ["held"]),
        (["approved", "proposed"], ["approved", "proposed"]),
        ([], []),
    ],
)
def test_stored_states_are_those_that_may_stand_as_asked(
    asked: list[str], stored: list[str]
) -> None:
    assert stored_states(asked) == stored


class TestCheckCanCancel:
    @pytest.mark.parametrize("status", other_than(*FINAL))
    @pytest.mark.parametrize(
        "last_end", [None, NOW + minutes(1), local("18:00")], ids=["no-slot", "soon", "evening"]
    )
    def test_live_request_that_has_not_ended(
        self, status: Status, last_end: datetime | None
    ) -> None:
        check_can_cancel(state(status, last_end=last_end), NOW)

    @pytest.mark.parametrize("status", sorted(FINAL))
    @pytest.mark.parametrize("last_end", [None, local("18:00")], ids=["no-slot", "evening"])
    def test_final_states(self, status: Status, last_end: datetime | None) -> None:
        with refused(TransitionNotAllowed, match=f"^this request is already {named(status)}$"):
            check_can_cancel(state(status, last_end=last_end), NOW)

    @pytest.mark.parametrize("status", other_than(*FINAL))
    @pytest.mark.parametrize(
        "last_end",
        [NOW, NOW.astimezone(UTC), NOW - minutes(1), local("00:00")],
        ids=["ends-now", "ends-now-in-utc", "just-ended", "long-ago"],
    )
    def test_already_ended(self, status: Status, last_end: datetime) -> None:
        with refused(TransitionNotAllowed, match="already ended"):
            check_can_cancel(state(status, last_end=last_end), NOW)

    def test_final_state_is_reported_before_the_end(self) -> None:
        with refused(TransitionNotAllowed, match="already cancelled"):
            check_can_cancel(state(Status.CANCELLED, last_end=local("09:00")), NOW)


class TestCheckVersion:
    def test_same_version(self) -> None:
        check_version(state(Status.PENDING, version=4), 4)

    @pytest.mark.parametrize("seen", [3, 5, 0], ids=["older", "newer", "zero"])
    def test_other_version(self, seen: int) -> None:
        with refused(StaleVersion, match="changed since you last saw it") as caught:
            check_version(state(Status.PENDING, version=4), seen)
        assert caught.value.current is None


class TestEditEffect:
    @pytest.mark.parametrize("status", EDITABLE)
    @pytest.mark.parametrize("instant", [True, False], ids=["instant", "needs-approval"])
    def test_same_slot_edits_in_place(self, status: Status, instant: bool) -> None:
        current = state(status, done=1 if status is Status.APPROVED else 0)
        assert edit_effect(current, slot_changed=False, instant=instant) is EditEffect.IN_PLACE

    @pytest.mark.parametrize(
        ("status", "instant", "expected"),
        [
            (Status.DRAFT, True, EditEffect.IN_PLACE),
            (Status.DRAFT, False, EditEffect.IN_PLACE),
            (Status.CHANGES_REQUESTED, True, EditEffect.IN_PLACE),
            (Status.CHANGES_REQUESTED, False, EditEffect.IN_PLACE),
            (Status.PENDING, True, EditEffect.BACK_TO_PENDING),
            (Status.PENDING, False, EditEffect.BACK_TO_PENDING),
            (Status.HELD, True, EditEffect.BACK_TO_PENDING),
            (Status.HELD, False, EditEffect.BACK_TO_PENDING),
            (Status.APPROVED, True, EditEffect.MOVE_NOW),
            (Status.APPROVED, False, EditEffect.PROPOSE_CHANGE),
        ],
        ids=[
            "draft-instant",
            "draft",
            "changes-requested-instant",
            "changes-requested",
            "pending-instant",
            "pending",
            "held-instant",
            "held",
            "approved-instant",
            "approved",
        ],
    )
    def test_new_slot(self, status: Status, instant: bool, expected: EditEffect) -> None:
        current = state(status, done=1 if status is Status.APPROVED else 0)
        assert edit_effect(current, slot_changed=True, instant=instant) is expected

    @pytest.mark.parametrize("status", sorted(FINAL))
    @pytest.mark.parametrize("slot_changed", [True, False], ids=["new-slot", "same-slot"])
    @pytest.mark.parametrize("instant", [True, False], ids=["instant", "needs-approval"])
    def test_final_states_are_not_edited(
        self, status: Status, slot_changed: bool, instant: bool
    ) -> None:
        with refused(TransitionNotAllowed, match=f"^a {named(status)} request can no longer"):
            edit_effect(state(status), slot_changed, instant)

    @pytest.mark.parametrize("slot_changed", [True, False], ids=["new-slot", "same-slot"])
    @pytest.mark.parametrize("instant", [True, False], ids=["instant", "needs-approval"])
    def test_not_while_a_change_waits(self, slot_changed: bool, instant: bool) -> None:
        current = state(Status.APPROVED, tiers=TWO_TIERS, done=1, change_pending=True)
        with refused(TransitionNotAllowed, match="already waiting for approval"):
            edit_effect(current, slot_changed, instant)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([], (RM,)),
        (["room_manager"], (RM,)),
        (["finance"], (FIN,)),
        (["room_manager", "finance"], (RM, FIN)),
        (("finance", "room_manager"), (FIN, RM)),
    ],
    ids=["none-means-room-manager", "room-manager", "finance", "both", "kept-in-order"],
)
def test_tiers_from(names: list[str], expected: tuple[TierRole, ...]) -> None:
    tiers = tiers_from(names)
    assert tiers == expected
    assert all(isinstance(t, TierRole) for t in tiers)


def test_tiers_from_refuses_unknown_names() -> None:
    with pytest.raises(ValueError, match="'caretaker' is not a valid TierRole"):
        tiers_from(["room_manager", "caretaker"])
