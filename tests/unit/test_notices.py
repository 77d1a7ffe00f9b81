"""Who hears what of one change, from its events alone (core.notifications.notices_of_change),
and how often a delivery is tried."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest

from booking.core.events import Action
from booking.core.notifications import (
    MAX_ATTEMPTS,
    Audience,
    Kind,
    Notice,
    gives_up,
    notices_of_change,
    retry_delay,
)

R, A = Audience.REQUESTER, Audience.APPROVERS


def _said(*events: tuple[Action, Mapping[str, Any]]) -> list[tuple[Kind, Audience]]:
    return [(n.kind, n.audience) for n in notices_of_change(list(events))]


@pytest.mark.parametrize(
    ("events", "heard"),
    [
        # A request sent: its requester hears it came in, the approvers that it waits.
        ([Action.CREATED, Action.SUBMITTED], [(Kind.SUBMITTED, R), (Kind.AWAITING_DECISION, A)]),
        # Instant-book: approved on creation, nobody to ask.
        ([Action.CREATED, Action.APPROVED], [(Kind.APPROVED, R)]),
        # A draft saved says nothing to anyone.
        ([Action.CREATED], []),
        ([Action.EDITED], []),
        # The first of two tiers approved: only the next tier hears of it.
        ([Action.TIER_APPROVED], [(Kind.AWAITING_DECISION, A)]),
        ([Action.APPROVED], [(Kind.APPROVED, R)]),
        ([Action.REJECTED], [(Kind.REJECTED, R)]),
        ([Action.CHANGES_REQUESTED], [(Kind.CHANGES_REQUESTED, R)]),
        ([Action.HELD], [(Kind.HELD, R)]),
        ([Action.HOLD_LAPSED], [(Kind.HOLD_LAPSED, R)]),
        ([Action.HOLD_RELEASED], []),
        ([Action.CANCELLED], [(Kind.CANCELLED, R)]),
        ([Action.DECLINED], [(Kind.DECLINED, R)]),
        # A change of an approved booking waits for the approvers; its decision is the
        # requester's news, once, whatever else the change caused.
        ([Action.CHANGE_PROPOSED], [(Kind.AWAITING_DECISION, A)]),
        ([Action.CHANGE_APPROVED, Action.APPROVED], [(Kind.CHANGE_DECIDED, R)]),
        ([Action.CHANGE_REJECTED], [(Kind.CHANGE_DECIDED, R)]),
        # A date on its own; the last date going takes the request with it, and that is said.
        ([Action.DATE_CANCELLED], [(Kind.DATES_CHANGED, R)]),
        ([Action.DATE_CANCELLED, Action.CANCELLED], [(Kind.CANCELLED, R)]),
        ([Action.DATE_REJECTED, Action.REJECTED], [(Kind.REJECTED, R)]),
        ([Action.DATE_APPROVED, Action.APPROVED], [(Kind.APPROVED, R)]),
        ([Action.DATE_APPROVED], []),
        ([Action.DATES_MOVED], [(Kind.DATES_CHANGED, R)]),
        ([Action.DATE_RESTORED], [(Kind.DATES_CHANGED, R)]),
        ([Action.BUFFERS_CHANGED], []),
    ],
    ids=lambda value: "+".join(str(v) for v in value) if isinstance(value, list) else None,
)
def test_who_hears_of_a_change(events: list[Action], heard: list[tuple[Kind, Audience]]) -> None:
    assert _said(*((action, {}) for action in events)) == heard


def test_a_change_that_also_settled_the_request_asks_nobody() -> None:
    """Whatever asked for a decision, a change that ended in one leaves nothing waiting."""
    assert _said((Action.SUBMITTED, {}), (Action.APPROVED, {})) == [(Kind.APPROVED, R)]


def test_the_notice_carries_the_events_data_and_its_action() -> None:
    (notice,) = notices_of_change(
        [(Action.DATE_REJECTED, {"date": "2027-01-20", "tier": "room_manager", "comment": "Nu."})]
    )
    assert notice == Notice(
        Kind.DATES_CHANGED,
        R,
        {"date": "2027-01-20", "tier": "room_manager", "comment": "Nu.", "action": "date_rejected"},
    )


@pytest.mark.parametrize(
    ("action", "approved"), [(Action.CHANGE_APPROVED, True), (Action.CHANGE_REJECTED, False)]
)
def test_a_change_decided_says_which_way(action: Action, approved: bool) -> None:
    (notice,) = notices_of_change([(action, {"comment": "x"})])
    assert notice.data["approved"] is approved
    assert notice.data["comment"] == "x"


def test_the_approvers_hear_what_asked_them() -> None:
    notices = notices_of_change([(Action.CREATED, {}), (Action.SUBMITTED, {"to": "pending"})])
    assert notices[-1] == Notice(Kind.AWAITING_DECISION, A, {"action": "submitted"})


def test_a_declined_request_keeps_its_alternatives() -> None:
    offered = {"rooms": [{"id": 2, "code": "X-2"}], "slots": []}
    (notice,) = notices_of_change([(Action.DECLINED, {"alternatives": offered})])
    assert notice.data["alternatives"] == offered


def test_the_events_data_is_not_changed() -> None:
    data = {"comment": "x"}
    notices_of_change([(Action.REJECTED, data)])
    assert data == {"comment": "x"}


def test_retries_back_off_then_give_up() -> None:
    assert [retry_delay(n) for n in (0, 1, 2, 3, 4)] == [
        timedelta(minutes=m) for m in (1, 1, 2, 4, 8)
    ]
    assert not gives_up(MAX_ATTEMPTS - 1)
    assert gives_up(MAX_ATTEMPTS)
