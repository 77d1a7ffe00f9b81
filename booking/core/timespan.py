"""Half-open time spans [start, end) over timezone-aware instants."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


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

    def in_utc(self) -> TimeSpan:
        return TimeSpan(self.start.astimezone(UTC), self.end.astimezone(UTC))


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
