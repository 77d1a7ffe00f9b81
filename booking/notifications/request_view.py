"""A request as an e-mail describes it, in the recipient's language: its title, who asks, its
rooms with their buildings and addresses, and its dates in the building's own time (never UTC),
a long series cut to its first dates and how many more follow."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from booking.core.booking import Booking, Slot
from booking.core.catalogue import Building
from booking.core.rooms import RoomFacts
from booking.core.workflow import STATUS_NAMES, approval_step, current_tier
from booking.db import bookings, catalogue
from booking.i18n import Texts
from booking.notifications import links
from booking.notifications.content import MessageContext
from booking.notifications.envelope import NothingToSay
from booking.web import formatting

# A series shows this many dates; "and N more" says the rest.
DATES_SHOWN = 5


@dataclass(frozen=True, slots=True)
class RoomView:
    code: str
    name: str
    building: str
    address: str


@dataclass(frozen=True, slots=True)
class DateList:
    shown: list[str]  # "marți, 20 ianuarie 2027, 14:00–16:00"
    more: int  # how many more there are


@dataclass(frozen=True, slots=True)
class RequestView:
    booking: Booking
    title: str
    organisation: str
    requester: str
    organiser: str
    attendance: str
    status: str
    rooms: list[RoomView]
    dates: DateList
    proposed: DateList  # the dates of a change waiting for approval (none: no change)
    url: str
    zone: ZoneInfo  # the first room's building's: for a time said outside any date


async def request_view(context: MessageContext) -> RequestView:
    """The message's request as it is now; NothingToSay if it is gone."""
    booking_id = context.message.booking_id
    booking = await bookings.load_booking(booking_id) if booking_id is not None else None
    if booking is None:
        raise NothingToSay("the request no longer exists")
    booking = booking.as_of(context.now)
    said = context.texts
    shown = shown_slots(booking)
    every = [*booking.occurrences, *booking.proposed]
    rooms = await catalogue.rooms_by_id(slot.room_id for slot in every)
    buildings = {b.id: b for b in await catalogue.buildings()}
    organisation = (
        await catalogue.organisation(booking.fields.organisation_id)
        if booking.fields.organisation_id is not None
        else None
    )
    many_rooms = len({slot.room_id for slot in every}) > 1
    return RequestView(
        booking=booking,
        title=booking.fields.title,
        organisation=organisation.name if organisation else "",
        requester=booking.requested_by_name or "",
        organiser=booking.fields.organiser_name,
        attendance=formatting.number(booking.fields.expected_attendance, said),
        status=said(STATUS_NAMES[booking.status]),
        rooms=room_views(
            (rooms[s.room_id] for s in shown or every if s.room_id in rooms),
            buildings,
            said.language,
        ),
        dates=date_list(shown, said, with_rooms=many_rooms),
        proposed=date_list(booking.proposed, said, with_rooms=many_rooms),
        url=context.link(links.request_page(booking.id)),
        zone=ZoneInfo((shown or every)[0].zone) if every else context.default_zone,
    )


def shown_slots(booking: Booking) -> list[Slot]:
    """The dates that stand; a request refused or cancelled as a whole shows those it had."""
    return booking.live or list(booking.occurrences)


def room_views(
    rooms: Iterable[RoomFacts], buildings: dict[int, Building], language: str
) -> list[RoomView]:
    seen: dict[int, RoomView] = {}
    for room in rooms:
        building = buildings.get(room.building_id)
        seen.setdefault(
            room.id,
            RoomView(
                code=room.code,
                name=room.name,
                building=building.name_in(language) if building else "",
                address=building.address if building else "",
            ),
        )
    return list(seen.values())


def when(start: datetime, end: datetime, zone: ZoneInfo, texts: Texts) -> str:
    """marți, 20 ianuarie 2027, 14:00–16:00, in `zone`."""
    return formatting.when(start, end, zone, texts)


def date_list(slots: Sequence[Slot], texts: Texts, with_rooms: bool = False) -> DateList:
    """One line per time span (the rooms of one span together), in time order; the rooms'
    codes follow when the request has more than one room."""
    spans: dict[tuple[datetime, datetime, str], list[str]] = {}
    for slot in sorted(slots, key=lambda s: (s.meeting.start, s.room_code)):
        spans.setdefault((slot.meeting.start, slot.meeting.end, slot.zone), []).append(
            slot.room_code
        )
    lines = []
    for (start, end, zone), codes in spans.items():
        line = when(start, end, ZoneInfo(zone), texts)
        lines.append(f"{line} · {', '.join(codes)}" if with_rooms else line)
    return DateList(lines[:DATES_SHOWN], max(len(lines) - DATES_SHOWN, 0))


def tier_step(booking: Booking, texts: Texts) -> str:
    """Who decides now, in words ("tier 1 of 2 (room manager)"); empty if nobody does."""
    if current_tier(booking.state) is None:
        return ""
    return texts(approval_step(booking.state).describe())


def waits_for_decision(booking: Booking) -> bool:
    return current_tier(booking.state) is not None


def moment(at: datetime, zone: ZoneInfo, texts: Texts) -> str:
    """marți, 20 ianuarie 2027, 18:00, in `zone`."""
    return f"{formatting.day_long(at, zone, texts)}, {formatting.clock(at, zone, texts)}"
