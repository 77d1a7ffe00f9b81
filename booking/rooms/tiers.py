"""Reading and setting the approval tiers of buildings and rooms."""

from __future__ import annotations

from collections.abc import Sequence

from piccolo.engine.base import Engine

from booking.core.errors import NotFound, refused
from booking.core.messages import Message
from booking.core.tiers import TierRule, effective_rules
from booking.db import catalogue, tiers
from booking.db.transactions import in_writing_transaction

MAX_TIERS = 5


def _checked(rules: Sequence[TierRule]) -> list[TierRule]:
    if len(rules) > MAX_TIERS:
        raise refused("body", Message("tiers.too_many", most=MAX_TIERS))
    roles = [r.role for r in rules]
    if len(set(roles)) != len(roles):
        raise refused("body", Message("tiers.role_twice"))
    return list(rules)


async def building_tiers(building_id: int) -> list[TierRule]:
    if await catalogue.building(building_id) is None:
        raise NotFound("building")
    return list(effective_rules([], await tiers.configured(building=building_id)))


async def set_building_tiers(
    engine: Engine, building_id: int, rules: Sequence[TierRule]
) -> list[TierRule]:
    if await catalogue.building(building_id) is None:
        raise NotFound("building")
    checked = _checked(rules)
    # One transaction: a request submitted meanwhile sees the old tiers or the new, never none.
    await in_writing_transaction(engine, lambda: tiers.replace(checked, building=building_id))
    return await building_tiers(building_id)


async def room_tiers(room_id: int) -> list[TierRule]:
    rooms = await catalogue.rooms_by_id([room_id])
    if room_id not in rooms:
        raise NotFound("room")
    (rules,) = await tiers.rules_for_rooms([rooms[room_id]])
    return list(rules)


async def set_room_tiers(engine: Engine, room_id: int, rules: Sequence[TierRule]) -> list[TierRule]:
    if room_id not in await catalogue.rooms_by_id([room_id]):
        raise NotFound("room")
    checked = _checked(rules)
    await in_writing_transaction(engine, lambda: tiers.replace(checked, room=room_id))
    return await room_tiers(room_id)
