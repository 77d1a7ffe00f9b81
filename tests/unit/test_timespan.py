"""Half-open spans: construction, overlap, containment, buffers and merging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from booking.core.timespan import TimeSpan, blocked_span, merge

from .builders import BUCHAREST, at, minutes, span

# No example database: these tests must not write outside tests/unit.
quick = hypothesis_settings(database=None, max_examples=300, deadline=None)


class TestConstruction:
    def test_keeps_its_instants_and_duration(self) -> None:
        s = span("10:00", "11:30")
        assert s.start == at("10:00")
        assert s.end == at("11:30")
        assert s.duration == timedelta(minutes=90)

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (datetime(2030, 5, 6, 10), at("11:00")),
            (at("10:00"), datetime(2030, 5, 6, 11)),
            (datetime(2030, 5, 6, 10), datetime(2030, 5, 6, 11)),
        ],
        ids=["naive-start", "naive-end", "both-naive"],
    )
    def test_refuses_naive_instants(self, start: datetime, end: datetime) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            TimeSpan(start, end)

    @pytest.mark.parametrize(
        ("start", "end"),
        [("10:00", "10:00"), ("10:00", "09:59")],
        ids=["empty", "reversed"],
    )
    def test_refuses_empty_or_reversed(self, start: str, end: str) -> None:
        with pytest.raises(ValueError, match="end after it starts"):
            TimeSpan(at(start), at(end))

    def test_compares_instants_across_zones(self) -> None:
        # 13:00 in Bucharest (EEST, +03:00) is 10:00 UTC: a span ending there is empty.
        with pytest.raises(ValueError, match="end after it starts"):
            TimeSpan(at("10:00"), datetime(2030, 5, 6, 13, tzinfo=BUCHAREST))


OVERLAP_CASES = [
    (("10:00", "11:00"), ("10:30", "11:30"), True),
    (("10:00", "11:00"), ("11:00", "12:00"), False),
    (("11:00", "12:00"), ("10:00", "11:00"), False),
    (("10:00", "11:00"), ("10:59", "12:00"), True),
    (("10:00", "12:00"), ("10:30", "11:00"), True),
    (("10:00", "11:00"), ("10:00", "11:00"), True),
    (("10:00", "11:00"), ("12:00", "13:00"), False),
    (("10:00", "11:00"), ("09:00", "10:01"), True),
]
OVERLAP_IDS = [
    "partial",
    "back-to-back-after",
    "back-to-back-before",
    "one-minute",
    "contained",
    "identical",
    "apart",
    "one-minute-at-start",
]


class TestOverlapsAndContains:
    @pytest.mark.parametrize(("a", "b", "expected"), OVERLAP_CASES, ids=OVERLAP_IDS)
    def test_overlaps_is_half_open_and_symmetric(
        self, a: tuple[str, str], b: tuple[str, str], expected: bool
    ) -> None:
        first, second = span(*a), span(*b)
        assert first.overlaps(second) is expected
        assert second.overlaps(first) is expected

    @pytest.mark.parametrize(
        ("outer", "inner", "expected"),
        [
            (("10:00", "12:00"), ("10:30", "11:00"), True),
            (("10:00", "12:00"), ("10:00", "12:00"), True),
            (("10:00", "12:00"), ("10:00", "11:00"), True),
            (("10:00", "12:00"), ("11:00", "12:00"), True),
            (("10:00", "12:00"), ("09:59", "11:00"), False),
            (("10:00", "12:00"), ("11:00", "12:01"), False),
            (("10:30", "11:00"), ("10:00", "12:00"), False),
            (("10:00", "11:00"), ("11:00", "12:00"), False),
        ],
        ids=[
            "strictly-inside",
            "equal",
            "same-start",
            "same-end",
            "starts-before",
            "ends-after",
            "larger",
            "touching",
        ],
    )
    def test_contains(self, outer: tuple[str, str], inner: tuple[str, str], expected: bool) -> None:
        assert span(*outer).contains(span(*inner)) is expected

    def test_overlap_across_zones_uses_instants(self) -> None:
        # 13:00–14:00 Bucharest summer time is 10:00–11:00 UTC.
        local = TimeSpan(
            datetime(2030, 5, 6, 13, tzinfo=BUCHAREST), datetime(2030, 5, 6, 14, tzinfo=BUCHAREST)
        )
        assert local.overlaps(span("10:30", "10:45"))
        assert not local.overlaps(span("11:00", "12:00"))
        assert local.contains(span("10:00", "11:00"))


class TestDerivedSpans:
    def test_widened(self) -> None:
        assert span("10:00", "11:00").widened(minutes(15), minutes(30)) == span("09:45", "11:30")

    def test_shifted(self) -> None:
        assert span("10:00", "11:00").shifted(minutes(-90)) == span("08:30", "09:30")

    def test_in_utc(self) -> None:
        local = TimeSpan(
            datetime(2030, 5, 6, 13, tzinfo=BUCHAREST), datetime(2030, 5, 6, 14, tzinfo=BUCHAREST)
        )
        converted = local.in_utc()
        assert converted == span("10:00", "11:00")
        assert converted.start.tzinfo is UTC
        assert converted.end.tzinfo is UTC


class TestBlockedSpan:
    @pytest.mark.parametrize(
        ("setup", "teardown", "expected"),
        [
            (0, 0, ("10:00", "11:00")),
            (15, 0, ("09:45", "11:00")),
            (0, 30, ("10:00", "11:30")),
            (20, 10, ("09:40", "11:10")),
        ],
        ids=["no-buffers", "setup-only", "teardown-only", "both"],
    )
    def test_buffers_widen_the_meeting(
        self, setup: int, teardown: int, expected: tuple[str, str]
    ) -> None:
        blocked = blocked_span(span("10:00", "11:00"), minutes(setup), minutes(teardown))
        assert blocked == span(*expected)

    @pytest.mark.parametrize(
        ("setup", "teardown"), [(-1, 0), (0, -1), (-5, -5)], ids=["setup", "teardown", "both"]
    )
    def test_refuses_negative_buffers(self, setup: int, teardown: int) -> None:
        with pytest.raises(ValueError, match="negative"):
            blocked_span(span("10:00", "11:00"), minutes(setup), minutes(teardown))

    def test_back_to_back_meetings_collide_once_buffers_are_added(self) -> None:
        first, second = span("09:00", "10:00"), span("10:00", "11:00")
        assert not first.overlaps(second)
        no_buffer = timedelta(0)
        assert blocked_span(first, no_buffer, minutes(10)).overlaps(
            blocked_span(second, no_buffer, no_buffer)
        )
        assert blocked_span(second, minutes(10), no_buffer).overlaps(first)


class TestMerge:
    @pytest.mark.parametrize(
        ("spans", "expected"),
        [
            ([], []),
            ([("10:00", "11:00")], [("10:00", "11:00")]),
            (
                [("12:00", "13:00"), ("08:00", "09:00")],
                [("08:00", "09:00"), ("12:00", "13:00")],
            ),
            ([("10:00", "11:00"), ("10:30", "12:00")], [("10:00", "12:00")]),
            ([("10:00", "11:00"), ("11:00", "12:00")], [("10:00", "12:00")]),
            ([("10:00", "12:00"), ("10:30", "11:00")], [("10:00", "12:00")]),
            ([("10:00", "11:00"), ("10:00", "11:00")], [("10:00", "11:00")]),
            (
                [("13:00", "14:00"), ("10:00", "11:00"), ("10:45", "13:00"), ("15:00", "16:00")],
                [("10:00", "14:00"), ("15:00", "16:00")],
            ),
            ([("10:00", "11:00"), ("10:00", "10:30")], [("10:00", "11:00")]),
            ([("10:00", "11:00"), ("11:01", "12:00")], [("10:00", "11:00"), ("11:01", "12:00")]),
        ],
        ids=[
            "empty",
            "single",
            "disjoint-unsorted",
            "overlapping",
            "touching-joined",
            "contained-absorbed",
            "duplicates",
            "chain",
            "same-start-shorter-second",
            "one-minute-gap-kept",
        ],
    )
    def test_merge(self, spans: list[tuple[str, str]], expected: list[tuple[str, str]]) -> None:
        assert merge(span(*s) for s in spans) == [span(*e) for e in expected]

    def test_merges_spans_given_in_different_zones_by_instant(self) -> None:
        # 13:30–15:00 Bucharest is 10:30–12:00 UTC, overlapping 10:00–11:00 UTC.
        local = TimeSpan(
            datetime(2030, 5, 6, 13, 30, tzinfo=BUCHAREST),
            datetime(2030, 5, 6, 15, tzinfo=BUCHAREST),
        )
        merged = merge([local, span("10:00", "11:00")])
        assert merged == [span("10:00", "12:00")]


# Properties over random spans, each built in a random zone so that comparisons are by instant.

BASE = at("00:00")
ZONES = [UTC, BUCHAREST, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]


@st.composite
def spans(draw: st.DrawFn) -> TimeSpan:
    start = draw(st.integers(min_value=0, max_value=600))
    length = draw(st.integers(min_value=1, max_value=240))
    zone = draw(st.sampled_from(ZONES))
    return TimeSpan(
        (BASE + minutes(start)).astimezone(zone), (BASE + minutes(start + length)).astimezone(zone)
    )


def covered_minutes(items: list[TimeSpan]) -> set[int]:
    """The minutes [m, m+1) covered; exact because every boundary is a whole minute."""
    covered: set[int] = set()
    for s in items:
        first = (s.start - BASE) // minutes(1)
        last = (s.end - BASE) // minutes(1)
        covered.update(range(first, last))
    return covered


@quick
@given(spans(), spans())
def test_overlaps_is_symmetric_and_matches_the_half_open_definition(
    a: TimeSpan, b: TimeSpan
) -> None:
    expected = not (a.end <= b.start or b.end <= a.start)
    assert a.overlaps(b) is expected
    assert b.overlaps(a) is expected


@quick
@given(spans(), spans())
def test_overlaps_iff_they_share_a_minute(a: TimeSpan, b: TimeSpan) -> None:
    assert a.overlaps(b) is bool(covered_minutes([a]) & covered_minutes([b]))


@quick
@given(st.lists(spans(), max_size=12))
def test_merge_is_sorted_disjoint_and_covers_the_same_instants(items: list[TimeSpan]) -> None:
    merged = merge(items)
    for earlier, later in pairwise(merged):
        # Strictly apart: touching spans would have been joined.
        assert earlier.end < later.start
    assert covered_minutes(merged) == covered_minutes(items)
    for item in items:
        assert any(m.contains(item) for m in merged)
    assert merge(merged) == merged
