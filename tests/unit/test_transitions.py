"""What a change writes and the events it causes, decided by the core (core/transitions.py and
core/rescheduling.py), without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from booking.core.booking import Booking, BookingFields, Slot, WaitingValues
from booking.core.conflicts import Placement
from booking.core.creation import new_booking
from booking.core.events import Action
from booking.core.rescheduling import reslot
from booking.core.tiers import TierRole
from booking.core.timespan import TimeSpan
from booking.core.transitions import (
    LIVE_SLOT_STATES,
    SlotUpdate,
    change,
    dates_decided,
    events_caused,
    request_refused,
)
from booking.core.workflow import PROPOSED, SUPERSEDED, EditEffect, Status

RM, FIN = TierRole.ROOM_MANAGER, TierRole.FINANCE
START = datetime(2030, 5, 6, 8, tzinfo=UTC)


def _slot(id: int, day: int = 0, status: str = "pending", room: int = 1) -> Slot:
    start = START + timedelta(days=day)
    meeting = TimeSpan(start, start + timedelta(hours=1))
    return Slot(id, room, f"R{room}", 1, "Europe/Bucharest", meeting, meeting, status)


FIELDS = BookingFields("Seminar", "", 1, "Ana", "ana@upt.ro", "", 10, False)


def _booking(status: Status = Status.PENDING, slots: tuple[Slot, ...] = ()) -> Booking:
    return Booking(
        id=7,
        fields=FIELDS,
        organisation_code="AC",
        organisation_kind="department",
        requested_by=3,
        requested_by_name="Ana",
        status=status,
        version=4,
        required_tiers=(RM,),
        tiers_done=0,
        hold_until=None,
        change_pending=False,
        change_supersedes=None,
        change_values=WaitingValues(),
        setup_override=None,
        teardown_override=None,
        series=None,
        skipped_dates=(),
        created_at=START,
        updated_at=START,
        occurrences=slots or (_slot(1, status=status.value),),
    )


def test_an_action_is_its_own_event_with_the_states_and_details() -> None:
    (event,) = events_caused(
        Action.HELD, Status.PENDING, Status.HELD, "till Friday", {"until": "x"}
    )
    assert event.kind is Action.HELD
    assert event.data == {"from": "pending", "to": "held", "until": "x", "comment": "till Friday"}


@pytest.mark.parametrize(
    ("action", "before", "to", "kinds"),
    [
        (Action.DATE_APPROVED, Status.PENDING, Status.APPROVED, ["date_approved", "approved"]),
        (Action.DATE_CANCELLED, Status.APPROVED, Status.CANCELLED, ["date_cancelled", "cancelled"]),
        (Action.DATE_REJECTED, Status.PENDING, Status.REJECTED, ["date_rejected", "rejected"]),
        (Action.SUBMITTED, Status.DRAFT, Status.APPROVED, ["submitted", "approved"]),
        (Action.REJECTED, Status.PENDING, Status.APPROVED, ["rejected", "approved"]),
        # The status an action says already is no news of its own.
        (Action.DECLINED, Status.PENDING, Status.REJECTED, ["declined"]),
        (Action.APPROVED, Status.PENDING, Status.APPROVED, ["approved"]),
        (Action.CHANGE_APPROVED, Status.APPROVED, Status.APPROVED, ["change_approved"]),
        (Action.DATE_CANCELLED, Status.APPROVED, Status.APPROVED, ["date_cancelled"]),
        (Action.HOLD_LAPSED, Status.HELD, Status.PENDING, ["hold_lapsed"]),
    ],
)
def test_a_status_brought_about_by_another_action_is_an_event_too(
    action: Action, before: Status, to: Status, kinds: list[str]
) -> None:
    assert [e.kind.value for e in events_caused(action, before, to, "", {})] == kinds


@pytest.mark.parametrize(
    ("status", "kinds"),
    [
        (Status.DRAFT, ["created"]),
        (Status.PENDING, ["created", "submitted"]),
        (Status.APPROVED, ["created", "approved"]),
    ],
)
def test_a_creation_is_an_event_and_so_is_its_submission_or_approval(
    status: Status, kinds: list[str]
) -> None:
    slot = _slot(1).placement
    new = new_booking(FIELDS, status, 3, (RM,), None, (), [slot], {})
    assert [e.kind.value for e in new.events] == kinds
    assert new.tiers_done == (1 if status is Status.APPROVED else 0)
    assert new.rooms == (1,)


def test_slots_follow_the_request_but_a_final_state_takes_every_live_date() -> None:
    booking = _booking(Status.HELD, (_slot(1, 0, "held"), _slot(2, 1, "approved")))
    released = change(booking, Action.HOLD_RELEASED, to=Status.PENDING, slots_to="pending")
    assert released.slot_updates == (SlotUpdate("pending", states=frozenset({"held"})),)
    cancelled = change(booking, Action.CANCELLED, to=Status.CANCELLED, slots_to="cancelled")
    assert cancelled.slot_updates == (SlotUpdate("cancelled", states=LIVE_SLOT_STATES),)
    assert cancelled.rooms == (1,)


def test_refusing_a_request_keeps_its_dates_approved_on_their_own() -> None:
    partly = _booking(Status.PENDING, (_slot(1, 0, "approved"), _slot(2, 1, "pending")))
    kept = request_refused(partly, Action.REJECTED)
    assert (kept.to, kept.values["tiers_done"]) == (Status.APPROVED, 1)
    refused = request_refused(_booking(), Action.DECLINED, details={"approved_instead": 9})
    assert (refused.to, [e.kind for e in refused.events]) == (Status.REJECTED, [Action.DECLINED])


def test_the_last_date_decided_decides_the_request() -> None:
    two = _booking(Status.PENDING, (_slot(1, 0), _slot(2, 1)))
    first = dates_decided(two, Action.DATE_APPROVED, frozenset({1}), Status.APPROVED, "", {})
    assert first.to is Status.PENDING
    last = _booking(Status.PENDING, (_slot(1, 0, "approved"), _slot(2, 1)))
    done = dates_decided(last, Action.DATE_APPROVED, frozenset({2}), Status.APPROVED, "", {})
    assert (done.to, [e.kind.value for e in done.events]) == (
        Status.APPROVED,
        ["date_approved", "approved"],
    )
    emptied = dates_decided(two, Action.DATE_CANCELLED, frozenset({1, 2}), Status.CANCELLED, "", {})
    assert emptied.to is Status.CANCELLED
    assert SlotUpdate(SUPERSEDED, states=frozenset({PROPOSED})) in emptied.slot_updates


NEW = Placement(
    1,
    TimeSpan(START + timedelta(hours=5), START + timedelta(hours=6)),
    TimeSpan(START + timedelta(hours=5), START + timedelta(hours=6)),
)


@pytest.mark.parametrize(
    ("status", "effect", "to", "new_state", "supersedes", "action"),
    [
        (Status.DRAFT, EditEffect.IN_PLACE, Status.DRAFT, "draft", True, Action.EDITED),
        (Status.HELD, EditEffect.BACK_TO_PENDING, Status.PENDING, "pending", True, Action.EDITED),
        (
            Status.APPROVED,
            EditEffect.PROPOSE_CHANGE,
            Status.APPROVED,
            PROPOSED,
            False,
            Action.CHANGE_PROPOSED,
        ),
        (Status.APPROVED, EditEffect.MOVE_NOW, Status.APPROVED, "approved", True, Action.EDITED),
    ],
)
def test_new_slots_take_effect_as_the_request_allows(
    status: Status, effect: EditEffect, to: Status, new_state: str, supersedes: bool, action: Action
) -> None:
    booking = _booking(status, (_slot(1, status=status.value),))
    moved = reslot(
        booking,
        effect,
        replaced=[1],
        new=[NEW],
        tiers=(RM,),
        deferred={"paid_rental": True},
        changes={"start": ["a", "b"]},
    )
    assert (moved.to, moved.new_slots, moved.new_slots_state, moved.action) == (
        to,
        (NEW,),
        new_state,
        action,
    )
    assert (SlotUpdate(SUPERSEDED, ids=frozenset({1})) in moved.slot_updates) is supersedes
    if effect is EditEffect.PROPOSE_CHANGE:
        # The paid rental waits with the new slots; the old ones hold meanwhile.
        assert "paid_rental" not in moved.values
        assert moved.values["change_values"] == WaitingValues(paid_rental=True)
        assert moved.values["change_supersedes"] == frozenset({1})
    else:
        assert moved.values["paid_rental"] is True
