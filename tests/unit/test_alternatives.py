"""Suggestions when the room asked for is taken: other rooms, or other times the same day."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from booking.core.alternatives import SLOT_STEP, alternative_rooms, nearest_free_slots
from booking.core.conflicts import Occupation
from booking.core.localtime import local_day
from booking.core.rooms import RoomFacts
from booking.core.timespan import TimeSpan

from .builders import BUCHAREST, at, minutes, room, span, utc

MEETING = span("10:00", "11:00")
WHOLE_DAY = TimeSpan(at("00:00"), at("00:00") + timedelta(days=1))
LONG_AGO = at("00:00") - timedelta(days=30)


def busy_in(room_id: int, meeting: TimeSpan, occurrence_id: int = 1) -> Occupation:
    return Occupation(
        occurrence_id=occurrence_id,
        booking_id=occurrence_id,
        room_id=room_id,
        meeting=meeting,
        blocked=meeting,
        status="approved",
    )


def starts(slots: list[TimeSpan]) -> list[str]:
    return [f"{s.start:%H:%M}" for s in slots]


class TestAlternativeRooms:
    ASKED = room(1, code="B1-ASKED", building_id=1, capacity=30)

    def test_same_building_first_then_closest_capacity_then_code(self) -> None:
        rooms = [
            room(5, code="B2-100", building_id=2, capacity=100),
            room(2, code="B1-40", building_id=1, capacity=40),
            room(4, code="B2-31", building_id=2, capacity=31),
            room(8, code="B1-35-Z", building_id=1, capacity=35),
            room(3, code="B1-35-A", building_id=1, capacity=35),
            room(6, code="B1-30", building_id=1, capacity=30),
            self.ASKED,
        ]
        chosen = alternative_rooms(self.ASKED, MEETING, rooms, [], attendance=30, limit=10)
        assert [r.code for r in chosen] == [
            "B1-30",
            "B1-35-A",
            "B1-35-Z",
            "B1-40",
            "B2-31",
            "B2-100",
        ]

    def test_limit(self) -> None:
        rooms = [room(i, capacity=30 + i) for i in range(2, 12)]
        assert [r.id for r in alternative_rooms(self.ASKED, MEETING, rooms, [], 30)] == [
            2,
            3,
            4,
            5,
            6,
        ]
        assert [r.id for r in alternative_rooms(self.ASKED, MEETING, rooms, [], 30, limit=2)] == [
            2,
            3,
        ]

    @pytest.mark.parametrize(
        ("candidate", "occupied", "equipment", "exclude"),
        [
            (room(1, capacity=50), [], (), ()),
            (room(9, capacity=50), [], (), (9,)),
            (room(9, capacity=29), [], (), ()),
            (room(9, capacity=50, active=False), [], (), ()),
            (room(9, capacity=50, equipment={"whiteboard"}), [], ("projector",), ()),
            (
                room(9, capacity=50, equipment={"projector"}),
                [],
                ("projector", "microphone"),
                (),
            ),
            (room(9, capacity=50), [busy_in(9, span("10:30", "12:00"))], (), ()),
            (room(9, capacity=50, setup=30), [busy_in(9, span("09:00", "09:45"))], (), ()),
            (room(9, capacity=50, teardown=30), [busy_in(9, span("11:15", "12:00"))], (), ()),
        ],
        ids=[
            "the-asked-room-itself",
            "explicitly-excluded",
            "too-small",
            "inactive",
            "lacks-equipment",
            "lacks-part-of-equipment",
            "busy",
            "busy-through-its-setup",
            "busy-through-its-teardown",
        ],
    )
    def test_left_out(
        self,
        candidate: RoomFacts,
        occupied: list[Occupation],
        equipment: tuple[str, ...],
        exclude: tuple[int, ...],
    ) -> None:
        fitting = room(20, capacity=200, equipment={"projector", "microphone", "whiteboard"})
        chosen = alternative_rooms(
            self.ASKED,
            MEETING,
            [candidate, fitting],
            occupied,
            attendance=30,
            equipment=equipment,
            exclude=exclude,
        )
        assert chosen == [fitting]

    @pytest.mark.parametrize(
        ("candidate", "occupied", "equipment"),
        [
            (room(9, capacity=30), [], ()),
            (room(9, capacity=50, equipment={"projector", "whiteboard"}), [], ("projector",)),
            (room(9, capacity=50), [busy_in(9, span("11:00", "12:00"))], ()),
            (room(9, capacity=50), [busy_in(8, MEETING)], ()),
            (room(9, capacity=50, setup=30), [busy_in(9, span("08:00", "09:30"))], ()),
        ],
        ids=[
            "exact-capacity",
            "extra-equipment",
            "busy-right-after",
            "other-room-busy",
            "setup-just-touches",
        ],
    )
    def test_kept(
        self, candidate: RoomFacts, occupied: list[Occupation], equipment: tuple[str, ...]
    ) -> None:
        chosen = alternative_rooms(
            self.ASKED, MEETING, [candidate], occupied, attendance=30, equipment=equipment
        )
        assert chosen == [candidate]


class TestNearestFreeSlots:
    @pytest.mark.parametrize(
        ("setup", "expected"),
        [
            (0, ["11:30", "11:45", "12:00"]),
            (10, ["11:40", "11:45", "12:00"]),
            (15, ["11:45", "12:00", "12:15"]),
        ],
        ids=["no-setup", "setup-off-grid", "setup-on-grid"],
    )
    def test_snug_after_a_busy_span(self, setup: int, expected: list[str]) -> None:
        slots = nearest_free_slots(
            room(setup=setup),
            wanted=span("10:00", "11:00"),
            day=WHOLE_DAY,
            busy=[span("10:00", "11:30")],
            not_before=at("10:00"),
        )
        assert starts(slots) == expected
        assert all(s.duration == timedelta(hours=1) for s in slots)

    def test_snug_before_a_busy_span_with_teardown(self) -> None:
        slots = nearest_free_slots(
            room(teardown=20),
            wanted=span("11:30", "12:30"),
            day=WHOLE_DAY,
            busy=[span("12:00", "13:00")],
            not_before=LONG_AGO,
        )
        # 10:40 ends at 11:40; with 20 minutes of teardown the room is free again at 12:00.
        assert starts(slots) == ["10:15", "10:30", "10:40"]

    @pytest.mark.parametrize(
        ("limit", "expected"),
        [
            (1, ["09:00"]),
            (3, ["08:30", "08:45", "09:00"]),
            (4, ["08:30", "08:45", "09:00", "11:30"]),
        ],
        ids=["one", "three", "four"],
    )
    def test_closest_are_chosen_then_listed_chronologically(
        self, limit: int, expected: list[str]
    ) -> None:
        slots = nearest_free_slots(
            room(),
            wanted=span("10:00", "11:00"),
            day=WHOLE_DAY,
            busy=[span("10:00", "11:30")],
            not_before=LONG_AGO,
            limit=limit,
        )
        assert starts(slots) == expected

    def test_never_offers_the_wanted_slot_itself(self) -> None:
        slots = nearest_free_slots(
            room(), span("10:00", "11:00"), WHOLE_DAY, busy=[], not_before=LONG_AGO
        )
        assert starts(slots) == ["09:30", "09:45", "10:15"]

    @pytest.mark.parametrize(
        ("not_before", "expected"),
        [("10:07", ["10:15", "10:30", "10:45"]), ("09:45", ["09:45", "10:15", "10:30"])],
        ids=["between-steps", "exactly-on-a-step"],
    )
    def test_not_before(self, not_before: str, expected: list[str]) -> None:
        slots = nearest_free_slots(
            room(), span("10:00", "11:00"), WHOLE_DAY, busy=[], not_before=at(not_before)
        )
        assert starts(slots) == expected

    def test_buffers_on_both_sides_of_several_busy_spans(self) -> None:
        busy = [span("09:00", "10:00"), span("11:00", "12:00"), span("12:30", "14:00")]
        buffered = room(setup=15, teardown=15)
        wanted = span("10:30", "11:30")
        before = nearest_free_slots(buffered, wanted, WHOLE_DAY, busy, not_before=LONG_AGO)
        after = nearest_free_slots(buffered, wanted, WHOLE_DAY, busy, not_before=at("10:00"))
        assert starts(before) == ["07:15", "07:30", "07:45"]
        assert starts(after) == ["14:15", "14:30", "14:45"]

    def test_slots_stay_inside_the_day(self) -> None:
        late = nearest_free_slots(
            room(), span("22:30", "23:30"), WHOLE_DAY, busy=[], not_before=at("22:30")
        )
        assert [(s.start, s.end) for s in late] == [
            (at("22:45"), at("23:45")),
            (at("23:00"), WHOLE_DAY.end),
        ]
        early = nearest_free_slots(
            room(), span("00:30", "01:30"), WHOLE_DAY, busy=[], not_before=LONG_AGO, limit=5
        )
        assert starts(early) == ["00:00", "00:15", "00:45", "01:00", "01:15"]

    def test_no_room_at_all(self) -> None:
        slots = nearest_free_slots(
            room(), span("10:00", "11:00"), WHOLE_DAY, busy=[WHOLE_DAY], not_before=LONG_AGO
        )
        assert slots == []


class TestNearestFreeSlotsOnDstDays:
    def test_spring_day_starts_at_local_midnight(self) -> None:
        # 00:30–01:30 local on 2026-03-29 is 22:30–23:30 UTC the day before.
        wanted = TimeSpan(utc(2026, 3, 28, 22, 30), utc(2026, 3, 28, 23, 30))
        day = local_day(wanted.start, BUCHAREST)
        slots = nearest_free_slots(room(), wanted, day, [], not_before=utc(2026, 3, 1), limit=5)
        assert [s.start for s in slots] == [
            utc(2026, 3, 28, 22),
            utc(2026, 3, 28, 22, 15),
            utc(2026, 3, 28, 22, 45),
            utc(2026, 3, 28, 23),
            utc(2026, 3, 28, 23, 15),
        ]

    def test_spring_day_is_23_hours_long(self) -> None:
        # 22:30–23:30 local (EEST) is 19:30–20:30 UTC; the local day ends at 21:00 UTC.
        wanted = TimeSpan(utc(2026, 3, 29, 19, 30), utc(2026, 3, 29, 20, 30))
        day = local_day(wanted.start, BUCHAREST)
        slots = nearest_free_slots(room(), wanted, day, [], not_before=wanted.start)
        assert [(s.start, s.end) for s in slots] == [
            (utc(2026, 3, 29, 19, 45), utc(2026, 3, 29, 20, 45)),
            (utc(2026, 3, 29, 20), utc(2026, 3, 29, 21)),
        ]
        assert slots[-1].end.astimezone(BUCHAREST).hour == 0

    def test_meeting_across_the_spring_gap_lasts_one_real_hour(self) -> None:
        # Local 02:00 EET to 04:00 EEST is one hour; the room is busy 04:00–06:00 local.
        wanted = TimeSpan(utc(2026, 3, 29, 1), utc(2026, 3, 29, 2))
        busy = [TimeSpan(utc(2026, 3, 29, 1), utc(2026, 3, 29, 3))]
        day = local_day(wanted.start, BUCHAREST)
        slots = nearest_free_slots(room(), wanted, day, busy, not_before=day.start)
        assert [s.start for s in slots] == [
            utc(2026, 3, 28, 23, 30),
            utc(2026, 3, 28, 23, 45),
            utc(2026, 3, 29, 0),
        ]
        assert slots[-1].start.astimezone(BUCHAREST).hour == 2
        assert slots[-1].end.astimezone(BUCHAREST).hour == 4

    def test_autumn_day_offers_the_second_three_oclock(self) -> None:
        # 00:00–01:00 UTC is 03:00 EEST until 03:00 EET; the second 03:00 is then free.
        wanted = TimeSpan(utc(2026, 10, 25, 0), utc(2026, 10, 25, 1))
        day = local_day(wanted.start, BUCHAREST)
        slots = nearest_free_slots(room(), wanted, day, [wanted], not_before=day.start)
        assert [s.start for s in slots] == [
            utc(2026, 10, 24, 22, 45),
            utc(2026, 10, 24, 23),
            utc(2026, 10, 25, 1),
        ]
        second_three = slots[-1].start.astimezone(BUCHAREST)
        assert (second_three.hour, second_three.fold) == (3, 1)

    def test_autumn_day_is_25_hours_long(self) -> None:
        # 23:00–24:00 local (EET) on 2026-10-25 is 21:00–22:00 UTC.
        wanted = TimeSpan(utc(2026, 10, 25, 21), utc(2026, 10, 25, 22))
        day = local_day(wanted.start, BUCHAREST)
        assert day.contains(wanted)
        slots = nearest_free_slots(room(), wanted, day, [], not_before=utc(2026, 10, 25, 20, 30))
        assert [s.start for s in slots] == [utc(2026, 10, 25, 20, 30), utc(2026, 10, 25, 20, 45)]


# A property over random days: whatever is suggested is usable, and nothing closer was skipped.

slot_quick = hypothesis_settings(database=None, max_examples=150, deadline=None)


def usable(candidate: RoomFacts, slot: TimeSpan, busy: list[TimeSpan]) -> bool:
    blocked = candidate.blocked(slot)
    return not any(blocked.overlaps(b) for b in busy)


@st.composite
def day_spans(draw: st.DrawFn, max_length: int = 240) -> TimeSpan:
    start = draw(st.integers(min_value=0, max_value=24 * 60 - 15))
    length = draw(st.integers(min_value=15, max_value=max_length))
    return TimeSpan(at("00:00") + minutes(start), at("00:00") + minutes(start + length))


@slot_quick
@given(
    wanted=day_spans(max_length=180),
    busy=st.lists(day_spans(), max_size=6),
    setup=st.sampled_from([0, 10, 15, 30]),
    teardown=st.sampled_from([0, 5, 15, 45]),
    not_before=st.integers(min_value=-60, max_value=24 * 60),
    limit=st.integers(min_value=1, max_value=5),
)
def test_suggested_slots_are_free_and_closest(
    wanted: TimeSpan,
    busy: list[TimeSpan],
    setup: int,
    teardown: int,
    not_before: int,
    limit: int,
) -> None:
    candidate = room(setup=setup, teardown=teardown)
    earliest: datetime = at("00:00") + minutes(not_before)
    slots = nearest_free_slots(candidate, wanted, WHOLE_DAY, busy, earliest, limit=limit)

    assert len(slots) <= limit
    assert [s.start for s in slots] == sorted({s.start for s in slots})
    for slot in slots:
        assert slot.duration == wanted.duration
        assert WHOLE_DAY.contains(slot)
        assert slot.start >= earliest
        assert slot != wanted
        assert usable(candidate, slot, busy)

    # Every usable start on the quarter-hour grid around the wish was either chosen or is no
    # closer than the farthest one chosen; if fewer than `limit` came back, none was skipped.
    chosen = {s.start for s in slots}
    farthest = max((abs(s - wanted.start) for s in chosen), default=timedelta(0))
    for k in range(-96, 97):
        start = wanted.start + k * SLOT_STEP
        slot = TimeSpan(start, start + wanted.duration)
        if start in chosen or slot == wanted or start < earliest:
            continue
        if WHOLE_DAY.contains(slot) and usable(candidate, slot, busy):
            assert len(slots) == limit
            assert abs(start - wanted.start) >= farthest
