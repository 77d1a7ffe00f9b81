"""Explaining a conflict: what collides, and what the requester could have instead."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from booking.core.alternatives import Alternatives, alternative_rooms, nearest_free_slots
from booking.core.conflicts import Conflict, Placement, find_conflicts
from booking.core.errors import BookingConflict
from booking.core.localtime import local_day
from booking.core.rooms import RoomFacts
from booking.core.timespan import TimeSpan
from booking.core.workflow import HOLDING
from booking.db import catalogue, occurrences
from booking.rooms.rules import breaches


async def current_conflicts(
    placements: Sequence[Placement],
    ignore_booking: int | None = None,
    statuses: Iterable[str] = HOLDING,
) -> list[Conflict]:
    """Conflicts of `placements` with whatever holds the rooms right now (or is in `statuses`),
    as stored: a hold whose time is up is still in the way, for the writer to lapse it."""
    if not placements:
        return []
    existing = await occurrences.colliding(placements, statuses)
    return find_conflicts(placements, [o for o in existing if o.booking_id != ignore_booking])


# Suggestions shown with a refusal, and how many candidates are weighed to find them once the
# rooms' own rules (hours, windows, blackouts) have struck some out.
ROOMS_SHOWN, ROOMS_WEIGHED = 5, 25
SLOTS_SHOWN, SLOTS_WEIGHED = 3, 12


async def suggestions(
    conflicts: Sequence[Conflict],
    rooms: Mapping[int, RoomFacts],
    attendance: int,
    now: datetime,
) -> tuple[Alternatives, dict[int, RoomFacts]]:
    """Other rooms free then, and the nearest free times of the rooms asked for: only rooms and
    slots that could be booked, their buffers and rules included. Also every room they name."""
    all_rooms = await catalogue.all_rooms()
    known = {room.id: room for room in all_rooms} | dict(rooms)
    widest = max((max(r.setup, r.teardown) for r in all_rooms), default=timedelta(0))
    asked = [rooms[room_id] for room_id in dict.fromkeys(c.wanted.room_id for c in conflicts)]
    suggested_rooms: list[RoomFacts] = []
    slots: list[tuple[int, TimeSpan]] = []
    for room in asked:
        wanted = next(c.wanted for c in conflicts if c.wanted.room_id == room.id)
        # Wide enough for the largest buffer of any room that might be suggested.
        nearby = await occurrences.occupations(
            wanted.meeting.widened(widest, widest), HOLDING, as_of=now
        )
        other_rooms = alternative_rooms(
            room,
            wanted.meeting,
            all_rooms,
            nearby,
            attendance=min(attendance, room.capacity),
            exclude=rooms,
            limit=ROOMS_WEIGHED,
        )
        day = local_day(wanted.meeting.start, ZoneInfo(room.zone))
        busy = await occurrences.occupations(
            day.widened(room.setup, room.teardown), HOLDING, [room.id], as_of=now
        )
        other_times = nearest_free_slots(
            room,
            wanted.meeting,
            day,
            [o.blocked for o in busy],
            not_before=now,
            limit=SLOTS_WEIGHED,
        )
        candidates = [
            Placement(r.id, wanted.meeting, r.blocked(wanted.meeting)) for r in other_rooms
        ]
        candidates += [Placement(room.id, span, room.blocked(span)) for span in other_times]
        refused = {
            (b.placement.room_id, b.placement.meeting)
            for b in await breaches(candidates, [*other_rooms, room], now)
        }
        bookable = [r for r in other_rooms if (r.id, wanted.meeting) not in refused]
        for suggestion in bookable[:ROOMS_SHOWN]:
            if suggestion not in suggested_rooms:
                suggested_rooms.append(suggestion)
        free_times = [span for span in other_times if (room.id, span) not in refused]
        closest = sorted(free_times, key=lambda s: (abs(s.start - wanted.meeting.start), s.start))
        slots += [(room.id, span) for span in sorted(closest[:SLOTS_SHOWN], key=lambda s: s.start)]
    return Alternatives(suggested_rooms, slots), known


async def conflict_error(
    conflicts: Sequence[Conflict],
    rooms: Mapping[int, RoomFacts],
    attendance: int,
    now: datetime,
) -> BookingConflict:
    """A BookingConflict carrying the collisions and the suggestions."""
    alternatives, known = await suggestions(conflicts, rooms, attendance, now)
    return BookingConflict(conflicts, alternatives, known)
