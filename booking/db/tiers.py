"""Approval tiers configured for buildings and rooms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from booking.core.rooms import RoomFacts
from booking.core.tiers import (
    TierCondition,
    TierRole,
    TierRule,
    effective_rules,
)
from booking.db.raw import fetch, placeholders
from booking.db.tables import ApprovalTier


def _rule(row: dict[str, Any]) -> TierRule:
    return TierRule(TierRole(row["role"]), TierCondition(row["condition"]))


async def rules_for_rooms(rooms: Iterable[RoomFacts]) -> list[Sequence[TierRule]]:
    """The effective tier rules of each room (its own, else its building's, else default)."""
    asked = list(rooms)
    room_ids = sorted({r.id for r in asked}) or [-1]
    building_ids = sorted({r.building_id for r in asked}) or [-1]
    rows = await fetch(
        ApprovalTier,
        "SELECT building, room, position, role, condition FROM approval_tiers"
        f" WHERE room IN ({placeholders(len(room_ids))})"
        f" OR building IN ({placeholders(len(building_ids))}) ORDER BY position, id",
        *room_ids,
        *building_ids,
    )
    by_room: dict[int, list[TierRule]] = {}
    by_building: dict[int, list[TierRule]] = {}
    for row in rows:
        if row["room"] is not None:
            by_room.setdefault(row["room"], []).append(_rule(row))
        elif row["building"] is not None:
            by_building.setdefault(row["building"], []).append(_rule(row))
    return [
        effective_rules(by_room.get(r.id, []), by_building.get(r.building_id, [])) for r in asked
    ]


async def configured(*, building: int | None = None, room: int | None = None) -> list[TierRule]:
    query = ApprovalTier.select(ApprovalTier.role, ApprovalTier.condition).order_by(
        ApprovalTier.position
    )
    if room is not None:
        query = query.where(ApprovalTier.room == room)
    else:
        query = query.where(ApprovalTier.building == building)
    return [_rule(row) for row in await query]


async def replace(
    rules: Sequence[TierRule], *, building: int | None = None, room: int | None = None
) -> None:
    if room is not None:
        await ApprovalTier.delete().where(ApprovalTier.room == room)
    else:
        await ApprovalTier.delete().where(ApprovalTier.building == building)
    if rules:
        await ApprovalTier.insert(
            *(
                ApprovalTier(
                    building=building if room is None else None,
                    room=room,
                    position=position,
                    role=rule.role.value,
                    condition=rule.condition.value,
                )
                for position, rule in enumerate(rules, start=1)
            )
        )
