"""What the domain needs to know about a room to place a booking in it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from booking.core.timespan import TimeSpan, blocked_span

# Buffers are capped so that a blocked span is never longer than a bounded length, which lets
# overlap queries scan a bounded index range on both database engines.
MAX_BUFFER = timedelta(hours=4)


def buffer_of(minutes: int | None) -> timedelta | None:
    """A buffer given (and stored) in whole minutes; None: the room's own."""
    return None if minutes is None else timedelta(minutes=minutes)


def minutes_of(buffer: timedelta | None) -> int | None:
    return None if buffer is None else int(buffer.total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class RoomFacts:
    id: int
    code: str
    name: str
    building_id: int
    zone: str
    capacity: int
    equipment: frozenset[str]
    setup: timedelta
    teardown: timedelta
    instant_book: bool
    active: bool

    def blocked(self, meeting: TimeSpan) -> TimeSpan:
        return blocked_span(meeting, self.setup, self.teardown)

    def fits(self, attendance: int | None, equipment: Iterable[str] = ()) -> bool:
        if not self.active:
            return False
        if attendance is not None and attendance > self.capacity:
            return False
        return set(equipment) <= self.equipment


def rooms_matching(
    rooms: Iterable[RoomFacts],
    *,
    building_id: int | None = None,
    min_capacity: int | None = None,
    equipment: Iterable[str] = (),
) -> list[RoomFacts]:
    wanted = frozenset(equipment)
    return [
        room
        for room in rooms
        if room.fits(min_capacity, wanted)
        and (building_id is None or room.building_id == building_id)
    ]
