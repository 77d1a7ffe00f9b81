"""The e-mail of a request declined because a competing one was approved: what was free instead
when it was declined (core.alternatives keeps it in the event), each with a link to the booking
form filled in for it, or to the room finder when nothing was.

Other rooms were free at the time the declined request wanted; that time is the first of its
dates that the approved request took (the one the suggestions were made for).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from booking.core.booking import Booking, Slot
from booking.core.catalogue import Building
from booking.core.rooms import RoomFacts
from booking.db import bookings, catalogue
from booking.i18n import Texts
from booking.notifications import links
from booking.notifications.content import Content, MessageContext
from booking.notifications.request_view import request_view, shown_slots, when


@dataclass(frozen=True, slots=True)
class Alternative:
    room: str  # "Sala Senatului (REC-SEN)"
    building: str
    when: str
    url: str  # the booking form, filled in


async def declined(context: MessageContext) -> Content:
    request = await request_view(context)
    booking = request.booking
    offered: Mapping[str, Any] = context.data.get("alternatives") or {}
    room_ids = [r["id"] for r in offered.get("rooms", [])]
    room_ids += [s["room_id"] for s in offered.get("slots", [])]
    rooms = await catalogue.rooms_by_id(room_ids)
    buildings = {b.id: b for b in await catalogue.buildings()}
    wanted = await _wanted(booking, context.data.get("approved_instead"))
    people = booking.fields.expected_attendance
    found = [
        *_other_rooms(offered.get("rooms", []), rooms, buildings, wanted, people, context),
        *_other_times(offered.get("slots", []), rooms, buildings, people, context),
    ]
    search = None
    if wanted is not None:
        local = wanted.meeting.in_zone(ZoneInfo(wanted.zone))
        search = context.link(links.finder(local.start, local.end, people))
    values = {
        "request": request,
        "alternatives": found,
        "finder_url": search or context.link("/"),
        "audience": "requester",
    }
    return context.content(values)


async def _wanted(booking: Booking, winner_id: Any) -> Slot | None:
    """The first of the request's dates that the approved request took; else its first."""
    slots = sorted(shown_slots(booking), key=lambda s: s.meeting.start)
    winner = await bookings.load_booking(winner_id) if isinstance(winner_id, int) else None
    if winner is not None:
        for slot in slots:
            if any(
                w.room_id == slot.room_id and w.blocked.overlaps(slot.blocked) for w in winner.live
            ):
                return slot
    return slots[0] if slots else None


def _named(room: RoomFacts, buildings: Mapping[int, Building], texts: Texts) -> tuple[str, str]:
    building = buildings.get(room.building_id)
    return f"{room.name} ({room.code})", building.name_in(texts.language) if building else ""


def _other_rooms(
    offered: Sequence[Mapping[str, Any]],
    rooms: Mapping[int, RoomFacts],
    buildings: Mapping[int, Building],
    wanted: Slot | None,
    people: int,
    context: MessageContext,
) -> list[Alternative]:
    if wanted is None:
        return []
    found = []
    for one in offered:
        room = rooms.get(one["id"])
        if room is None:
            continue  # deleted since
        local = wanted.meeting.in_zone(ZoneInfo(room.zone))
        name, building = _named(room, buildings, context.texts)
        said = when(local.start, local.end, ZoneInfo(room.zone), context.texts)
        form = links.booking_form(room.code, local.start, local.end, people)
        found.append(Alternative(name, building, said, context.link(form)))
    return found


def _other_times(
    offered: Sequence[Mapping[str, Any]],
    rooms: Mapping[int, RoomFacts],
    buildings: Mapping[int, Building],
    people: int,
    context: MessageContext,
) -> list[Alternative]:
    found = []
    for one in offered:
        room = rooms.get(one["room_id"])
        if room is None:
            continue
        zone = ZoneInfo(room.zone)
        start = datetime.fromisoformat(one["start"]).astimezone(zone)
        end = datetime.fromisoformat(one["end"]).astimezone(zone)
        name, building = _named(room, buildings, context.texts)
        form = links.booking_form(room.code, start, end, people)
        found.append(
            Alternative(name, building, when(start, end, zone, context.texts), context.link(form))
        )
    return found
