"""Finding which existing occupations collide with what is asked for."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from booking.core.rooms import RoomFacts
from booking.core.timespan import TimeSpan


@dataclass(frozen=True, slots=True)
class Occupation:
    """An existing occurrence as far as conflicts are concerned."""

    occurrence_id: int
    booking_id: int
    room_id: int
    meeting: TimeSpan
    blocked: TimeSpan
    status: str
    public_title: str | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    """A meeting asked for in one room."""

    room_id: int
    meeting: TimeSpan
    blocked: TimeSpan


@dataclass(frozen=True, slots=True)
class Conflict:
    wanted: Placement
    existing: Occupation


def find_conflicts(wanted: Iterable[Placement], existing: Iterable[Occupation]) -> list[Conflict]:
    """Every (wanted, existing) pair in the same room whose blocked spans overlap.

    A series may ask for hundreds of slots in a room with thousands of bookings, so each room's
    occupations are sorted once and every slot looks only at those starting within the longest
    occupation's length before it.
    """
    by_room: dict[int, list[Occupation]] = {}
    for occupation in existing:
        by_room.setdefault(occupation.room_id, []).append(occupation)
    indexed = {}
    for room_id, items in by_room.items():
        items.sort(key=lambda o: o.blocked.start)
        longest = max(o.blocked.duration for o in items)
        indexed[room_id] = ([o.blocked.start for o in items], items, longest)
    found = []
    for placement in wanted:
        if placement.room_id not in indexed:
            continue
        starts, items, longest = indexed[placement.room_id]
        first = bisect_right(starts, placement.blocked.start - longest)
        last = bisect_left(starts, placement.blocked.end)
        found += [
            Conflict(placement, occupation)
            for occupation in items[first:last]
            if placement.blocked.overlaps(occupation.blocked)
        ]
    return sorted(found, key=lambda c: (c.existing.blocked.start, c.existing.occurrence_id))


def overlapping_own(placements: Iterable[Placement]) -> tuple[Placement, Placement] | None:
    """Two slots of one request that would block the same room at once (say, daily 24-hour
    dates once the room's setup and teardown are added), or None."""
    by_room: dict[int, list[Placement]] = {}
    for placement in placements:
        by_room.setdefault(placement.room_id, []).append(placement)
    for slots in by_room.values():
        slots.sort(key=lambda p: p.blocked.start)
        for earlier, later in pairwise(slots):
            if earlier.blocked.overlaps(later.blocked):
                return earlier, later
    return None


def free_rooms(
    rooms: Iterable[RoomFacts], meeting: TimeSpan, occupied: Iterable[Occupation]
) -> list[RoomFacts]:
    """Rooms in which `meeting`, with that room's own buffers, collides with nothing."""
    busy_by_room: dict[int, list[TimeSpan]] = {}
    for occupation in occupied:
        busy_by_room.setdefault(occupation.room_id, []).append(occupation.blocked)
    return [
        room
        for room in rooms
        if not any(room.blocked(meeting).overlaps(b) for b in busy_by_room.get(room.id, ()))
    ]
