"""A room's own rules for when it may be booked: opening hours, booking windows and blackouts.

Each rule says, for one slot asked for, why it cannot be had; the caller refuses the request,
or skips that date of a series. Managers of the rooms (and administrators) may override them,
with a reason that the audit trail keeps.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from booking.core.conflicts import Placement
from booking.core.messages import Duration, Message, Weekday
from booking.core.timespan import TimeSpan

MIDNIGHT = time(0)
MINUTES_A_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """When a room may be used on one weekday (0 = Monday). Closing at 00:00 means at the
    end of the day (24:00)."""

    weekday: int
    opens: time
    closes: time

    @property
    def window(self) -> tuple[int, int]:
        """Opening and closing, in minutes since midnight."""
        closing = MINUTES_A_DAY if self.closes == MIDNIGHT else _minute(self.closes)
        return _minute(self.opens), closing

    def describe(self) -> str:
        return f"{self.opens:%H:%M}–{clock(self.closes)}"


def clock(closes: time) -> str:
    """A closing time as people write it: 24:00 for the end of the day."""
    return "24:00" if closes == MIDNIGHT else f"{closes:%H:%M}"


def _minute(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _merged(windows: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Windows that touch or overlap become one: 08–12 and 12–22 let 11–13 be booked."""
    merged: list[tuple[int, int]] = []
    for opens, closes in sorted(windows):
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return merged


@dataclass(frozen=True, slots=True)
class RoomRules:
    room_id: int
    code: str
    zone: str
    building_id: int
    hours: Sequence[OpeningHours] = ()  # empty: open at all times
    min_notice: timedelta = timedelta(0)
    max_advance: timedelta | None = None  # None: no limit beyond the series cap

    def closed_windows(self, weekday: int) -> list[tuple[int, int]]:
        """The minutes of a weekday outside the room's opening hours, as (from, to); none
        for a room open at all times."""
        if not self.hours:
            return []
        closed, cursor = [], 0
        for opens, closes in _merged(h.window for h in self.hours if h.weekday == weekday):
            if opens > cursor:
                closed.append((cursor, opens))
            cursor = closes
        if cursor < MINUTES_A_DAY:
            closed.append((cursor, MINUTES_A_DAY))
        return closed


# A closure lasts at most a long academic year, whether it is typed in or imported.
MAX_BLACKOUT_LENGTH = timedelta(days=400)


@dataclass(frozen=True, slots=True)
class Blackout:
    id: int
    span: TimeSpan
    reason: str
    room_id: int | None = None  # both None: everywhere
    building_id: int | None = None
    source_uid: str = ""  # imported from a calendar: its event's UID

    def covers(self, rules: RoomRules) -> bool:
        return self.applies_to(rules.room_id, rules.building_id)

    def concerns_building(self, building_id: int, room_ids: Iterable[int]) -> bool:
        """Whether the closure touches the building: everywhere, all of it, or one of its rooms."""
        if self.room_id is not None:
            return self.room_id in set(room_ids)
        return self.building_id is None or self.building_id == building_id

    def applies_to(self, room_id: int, building_id: int | None) -> bool:
        if self.room_id is not None:
            return self.room_id == room_id
        if self.building_id is not None:
            return self.building_id == building_id
        return True


@dataclass(frozen=True, slots=True)
class Breach:
    """One slot that a rule refuses."""

    placement: Placement
    rule: str  # "hours", "notice", "advance", "blackout"
    reason: Message
    blackout_id: int | None = None


@dataclass(frozen=True, slots=True)
class RuleCheck:
    breaches: list[Breach] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaches


def _within_hours(meeting: TimeSpan, rules: RoomRules) -> Message | None:
    """Why the meeting falls outside the room's hours, or None. A meeting past midnight must
    fit each day's hours in turn: 22:00-02:00 needs the evening until 24:00 and the night from
    00:00 of the next weekday."""
    if not rules.hours:
        return None
    zone = ZoneInfo(rules.zone)
    start, end = meeting.start.astimezone(zone), meeting.end.astimezone(zone)
    day, first = start.date(), _minute(start.time())
    while True:
        weekday = day.weekday()
        day_hours = [h for h in rules.hours if h.weekday == weekday]
        if not day_hours:
            return Message("hours.closed_on", room=rules.code, weekday=Weekday(weekday))
        last = _minute(end.time()) if end.date() == day else MINUTES_A_DAY
        windows = _merged(h.window for h in day_hours)
        if not any(opens <= first and last <= closes for opens, closes in windows):
            spans = ", ".join(h.describe() for h in sorted(day_hours, key=lambda h: h.opens))
            return Message("hours.only", room=rules.code, weekday=Weekday(weekday), hours=spans)
        day, first = day + timedelta(days=1), 0
        if end.date() < day or (end.date() == day and end.time() == MIDNIGHT):
            return None


def check_rules(
    placements: Iterable[Placement],
    rooms: Mapping[int, RoomRules],
    blackouts: Sequence[Blackout],
    now: datetime,
) -> RuleCheck:
    breaches: list[Breach] = []
    for placement in placements:
        rules = rooms[placement.room_id]
        meeting = placement.meeting
        outside = _within_hours(meeting, rules)
        if outside:
            breaches.append(Breach(placement, "hours", outside))
        if meeting.start - now < rules.min_notice:
            notice = Duration.of(rules.min_notice)
            breaches.append(
                Breach(placement, "notice", Message("window.notice", room=rules.code, at=notice))
            )
        if rules.max_advance is not None and meeting.start - now > rules.max_advance:
            advance = Duration.of(rules.max_advance)
            breaches.append(
                Breach(placement, "advance", Message("window.advance", room=rules.code, at=advance))
            )
        breaches += [
            Breach(placement, "blackout", Message("blackout.closed", reason=b.reason), b.id)
            for b in blackouts
            if b.covers(rules) and b.span.overlaps(meeting)
        ]
    return RuleCheck(breaches)


def check_hours(hours: Sequence[OpeningHours]) -> list[Message]:
    """Problems with a room's opening hours as an administrator set them."""
    problems = []
    for h in hours:
        if not 0 <= h.weekday <= 6:
            problems.append(Message("hours.weekday_range"))
        elif h.window[1] <= h.window[0]:
            problems.append(Message("hours.closes_before_opens", weekday=Weekday(h.weekday)))
    by_day: dict[int, list[OpeningHours]] = {}
    for h in hours:
        by_day.setdefault(h.weekday, []).append(h)
    for weekday, items in by_day.items():
        items.sort(key=lambda h: h.window)
        for earlier, later in itertools.pairwise(items):
            if later.window[0] < earlier.window[1]:
                problems.append(Message("hours.overlap", weekday=Weekday(weekday)))
    return problems


def overlapping(spans: Sequence[tuple[str, TimeSpan]]) -> list[tuple[str, str]]:
    """Pairs of named spans that overlap each other (e.g. two lines of an import)."""
    ordered = sorted(spans, key=lambda item: item[1].start)
    pairs = []
    for i, (name, span) in enumerate(ordered):
        for other_name, other in ordered[i + 1 :]:
            if not span.overlaps(other):
                break  # sorted by start: no later one overlaps either
            pairs.append((name, other_name))
    return pairs
