"""What an edit changed, as the audit trail records it."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest

from booking.core.changes import changed_fields

from .builders import local

BEFORE: dict[str, Any] = {
    "title": "Senate meeting",
    "attendance": 40,
    "rooms": [1, 2],
    "starts_at": local("10:00"),
    "notes": None,
}


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        ({}, {}),
        (dict(BEFORE), {}),
        ({"title": "Senate meeting", "rooms": [1, 2]}, {}),
        ({"title": "Faculty council"}, {"title": ["Senate meeting", "Faculty council"]}),
        ({"attendance": 41}, {"attendance": [40, 41]}),
        ({"rooms": [2, 1]}, {"rooms": [[1, 2], [2, 1]]}),
        ({"starts_at": local("10:30")}, {"starts_at": [local("10:00"), local("10:30")]}),
        ({"notes": "bring a projector"}, {"notes": [None, "bring a projector"]}),
        ({"title": None}, {"title": ["Senate meeting", None]}),
        ({"catering": True}, {"catering": [None, True]}),
        ({"catering": None}, {}),
        (
            {"title": "Faculty council", "attendance": 40, "rooms": [3]},
            {"title": ["Senate meeting", "Faculty council"], "rooms": [[1, 2], [3]]},
        ),
    ],
    ids=[
        "nothing-given",
        "all-the-same",
        "some-the-same",
        "one-text",
        "one-number",
        "list-order-counts",
        "time",
        "filled-in",
        "cleared",
        "new-field",
        "new-field-empty",
        "several",
    ],
)
def test_changed_fields(after: dict[str, Any], expected: dict[str, list[Any]]) -> None:
    assert changed_fields(BEFORE, after) == expected


def test_fields_left_out_of_after_are_not_reported() -> None:
    assert changed_fields({"title": "a", "notes": "b"}, {"title": "c"}) == {"title": ["a", "c"]}


def test_same_instant_in_another_zone_is_no_change() -> None:
    assert changed_fields(BEFORE, {"starts_at": local("10:00").astimezone(UTC)}) == {}


def test_reported_in_the_order_of_after() -> None:
    changes = changed_fields(BEFORE, {"rooms": [3], "attendance": 1, "title": "x"})
    assert list(changes) == ["rooms", "attendance", "title"]


def test_inputs_are_not_changed() -> None:
    before, after = dict(BEFORE), {"title": "x"}
    changed_fields(before, after)
    assert before == BEFORE
    assert after == {"title": "x"}
