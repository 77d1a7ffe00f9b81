"""Approval tiers: who has to say yes, in which order, before a request holds its rooms.

Tiers are configured per room, else per building, else the default (the room manager decides).
A tier may apply always or only to outside organisers and paid rentals, e.g. "room manager,
then finance for outside organisers". A request needs every tier that applies to any of its
rooms, in order, without repeats; any rejection ends it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from booking.core.access import Actor, BookingFacts, manages
from booking.core.messages import Message


class TierRole(StrEnum):
    ROOM_MANAGER = "room_manager"
    FINANCE = "finance"


class TierCondition(StrEnum):
    ALWAYS = "always"
    EXTERNAL_OR_PAID = "external_or_paid"


@dataclass(frozen=True, slots=True)
class TierRule:
    role: TierRole
    condition: TierCondition = TierCondition.ALWAYS

    def applies(self, external: bool, paid: bool) -> bool:
        return self.condition is TierCondition.ALWAYS or external or paid


DEFAULT_TIERS: tuple[TierRule, ...] = (TierRule(TierRole.ROOM_MANAGER),)

TIER_TITLES = {
    TierRole.ROOM_MANAGER: Message("tier.room_manager"),
    TierRole.FINANCE: Message("tier.finance"),
}


def effective_rules(
    room_rules: Sequence[TierRule], building_rules: Sequence[TierRule]
) -> Sequence[TierRule]:
    """A room's own tiers replace its building's; with neither, the default applies."""
    return room_rules or building_rules or DEFAULT_TIERS


def required_tiers(
    rules_per_room: Iterable[Sequence[TierRule]], external: bool, paid: bool
) -> tuple[TierRole, ...]:
    """The tiers a request needs, in the order they must approve."""
    needed: list[TierRole] = []
    for rules in rules_per_room:
        for rule in rules:
            if rule.applies(external, paid) and rule.role not in needed:
                needed.append(rule.role)
    # The room manager always looks first: finance prices what the manager agreed to lend.
    needed.sort(key=lambda role: role is not TierRole.ROOM_MANAGER)
    return tuple(needed) or (TierRole.ROOM_MANAGER,)


def instant_approval(rooms_instant_book: Iterable[bool], tiers: Sequence[TierRole]) -> bool:
    """Instant-book rooms stand for their manager's approval in advance, and nobody else's:
    a request that also needs finance waits for finance."""
    flags = list(rooms_instant_book)
    return bool(flags) and all(flags) and all(t is TierRole.ROOM_MANAGER for t in tiers)


def can_decide_tier(actor: Actor, booking: BookingFacts, tier: TierRole) -> bool:
    if actor.admin:
        return True
    if tier is TierRole.FINANCE:
        return actor.finance
    return manages(actor, booking)
