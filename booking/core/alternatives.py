"""Suggestions for a request that cannot have what it asked for.

Two kinds: other rooms free at the same time that fit the audience and the equipment, and the
nearest free slots of the same room on the same local day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from booking.core.conflicts import Occupation, free_rooms
from booking.core.rooms import RoomFacts, rooms_matching
from booking.core.timespan import TimeSpan

SLOT_STEP = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Alternatives:
    rooms: list[RoomFacts]
    slots: list[tuple[int, TimeSpan]]

    def as_data(self, rooms: Mapping[int, RoomFacts]) -> dict[str, Any]:
        """As JSON-able data, in each room's local time: what a refusal shows, and what the
        audit trail of a declined request keeps."""
        return {
            "rooms": [
                {
                    "id": r.id,
                    "code": r.code,
                    "name": r.name,
                    "capacity": r.capacity,
                    "building_id": r.building_id,
                }
                for r in self.rooms
            ],
            "slots": [_slot_data(rooms[room_id], span) for room_id, span in self.slots],
        }


def _slot_data(room: RoomFacts, span: TimeSpan) -> dict[str, Any]:
    local = span.in_zone(ZoneInfo(room.zone))
    return {
        "room_id": room.id,
        "room_code": room.code,
        "start": local.start.isoformat(),
        "end": local.end.isoformat(),
    }


def alternative_rooms(
    asked: RoomFacts,
    meeting: TimeSpan,
    rooms: Iterable[RoomFacts],
    occupied: Iterable[Occupation],
    attendance: int,
    equipment: Iterable[str] = (),
    exclude: Iterable[int] = (),
    limit: int = 5,
) -> list[RoomFacts]:
    """Free rooms that fit, the same building first, then the closest capacity."""
    excluded = {asked.id, *exclude}
    candidates = [
        room
        for room in rooms_matching(rooms, min_capacity=attendance, equipment=equipment)
        if room.id not in excluded
    ]
    free = free_rooms(candidates, meeting, occupied)
    free.sort(key=lambda r: (r.building_id != asked.building_id, r.capacity - attendance, r.code))
    return free[:limit]


def nearest_free_slots(
    room: RoomFacts,
    wanted: TimeSpan,
    day: TimeSpan,
    busy: Sequence[TimeSpan],
    not_before: datetime,
    limit: int = 3,
) -> list[TimeSpan]:
    """Free meetings as long as `wanted`, inside `day`, starting closest to the wanted start.

    Candidates are the wanted start moved in steps of SLOT_STEP, plus the starts that fit
    snugly right after or right before a busy span, so the suggestion is not a needless quarter
    of an hour away from the obstacle.
    """
    length = wanted.duration
    first_step = -((wanted.start - day.start) // SLOT_STEP)
    last_step = (day.end - length - wanted.start) // SLOT_STEP
    starts = {wanted.start + k * SLOT_STEP for k in range(first_step, last_step + 1)}
    for span in busy:
        starts.add(span.end + room.setup)
        starts.add(span.start - room.teardown - length)
    earliest = max(day.start, not_before)

    def usable(start: datetime) -> bool:
        end = start + length
        if start < earliest or end > day.end or start == wanted.start:
            return False
        blocked = room.blocked(TimeSpan(start, end))
        return not any(blocked.overlaps(b) for b in busy)

    chosen = sorted((s for s in starts if usable(s)), key=lambda s: (abs(s - wanted.start), s))
    return [TimeSpan(s, s + length) for s in sorted(chosen[:limit])]
