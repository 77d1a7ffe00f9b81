"""The booking state machine: what a request becomes, and what may be done to it."""

from __future__ import annotations

from datetime import datetime

import pytest

from booking.core.errors import TransitionNotAllowed
from booking.core.workflow import (
    FINAL,
    HOLDING,
    Status,
    check_can_approve,
    check_can_cancel,
    status_on_submission,
)

from .builders import at

NOW = at("12:00")


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ([True], Status.APPROVED),
        ([True, True, True], Status.APPROVED),
        ([False], Status.PENDING),
        ([True, False], Status.PENDING),
        ([False, True], Status.PENDING),
        ([], Status.PENDING),
    ],
    ids=["one-instant", "all-instant", "one-needs-approval", "mixed", "mixed-other-order", "none"],
)
def test_status_on_submission(flags: list[bool], expected: Status) -> None:
    assert status_on_submission(flags) is expected
    assert status_on_submission(iter(flags)) is expected


class TestCheckCanApprove:
    @pytest.mark.parametrize("status", [Status.PENDING, "pending"], ids=["enum", "text"])
    def test_pending_may_be_approved(self, status: str) -> None:
        check_can_approve(status)

    @pytest.mark.parametrize(
        "status",
        [Status.APPROVED, Status.REJECTED, Status.CANCELLED, "approved", "cancelled"],
        ids=["approved", "rejected", "cancelled", "approved-text", "cancelled-text"],
    )
    def test_anything_else_may_not(self, status: str) -> None:
        with pytest.raises(TransitionNotAllowed, match=f"this one is {status}$"):
            check_can_approve(status)


class TestCheckCanCancel:
    @pytest.mark.parametrize(
        ("status", "last_end"),
        [
            (Status.PENDING, at("12:01")),
            (Status.APPROVED, at("18:00")),
            ("approved", at("12:01")),
        ],
        ids=["pending", "approved", "approved-text"],
    )
    def test_live_request_that_has_not_ended(self, status: str, last_end: datetime) -> None:
        check_can_cancel(status, last_end, NOW)

    @pytest.mark.parametrize(
        "status",
        [Status.REJECTED, Status.CANCELLED, "rejected", "cancelled"],
        ids=["rejected", "cancelled", "rejected-text", "cancelled-text"],
    )
    def test_final_states(self, status: str) -> None:
        with pytest.raises(TransitionNotAllowed, match=f"already {status}$"):
            check_can_cancel(status, at("18:00"), NOW)

    @pytest.mark.parametrize(
        "last_end",
        [at("12:00"), at("11:59"), at("00:00")],
        ids=["ends-now", "just-ended", "long-ago"],
    )
    @pytest.mark.parametrize("status", [Status.PENDING, Status.APPROVED])
    def test_already_ended(self, status: str, last_end: datetime) -> None:
        with pytest.raises(TransitionNotAllowed, match="already ended"):
            check_can_cancel(status, last_end, NOW)

    def test_final_state_is_reported_before_the_end(self) -> None:
        with pytest.raises(TransitionNotAllowed, match="already cancelled"):
            check_can_cancel(Status.CANCELLED, at("09:00"), NOW)


def test_state_sets() -> None:
    assert frozenset({Status.APPROVED}) == HOLDING
    assert frozenset({Status.REJECTED, Status.CANCELLED}) == FINAL
    assert "approved" in HOLDING
    assert "pending" not in HOLDING
    assert not HOLDING & FINAL
