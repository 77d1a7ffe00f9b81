"""Conflicts are judged on blocked spans (meeting plus buffers), room by room."""

from __future__ import annotations

import pytest

from booking.core.conflicts import Conflict, Occupation, Placement, find_conflicts, free_rooms
from booking.core.rooms import RoomFacts
from booking.core.timespan import TimeSpan, blocked_span

from .builders import minutes, room, span


def placement(room_id: int, meeting: TimeSpan, setup: int = 0, teardown: int = 0) -> Placement:
    return Placement(room_id, meeting, blocked_span(meeting, minutes(setup), minutes(teardown)))


def occupation(
    occurrence_id: int, room_id: int, meeting: TimeSpan, setup: int = 0, teardown: int = 0
) -> Occupation:
    return Occupation(
        occurrence_id=occurrence_id,
        booking_id=100 + occurrence_id,
        room_id=room_id,
        meeting=meeting,
        blocked=blocked_span(meeting, minutes(setup), minutes(teardown)),
        status="approved",
    )


class TestFindConflicts:
    @pytest.mark.parametrize(
        ("wanted", "existing", "collide"),
        [
            (
                placement(1, span("10:00", "11:00")),
                occupation(1, 1, span("10:30", "11:30")),
                True,
            ),
            (
                placement(1, span("10:00", "11:00")),
                occupation(1, 2, span("10:00", "11:00")),
                False,
            ),
            (
                placement(1, span("10:00", "11:00")),
                occupation(1, 1, span("11:00", "12:00")),
                False,
            ),
            (
                placement(1, span("10:00", "11:00")),
                occupation(1, 1, span("09:00", "10:00")),
                False,
            ),
            (
                placement(1, span("10:00", "11:00"), teardown=15),
                occupation(1, 1, span("11:00", "12:00")),
                True,
            ),
            (
                placement(1, span("10:00", "11:00"), setup=15),
                occupation(1, 1, span("09:00", "10:00")),
                True,
            ),
            (
                placement(1, span("10:00", "11:00")),
                occupation(1, 1, span("11:00", "12:00"), setup=1),
                True,
            ),
            (
                placement(1, span("10:00", "11:00")),
                occupation(1, 1, span("08:00", "09:30"), teardown=30),
                False,
            ),
            (
                placement(1, span("10:00", "11:00"), setup=30),
                occupation(1, 1, span("08:00", "09:30")),
                False,
            ),
            (
                placement(1, span("10:00", "11:00")),
                occupation(1, 1, span("09:00", "13:00")),
                True,
            ),
        ],
        ids=[
            "same-room-overlap",
            "different-room",
            "touching-after",
            "touching-before",
            "our-teardown-reaches-next",
            "our-setup-reaches-previous",
            "their-setup-reaches-us",
            "their-teardown-just-touches",
            "our-setup-just-touches",
            "they-surround-us",
        ],
    )
    def test_single_pair(self, wanted: Placement, existing: Occupation, collide: bool) -> None:
        conflicts = find_conflicts([wanted], [existing])
        assert conflicts == ([Conflict(wanted, existing)] if collide else [])

    def test_every_colliding_pair_sorted_by_existing_start_then_id(self) -> None:
        in_room_1 = placement(1, span("10:00", "12:00"))
        in_room_2 = placement(2, span("10:00", "12:00"))
        late = occupation(7, 1, span("11:30", "12:30"))
        early = occupation(9, 1, span("09:30", "10:30"))
        early_twin = occupation(3, 1, span("09:30", "10:15"))
        other_room = occupation(5, 2, span("11:00", "11:15"))
        unrelated_room = occupation(6, 3, span("10:00", "12:00"))
        outside = occupation(8, 1, span("12:00", "13:00"))

        conflicts = find_conflicts(
            [in_room_1, in_room_2],
            iter([late, early, other_room, unrelated_room, outside, early_twin]),
        )

        assert [(c.wanted.room_id, c.existing.occurrence_id) for c in conflicts] == [
            (1, 3),
            (1, 9),
            (2, 5),
            (1, 7),
        ]

    def test_nothing_wanted_or_nothing_existing(self) -> None:
        assert find_conflicts([], [occupation(1, 1, span("10:00", "11:00"))]) == []
        assert find_conflicts([placement(1, span("10:00", "11:00"))], []) == []


class TestFreeRooms:
    def test_each_room_uses_its_own_buffers(self) -> None:
        bare = room(1)
        slow_setup = room(2, setup=30)
        slow_teardown = room(3, teardown=30)
        meeting = span("10:15", "11:00")
        occupied = [
            # Blocked 09:00–10:00 in every room, and 11:20–12:00 after.
            occupation(1, 1, span("09:00", "10:00")),
            occupation(2, 2, span("09:00", "10:00")),
            occupation(3, 3, span("09:00", "10:00")),
            occupation(4, 1, span("11:20", "12:00")),
            occupation(5, 2, span("11:20", "12:00")),
            occupation(6, 3, span("11:20", "12:00")),
        ]

        free = free_rooms([bare, slow_setup, slow_teardown], meeting, occupied)

        # slow_setup is blocked from 09:45, slow_teardown until 11:30.
        assert free == [bare]

    @pytest.mark.parametrize(
        ("setup", "teardown", "is_free"),
        [(0, 0, True), (15, 0, True), (16, 0, False), (0, 30, True), (0, 31, False)],
        ids=["no-buffers", "setup-touches", "setup-overlaps", "teardown-touches", "teardown-over"],
    )
    def test_buffers_at_the_edge(self, setup: int, teardown: int, is_free: bool) -> None:
        candidate = room(1, setup=setup, teardown=teardown)
        occupied = [
            occupation(1, 1, span("09:00", "10:00")),
            occupation(2, 1, span("11:30", "12:30")),
        ]
        free = free_rooms([candidate], span("10:15", "11:00"), occupied)
        assert (free == [candidate]) is is_free

    def test_occupations_in_other_rooms_do_not_matter_and_order_is_kept(self) -> None:
        rooms: list[RoomFacts] = [room(3), room(1), room(2)]
        occupied = iter(
            [occupation(1, 1, span("10:00", "11:00")), occupation(2, 9, span("10:00", "11:00"))]
        )
        free = free_rooms(rooms, span("10:30", "10:45"), occupied)
        assert [r.id for r in free] == [3, 2]
