"""Applying the rooms' own rules (opening hours, booking windows, blackouts) to slots asked for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from booking.core.access import Actor, BookingFacts, manages
from booking.core.booking_rules import Breach, check_rules
from booking.core.conflicts import Placement
from booking.core.errors import FieldProblem, Forbidden, RuleViolation
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


def given_reason(override_reason: str | None) -> str | None:
    """The reason for an override, trimmed; a blank one is no reason."""
    if override_reason is None:
        return None
    reason = override_reason.strip()
    if not reason:
        raise RuleViolation([FieldProblem("override_reason", "say why the rules are overridden")])
    return reason


async def check_or_override(
    placements: Sequence[Placement],
    rooms: Sequence[RoomFacts],
    now: datetime,
    actor: Actor,
    override_reason: str | None,
) -> dict[str, object]:
    """Refuse slots that break a room's rules, unless a manager of all of them overrides with
    a reason; returns what the audit trail should keep of an override."""
    override_reason = given_reason(override_reason)
    if override_reason is not None:
        places = BookingFacts.of(None, None, False, ((r.id, r.building_id) for r in rooms))
        if not manages(actor, places):
            raise Forbidden("only the managers of these rooms may override their rules")
    found = await breaches(placements, rooms, now)
    if not found:
        return {}
    by_id = {room.id: room for room in rooms}
    if override_reason is None:
        raise refusal(found, by_id)
    return {
        "override_reason": override_reason,
        "overridden": sorted({f"{day_of(b, by_id)}: {b.reason}" for b in found}),
    }
