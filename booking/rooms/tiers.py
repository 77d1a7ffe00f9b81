"""Reading and setting the approval tiers of buildings and rooms."""

from __future__ import annotations

from collections.abc import Sequence

from piccolo.engine.base import Engine

from booking.core.errors import refused
from booking.core.messages import Message
from booking.core.tiers import TierRule, effective_rules
from booking.db import tiers
from booking.db.transactions import in_writing_transaction
from booking.rooms.catalogue import get_building, room_facts

MAX_TIERS = 5


def _checked(rules: Sequence[TierRule]) -> list[TierRule]:
    if len(rules) > MAX_TIERS:
        raise refused("body", Message("tiers.too_many", most=MAX_TIERS))
    roles = [r.role for r in rules]
    if len(set(roles)) != len(roles):
        raise refused("body", Message("tiers.role_twice"))
    return list(rules)


async def building_tiers(building_id: int) -> list[TierRule]:
    await get_building(building_id)
    return list(effective_rules([], await tiers.configured(building=building_id)))


async def set_building_tiers(
    engine: Engine, building_id: int, rules: Sequence[TierRule]
) -> list[TierRule]:
    await get_building(building_id)
    checked = _checked(rules)
    # One transaction: a request submitted meanwhile sees the old tiers or the new, never none.
    await in_writing_transaction(engine, lambda: tiers.replace(checked, building=building_id))
    # What was stored, in its order, is what a read gives back.
    return list(effective_rules([], checked))


async def room_tiers(room_id: int) -> list[TierRule]:
    (rules,) = await tiers.rules_for_rooms([await room_facts(room_id)])
    return list(rules)


async def set_room_tiers(engine: Engine, room_id: int, rules: Sequence[TierRule]) -> list[TierRule]:
    room = await room_facts(room_id)
    checked = _checked(rules)
    await in_writing_transaction(engine, lambda: tiers.replace(checked, room=room_id))
    # Without tiers of its own the room has its building's: read them back.
    (effective,) = await tiers.rules_for_rooms([room])
    return list(effective)
