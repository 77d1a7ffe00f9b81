"""Use cases of blackouts: close a room, a building or everything for a period; list them; see
which bookings a closure falls on; remove one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.core.access import Actor, RoomPlace, may_close, sees_bookings_of_room
from booking.core.booking_rules import MAX_BLACKOUT_LENGTH, Blackout
from booking.core.conflicts import Occupation
from booking.core.errors import FieldProblem, Forbidden, NotFound, RuleViolation, refused
from booking.core.localtime import period
from booking.core.messages import Message
from booking.core.rooms import RoomFacts
from booking.core.timespan import SpanSet, TimeSpan, hull
from booking.core.workflow import HOLDING, Status
from booking.db import blackouts, catalogue, occurrences
from booking.db.transactions import in_writing_transaction

MAX_LISTED_PERIOD = timedelta(days=3 * 366)


@dataclass(frozen=True, slots=True)
class Affected:
    """A booking or request a closure falls on, for its approver to sort out."""

    occupation: Occupation
    room: RoomFacts
    title: str


@dataclass(frozen=True, slots=True)
class Closure:
    blackout: Blackout
    zone: ZoneInfo  # the zone it is shown in: its building's, or the default one
    affected: list[Affected]


@dataclass(frozen=True, slots=True)
class Scope:
    zone: ZoneInfo
    places: list[RoomPlace]


async def scope(
    actor: Actor, building: int | None, room: int | None, default_zone: ZoneInfo
) -> Scope:
    """The zone of the scope and its rooms; refuses callers who do not manage all of it."""
    if building is not None and room is not None:
        raise refused("room", Message("blackout.building_or_room"))
    place = None
    if room is not None:
        found = (await catalogue.rooms_by_id([room])).get(room)
        if found is None:
            raise refused("room", Message("rooms.unknown", id=room))
        zone, place = ZoneInfo(found.zone), RoomPlace(room, found.building_id)
    elif building is not None:
        found_building = await catalogue.building(building)
        if found_building is None:
            raise refused("building", Message("buildings.unknown", id=building))
        zone = ZoneInfo(found_building.zone)
    else:
        zone = default_zone
    if not may_close(actor, building, place):
        raise Forbidden(Message("blackout.only_admins_or_managers"))
    if place is not None:
        return Scope(zone, [place])
    rooms = await catalogue.all_rooms()
    places = [RoomPlace(r.id, r.building_id) for r in rooms if building in (None, r.building_id)]
    return Scope(zone, places)


def _span(start: datetime, end: datetime, zone: ZoneInfo) -> TimeSpan:
    seconds = [
        name
        for name, value in (("start", start), ("end", end))
        if value.second or value.microsecond
    ]
    if seconds:
        # As for bookings: a closure from 10:00:30 would leave half a minute nobody can book.
        raise RuleViolation([FieldProblem(name, Message("time.whole_minutes")) for name in seconds])
    span = period(start, end, zone, MAX_BLACKOUT_LENGTH, Message("blackout.too_long"))
    assert span is not None  # both ends are given
    return span


async def affected(
    spans: Sequence[TimeSpan], places: Sequence[RoomPlace], now: datetime
) -> list[Affected]:
    """Bookings and requests that any of the closures falls on, each once; one query for all
    of them, as an import may bring hundreds."""
    room_ids = {p.room_id for p in places}
    if not room_ids or not spans:
        return []
    closed = SpanSet(spans)
    found = await occurrences.occupations(
        hull(spans), [*HOLDING, Status.PENDING], room_ids, as_of=now
    )
    hits = [o for o in found if closed.overlaps(o.meeting)]
    rooms = await catalogue.rooms_by_id(room_ids)
    titles = await occurrences.titles({o.booking_id for o in hits})
    return [Affected(o, rooms[o.room_id], titles.get(o.booking_id, "")) for o in hits]


async def create_blackout(
    engine: Engine,
    user: CurrentUser,
    span_asked: tuple[datetime, datetime],
    reason: str,
    where: tuple[int | None, int | None],
    default_zone: ZoneInfo,
    now: datetime,
) -> Closure:
    """Close (`where` = building, room; both None: everywhere) for a span of time."""
    building, room = where
    closing = await scope(user.actor, building, room, default_zone)
    span = _span(*span_asked, closing.zone)
    reason = reason.strip()
    if not reason:
        raise refused("reason", Message("text.blank"))

    async def insert() -> int:
        return await blackouts.insert_blackout(span, reason, building, room, now)

    blackout_id = await in_writing_transaction(engine, insert)
    stored = await blackouts.blackout(blackout_id)
    assert stored is not None
    return Closure(stored, closing.zone, await affected([span], closing.places, now))


def zone_of(blackout: Blackout, rooms: Sequence[RoomFacts], default_zone: ZoneInfo) -> ZoneInfo:
    """A closure is shown in its building's time; one of everywhere in the default zone."""
    for r in rooms:
        if r.id == blackout.room_id or (
            blackout.room_id is None and r.building_id == blackout.building_id
        ):
            return ZoneInfo(r.zone)
    return default_zone


async def list_blackouts(
    start: datetime | None,
    end: datetime | None,
    building: int | None,
    room: int | None,
    default_zone: ZoneInfo,
) -> list[tuple[Blackout, ZoneInfo]]:
    """The closures in a period; for a building or room, every closure that applies to it
    (its own, its building's or its rooms', and those of everywhere); each with its zone."""
    too_long = Message("blackout.list_at_most", days=MAX_LISTED_PERIOD.days)
    window = period(start, end, default_zone, MAX_LISTED_PERIOD, too_long)
    found = await blackouts.blackouts_in(window)
    rooms = await catalogue.all_rooms()
    if room is not None or building is not None:
        in_building = [r.id for r in rooms if r.building_id == building]
        room_building = next((r.building_id for r in rooms if r.id == room), None)

        def wanted(closure: Blackout) -> bool:
            return (room is not None and closure.applies_to(room, room_building)) or (
                building is not None and closure.concerns_building(building, in_building)
            )

        found = [b for b in found if wanted(b)]
    return [(b, zone_of(b, rooms, default_zone)) for b in found]


async def blackout_with_affected(
    user: CurrentUser, blackout_id: int, default_zone: ZoneInfo, now: datetime
) -> Closure:
    if not user.actor.is_staff:
        raise Forbidden(Message("blackout.affected_only_staff"))
    found = await blackouts.blackout(blackout_id)
    if found is None:
        raise NotFound("blackout")
    rooms = await catalogue.all_rooms()
    places = [
        RoomPlace(r.id, r.building_id) for r in rooms if found.applies_to(r.id, r.building_id)
    ]
    # An approver sees the bookings under it in the rooms they manage only.
    places = [p for p in places if sees_bookings_of_room(user.actor, p)]
    zone = zone_of(found, rooms, default_zone)
    return Closure(found, zone, await affected([found.span], places, now))


async def delete_blackout(
    engine: Engine, user: CurrentUser, blackout_id: int, default_zone: ZoneInfo
) -> None:
    found = await blackouts.blackout(blackout_id)
    if found is None:
        raise NotFound("blackout")
    await scope(user.actor, found.building_id, found.room_id, default_zone)
    await in_writing_transaction(engine, lambda: blackouts.delete_blackouts([blackout_id]))
