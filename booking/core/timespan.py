"""Half-open time spans [start, end) over timezone-aware instants."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from itertools import accumulate


@dataclass(frozen=True, slots=True, order=True)
class TimeSpan:
    """A half-open interval of time: back-to-back spans do not overlap."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a time span needs timezone-aware instants")
        if self.end <= self.start:
            raise ValueError("a time span must end after it starts")

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: TimeSpan) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: TimeSpan) -> bool:
        return self.start <= other.start and other.end <= self.end

    def widened(self, before: timedelta, after: timedelta) -> TimeSpan:
        return TimeSpan(self.start - before, self.end + after)

    def shifted(self, by: timedelta) -> TimeSpan:
        return TimeSpan(self.start + by, self.end + by)

    def in_zone(self, zone: tzinfo) -> TimeSpan:
        """The same span, read on the clock of `zone`."""
        return TimeSpan(self.start.astimezone(zone), self.end.astimezone(zone))

    def in_utc(self) -> TimeSpan:
        return self.in_zone(UTC)


def blocked_span(meeting: TimeSpan, setup: timedelta, teardown: timedelta) -> TimeSpan:
    """The span a room is unavailable for: the meeting plus its setup and teardown buffers."""
    if setup < timedelta(0) or teardown < timedelta(0):
        raise ValueError("buffers cannot be negative")
    if not setup and not teardown:
        return meeting  # spans are immutable: most rooms have no buffers
    return meeting.widened(setup, teardown)


def merge(spans: Iterable[TimeSpan]) -> list[TimeSpan]:
    """Union of spans as a sorted list of disjoint spans (touching spans are joined)."""
    merged: list[TimeSpan] = []
    for span in sorted(spans):
        if merged and span.start <= merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = TimeSpan(merged[-1].start, span.end)
        else:
            merged.append(span)
    return merged


def hull(spans: Iterable[TimeSpan]) -> TimeSpan:
    """The shortest span that covers all of `spans` (at least one)."""
    items = list(spans)
    return TimeSpan(min(s.start for s in items), max(s.end for s in items))


class SpanSet:
    """Many spans, for asking quickly whether a span overlaps any of them (e.g. the hundreds of
    closures of an imported calendar against every booking of the period)."""

    def __init__(self, spans: Iterable[TimeSpan]) -> None:
        ordered = sorted(spans)
        self._starts = [s.start for s in ordered]
        self._latest_end = list(accumulate((s.end for s in ordered), max))

    def overlaps(self, span: TimeSpan) -> bool:
        # The spans starting before `span` ends; the one of them ending last must end after it
        # starts.
        last = bisect_left(self._starts, span.end) - 1
        return last >= 0 and self._latest_end[last] > span.start
