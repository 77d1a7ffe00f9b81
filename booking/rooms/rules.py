"""A room's own rules for when it may be booked (opening hours, booking windows) and whether
slots asked for keep to them and to the blackouts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from piccolo.engine.base import Engine

from booking.accounts.current_user import CurrentUser
from booking.core.access import RoomPlace, manages_room
from booking.core.booking_rules import Breach, OpeningHours, RoomRules, check_hours, check_rules
from booking.core.conflicts import Placement
from booking.core.errors import FieldProblem, Forbidden, RuleViolation
from booking.core.messages import Message
from booking.core.rooms import RoomFacts
from booking.core.rule_breaches import RoomsKnown
from booking.core.timespan import TimeSpan, hull
from booking.db import room_rules as stored_rules
from booking.db import tiers
from booking.db.blackouts import blackouts_in
from booking.db.transactions import in_writing_transaction
from booking.rooms.catalogue import room_facts


async def breaches(
    placements: Sequence[Placement], rooms: Sequence[RoomFacts], now: datetime
) -> list[Breach]:
    """Every slot's breaches of its room's hours and windows and of the blackouts."""
    if not placements:
        return []
    rules = await stored_rules.rules_for(rooms)
    blackouts = await blackouts_in(hull(p.meeting for p in placements))
    return check_rules(placements, rules, blackouts, now).breaches


@dataclass(frozen=True, slots=True)
class BookingWindows:
    """How long before it a meeting must be asked for; how far ahead it may be (None: as far
    as any series may reach)."""

    min_notice: timedelta
    max_advance: timedelta | None


async def room_rules(room_id: int) -> RoomRules:
    return (await stored_rules.rules_for([await room_facts(room_id)]))[room_id]


async def rules_of_rooms(rooms: Sequence[RoomFacts]) -> dict[int, RoomRules]:
    """Each room's rules, by room id, in one read (a building's calendar shows every room's
    opening hours)."""
    return await stored_rules.rules_for(rooms)


async def set_room_rules(
    engine: Engine,
    user: CurrentUser,
    room_id: int,
    hours: Sequence[OpeningHours],
    windows: BookingWindows,
) -> RoomRules:
    room = await room_facts(room_id)
    if not manages_room(user.actor, RoomPlace(room.id, room.building_id)):
        raise Forbidden(Message("rules.change_only_managers"))
    problems = check_hours(hours)
    if problems:
        raise RuleViolation([FieldProblem("opening_hours", p) for p in problems])

    async def store() -> None:
        await stored_rules.set_hours(room_id, hours)
        await stored_rules.set_windows(room_id, windows.min_notice, windows.max_advance)

    await in_writing_transaction(engine, store)
    return (await stored_rules.rules_for([room]))[room_id]


async def rooms_known(rooms: Sequence[RoomFacts], meetings: Iterable[TimeSpan]) -> RoomsKnown:
    """What a decision on slots of these meetings in these rooms needs to know: the rooms'
    approval tiers, their rules, and the blackouts of the period."""
    return RoomsKnown(
        rooms=rooms,
        tier_rules=await tiers.rules_for_rooms(rooms),
        room_rules=await stored_rules.rules_for(rooms),
        blackouts=await blackouts_in(hull(meetings)),
    )
