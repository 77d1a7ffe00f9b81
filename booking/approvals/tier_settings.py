"""Reading and setting the approval tiers of buildings and rooms."""

from __future__ import annotations

from typing import Literal

import msgspec
from piccolo.engine.base import Engine

from booking.core.errors import FieldProblem, NotFound, RuleViolation
from booking.core.tiers import TierCondition, TierRole, TierRule, effective_rules
from booking.db import catalogue, tiers
from booking.db.transactions import in_writing_transaction

MAX_TIERS = 5


class TierSetting(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    role: Literal["room_manager", "finance"]
    condition: Literal["always", "external_or_paid"] = "always"


def _settings(rules: list[TierRule] | tuple[TierRule, ...]) -> list[TierSetting]:
    return [TierSetting(role=r.role.value, condition=r.condition.value) for r in rules]


def _rules(data: list[TierSetting]) -> list[TierRule]:
    if len(data) > MAX_TIERS:
        raise RuleViolation([FieldProblem("body", f"at most {MAX_TIERS} tiers")])
    rules = [TierRule(TierRole(t.role), TierCondition(t.condition)) for t in data]
    roles = [r.role for r in rules]
    if len(set(roles)) != len(roles):
        raise RuleViolation([FieldProblem("body", "a role appears in two tiers")])
    return rules


async def building_tiers(building_id: int) -> list[TierSetting]:
    if await catalogue.building(building_id) is None:
        raise NotFound("building")
    return _settings(list(effective_rules([], await tiers.configured(building=building_id))))


async def set_building_tiers(
    engine: Engine, building_id: int, data: list[TierSetting]
) -> list[TierSetting]:
    if await catalogue.building(building_id) is None:
        raise NotFound("building")
    rules = _rules(data)
    # One transaction: a request submitted meanwhile sees the old tiers or the new, never none.
    await in_writing_transaction(engine, lambda: tiers.replace(rules, building=building_id))
    return await building_tiers(building_id)


async def room_tiers(room_id: int) -> list[TierSetting]:
    rooms = await catalogue.rooms_by_id([room_id])
    if room_id not in rooms:
        raise NotFound("room")
    (rules,) = await tiers.rules_for_rooms([rooms[room_id]])
    return _settings(list(rules))


async def set_room_tiers(
    engine: Engine, room_id: int, data: list[TierSetting]
) -> list[TierSetting]:
    if room_id not in await catalogue.rooms_by_id([room_id]):
        raise NotFound("room")
    rules = _rules(data)
    await in_writing_transaction(engine, lambda: tiers.replace(rules, room=room_id))
    return await room_tiers(room_id)
