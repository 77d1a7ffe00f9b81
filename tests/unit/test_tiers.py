"""Approval tiers: which tiers a request needs, in which order, and who decides each."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from booking.core.access import Actor, BookingFacts
from booking.core.tiers import (
    DEFAULT_TIERS,
    TIER_TITLES,
    TierCondition,
    TierRole,
    TierRule,
    can_decide_tier,
    effective_rules,
    instant_approval,
    required_tiers,
)
from tests.unit.builders import english

RM = TierRole.ROOM_MANAGER
FIN = TierRole.FINANCE

MANAGER = TierRule(RM)
FINANCE = TierRule(FIN)
MANAGER_IF_OUTSIDE = TierRule(RM, TierCondition.EXTERNAL_OR_PAID)
FINANCE_IF_OUTSIDE = TierRule(FIN, TierCondition.EXTERNAL_OR_PAID)


def test_defaults() -> None:
    assert (TierRule(RM, TierCondition.ALWAYS),) == DEFAULT_TIERS
    assert TierRule(FIN).condition is TierCondition.ALWAYS
    assert {tier: english(title) for tier, title in TIER_TITLES.items()} == {
        RM: "room manager",
        FIN: "finance",
    }


class TestEffectiveRules:
    @pytest.mark.parametrize(
        ("room_rules", "building_rules", "expected"),
        [
            ((MANAGER, FINANCE), (FINANCE_IF_OUTSIDE,), (MANAGER, FINANCE)),
            ((FINANCE,), (), (FINANCE,)),
            ((), (MANAGER, FINANCE_IF_OUTSIDE), (MANAGER, FINANCE_IF_OUTSIDE)),
            ([], [FINANCE], [FINANCE]),
            ((), (), DEFAULT_TIERS),
        ],
        ids=["room-over-building", "room-only", "building-only", "lists", "default"],
    )
    def test_precedence(
        self,
        room_rules: Sequence[TierRule],
        building_rules: Sequence[TierRule],
        expected: Sequence[TierRule],
    ) -> None:
        assert effective_rules(room_rules, building_rules) == expected


class TestTierRuleApplies:
    @pytest.mark.parametrize(
        ("external", "paid"),
        [(False, False), (True, False), (False, True), (True, True)],
        ids=["internal", "external", "paid", "external-paid"],
    )
    def test_always(self, external: bool, paid: bool) -> None:
        assert FINANCE.applies(external, paid)

    @pytest.mark.parametrize(
        ("external", "paid", "applies"),
        [(False, False, False), (True, False, True), (False, True, True), (True, True, True)],
        ids=["internal", "external", "paid", "external-paid"],
    )
    def test_external_or_paid(self, external: bool, paid: bool, applies: bool) -> None:
        assert FINANCE_IF_OUTSIDE.applies(external, paid) is applies


class TestRequiredTiers:
    @pytest.mark.parametrize(
        ("external", "paid", "expected"),
        [
            (False, False, (RM,)),
            (True, False, (RM, FIN)),
            (False, True, (RM, FIN)),
            (True, True, (RM, FIN)),
        ],
        ids=["internal", "external", "paid", "external-paid"],
    )
    def test_finance_for_outside_organisers(
        self, external: bool, paid: bool, expected: tuple[TierRole, ...]
    ) -> None:
        assert required_tiers([(MANAGER, FINANCE_IF_OUTSIDE)], external, paid) == expected

    @pytest.mark.parametrize(
        ("external", "paid"),
        [(False, False), (True, False), (False, True)],
        ids=["internal", "external", "paid"],
    )
    def test_finance_always(self, external: bool, paid: bool) -> None:
        assert required_tiers([(MANAGER, FINANCE)], external, paid) == (RM, FIN)

    @pytest.mark.parametrize(
        ("rules_per_room", "expected"),
        [
            ([(MANAGER,), (MANAGER,), (MANAGER,)], (RM,)),
            ([(MANAGER,), (MANAGER, FINANCE)], (RM, FIN)),
            ([(MANAGER, FINANCE), (FINANCE,), (MANAGER, FINANCE)], (RM, FIN)),
            ([(MANAGER, MANAGER)], (RM,)),
        ],
        ids=["same-rooms", "second-room-adds-finance", "three-rooms", "repeated-in-one-room"],
    )
    def test_no_repeats_across_rooms(
        self, rules_per_room: list[tuple[TierRule, ...]], expected: tuple[TierRole, ...]
    ) -> None:
        assert required_tiers(rules_per_room, external=False, paid=False) == expected

    @pytest.mark.parametrize(
        "rules_per_room",
        [
            [(FINANCE, MANAGER)],
            [(FINANCE,), (MANAGER,)],
            [(FINANCE_IF_OUTSIDE,), (MANAGER_IF_OUTSIDE,)],
        ],
        ids=["one-room", "two-rooms", "conditional"],
    )
    def test_room_manager_first(self, rules_per_room: list[tuple[TierRule, ...]]) -> None:
        assert required_tiers(rules_per_room, external=True, paid=False) == (RM, FIN)

    def test_finance_alone_when_so_configured(self) -> None:
        assert required_tiers([(FINANCE,)], external=False, paid=False) == (FIN,)

    @pytest.mark.parametrize(
        "rules_per_room",
        [[], [()], [(FINANCE_IF_OUTSIDE,)], [(MANAGER_IF_OUTSIDE, FINANCE_IF_OUTSIDE)]],
        ids=["no-rooms", "no-rules", "only-conditional-finance", "only-conditional"],
    )
    def test_never_empty(self, rules_per_room: list[tuple[TierRule, ...]]) -> None:
        assert required_tiers(rules_per_room, external=False, paid=False) == (RM,)

    def test_accepts_a_generator(self) -> None:
        rooms = [((), (FINANCE,)), ((MANAGER,), ())]
        rules = (effective_rules(room, building) for room, building in rooms)
        assert required_tiers(rules, external=False, paid=False) == (RM, FIN)


class TestInstantApproval:
    @pytest.mark.parametrize(
        ("flags", "tiers", "instant"),
        [
            ([True], (RM,), True),
            ([True, True, True], (RM,), True),
            ([True, False], (RM,), False),
            ([False, True], (RM,), False),
            ([False], (RM,), False),
            ([True], (RM, FIN), False),
            ([True, True], (FIN,), False),
            ([], (RM,), False),
            ([], (), False),
        ],
        ids=[
            "one-instant-room",
            "all-instant-rooms",
            "mixed",
            "mixed-other-order",
            "no-instant-room",
            "finance-too",
            "finance-only",
            "no-rooms",
            "nothing",
        ],
    )
    def test_instant_approval(
        self, flags: list[bool], tiers: tuple[TierRole, ...], instant: bool
    ) -> None:
        assert instant_approval(flags, tiers) is instant
        assert instant_approval(iter(flags), tiers) is instant


BOOKING = BookingFacts.of(organisation_id=7, requested_by=100, is_public=False, rooms=[(10, 1)])
TWO_BUILDINGS = BookingFacts.of(7, 100, False, [(10, 1), (20, 2)])


class TestCanDecideTier:
    @pytest.mark.parametrize(
        ("actor", "booking", "manager", "finance"),
        [
            (Actor(1, admin=True), BOOKING, True, True),
            (Actor(1, admin=True), TWO_BUILDINGS, True, True),
            (Actor(2, finance=True), BOOKING, False, True),
            (Actor(3, approver_buildings=frozenset({1})), BOOKING, True, False),
            (Actor(4, approver_rooms=frozenset({10})), BOOKING, True, False),
            (Actor(5, approver_buildings=frozenset({2})), BOOKING, False, False),
            (Actor(6, approver_rooms=frozenset({11})), BOOKING, False, False),
            (Actor(3, approver_buildings=frozenset({1})), TWO_BUILDINGS, False, False),
            (Actor(7, approver_buildings=frozenset({1, 2})), TWO_BUILDINGS, True, False),
            (Actor(8, approver_buildings=frozenset({1}), finance=True), BOOKING, True, True),
            (Actor(100, organisations=frozenset({7})), BOOKING, False, False),
            (Actor(9, logistics_teams=frozenset({"teleu"})), BOOKING, False, False),
        ],
        ids=[
            "admin",
            "admin-two-buildings",
            "finance",
            "approver-of-building",
            "approver-of-room",
            "approver-of-another-building",
            "approver-of-another-room",
            "approver-of-one-of-two-buildings",
            "approver-of-both-buildings",
            "approver-and-finance",
            "requester",
            "logistics",
        ],
    )
    def test_can_decide_tier(
        self, actor: Actor, booking: BookingFacts, manager: bool, finance: bool
    ) -> None:
        assert can_decide_tier(actor, booking, RM) is manager
        assert can_decide_tier(actor, booking, FIN) is finance
