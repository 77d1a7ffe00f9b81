"""Applying the rooms' own rules (opening hours, booking windows, blackouts) to slots asked for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from booking.core.booking_rules import Breach, check_rules
from booking.core.conflicts import Placement
from booking.core.errors import FieldProblem, RuleViolation
from booking.core.rooms import RoomFacts
from booking.db import booking_rules, occurrences


async def breaches(
    placements: Sequence[Placement], rooms: Sequence[RoomFacts], now: datetime
) -> list[Breach]:
    if not placements:
        return []
    rules = await booking_rules.rules_for(rooms)
    window = occurrences.hull(p.meeting for p in placements)
    blackouts = await booking_rules.blackouts_in(window)
    return check_rules(placements, rules, blackouts, now).breaches


def day_of(breach: Breach, rooms: dict[int, RoomFacts]) -> str:
    zone = ZoneInfo(rooms[breach.placement.room_id].zone)
    return breach.placement.meeting.start.astimezone(zone).date().isoformat()


def refusal(found: Sequence[Breach], rooms: dict[int, RoomFacts]) -> RuleViolation:
    """One problem per distinct reason and date, at most a screenful."""
    seen: dict[str, None] = {}
    for breach in found:
        seen.setdefault(f"{day_of(breach, rooms)}: {breach.reason}", None)
    problems = [FieldProblem("start", text) for text in list(seen)[:50]]
    if len(seen) > 50:
        problems.append(FieldProblem("start", f"and {len(seen) - 50} more"))
    return RuleViolation(problems)


async def check_placements(
    placements: Sequence[Placement], rooms: Sequence[RoomFacts], now: datetime
) -> None:
    """Refuse slots that break a room's rules (for changes, where nothing is skipped)."""
    found = await breaches(placements, rooms, now)
    if found:
        raise refusal(found, {room.id: room for room in rooms})
