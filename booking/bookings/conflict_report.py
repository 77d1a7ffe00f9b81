"""Explaining a conflict: what collides, and what the requester could have instead."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from booking.bookings.views import alternatives_view, conflict_views
from booking.core.alternatives import Alternatives, alternative_rooms, nearest_free_slots
from booking.core.conflicts import Conflict, Placement, find_conflicts
from booking.core.errors import BookingConflict
from booking.core.localtime import local_day
from booking.core.rooms import RoomFacts
from booking.core.workflow import HOLDING
from booking.db import catalogue, occurrences
from booking.db.engine import is_postgres
from booking.db.tables import Occurrence


async def current_conflicts(
    placements: Sequence[Placement], ignore_booking: int | None = None
) -> list[Conflict]:
    """Conflicts of `placements` with whatever holds the rooms right now."""
    if not placements:
        return []
    postgres = is_postgres(Occurrence._meta.db)
    existing = await occurrences.colliding(placements, HOLDING, postgres)
    return find_conflicts(placements, [o for o in existing if o.booking_id != ignore_booking])


async def conflict_error(
    conflicts: Sequence[Conflict],
    rooms: Mapping[int, RoomFacts],
    attendance: int,
    now: datetime,
) -> BookingConflict:
    """A BookingConflict carrying the collisions and suggestions, ready to show."""
    all_rooms = await catalogue.all_rooms()
    known = {room.id: room for room in all_rooms} | dict(rooms)
    asked = [rooms[room_id] for room_id in dict.fromkeys(c.wanted.room_id for c in conflicts)]
    suggested_rooms: list[RoomFacts] = []
    slots = []
    for room in asked:
        wanted = next(c.wanted for c in conflicts if c.wanted.room_id == room.id)
        nearby = await occurrences.occupations(
            wanted.meeting.widened(room.setup, room.teardown), HOLDING
        )
        for suggestion in alternative_rooms(
            room,
            wanted.meeting,
            all_rooms,
            nearby,
            attendance=min(attendance, room.capacity),
            exclude=rooms,
        ):
            if suggestion not in suggested_rooms:
                suggested_rooms.append(suggestion)
        day = local_day(wanted.meeting.start, ZoneInfo(room.zone))
        busy = await occurrences.occupations(
            day.widened(room.setup, room.teardown), HOLDING, [room.id]
        )
        slots += [
            (room.id, span)
            for span in nearest_free_slots(
                room, wanted.meeting, day, [o.blocked for o in busy], not_before=now
            )
        ]
    return BookingConflict(
        conflict_views(conflicts, known),
        alternatives_view(Alternatives(suggested_rooms, slots), known),
    )
