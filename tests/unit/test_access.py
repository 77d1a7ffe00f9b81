"""Per-object authorisation: who may see, change, cancel and file which request."""

from __future__ import annotations

import pytest

from booking.core.access import (
    Actor,
    BookingFacts,
    RoomPlace,
    can_act_for,
    can_cancel,
    can_change,
    can_see,
    can_see_contact,
    is_requester_of,
    manages,
    manages_room,
    may_close,
)

ORG = 7
OTHER_ORG = 8

# Organisation 7 asked, through user 100, for room 10 in building 1.
PRIVATE = BookingFacts.of(ORG, requested_by=100, is_public=False, rooms=[(10, 1)])
PUBLIC = BookingFacts.of(ORG, requested_by=100, is_public=True, rooms=[(10, 1)])

REQUESTER = Actor(100)  # asked for it, whatever their organisations now are
MEMBER = Actor(200, organisations=frozenset({ORG}))
OUTSIDER = Actor(300, organisations=frozenset({OTHER_ORG}))
NOBODY = Actor(301)
BUILDING_APPROVER = Actor(400, approver_buildings=frozenset({1}))
ROOM_APPROVER = Actor(401, approver_rooms=frozenset({10}))
OTHER_APPROVER = Actor(402, approver_buildings=frozenset({2}), approver_rooms=frozenset({11}))
FINANCE = Actor(500, finance=True)
LOGISTICS = Actor(600, logistics_teams=frozenset({"teleu"}))
ADMIN = Actor(1, admin=True)

STAFF = [BUILDING_APPROVER, ROOM_APPROVER, OTHER_APPROVER, FINANCE, LOGISTICS, ADMIN]
STAFF_IDS = [
    "building-approver",
    "room-approver",
    "other-approver",
    "finance",
    "logistics",
    "admin",
]


def test_booking_facts_of() -> None:
    facts = BookingFacts.of(ORG, 100, 1, [(10, 1), (20, 2), (10, 1)])
    assert facts == BookingFacts(ORG, 100, True, frozenset({RoomPlace(10, 1), RoomPlace(20, 2)}))
    assert facts.is_public is True
    assert BookingFacts.of(None, None, 0, []).is_public is False


@pytest.mark.parametrize(
    ("actor", "staff"),
    [
        *[(a, True) for a in STAFF],
        (REQUESTER, False),
        (MEMBER, False),
        (NOBODY, False),
    ],
    ids=[*STAFF_IDS, "requester", "member", "nobody"],
)
def test_is_staff(actor: Actor, staff: bool) -> None:
    assert actor.is_staff is staff


@pytest.mark.parametrize(
    ("actor", "booking", "requester"),
    [
        (REQUESTER, PRIVATE, True),
        (MEMBER, PRIVATE, True),
        (Actor(100, organisations=frozenset({OTHER_ORG})), PRIVATE, True),
        (OUTSIDER, PRIVATE, False),
        (NOBODY, PRIVATE, False),
        (ADMIN, PRIVATE, False),
        (BUILDING_APPROVER, PRIVATE, False),
        (MEMBER, BookingFacts.of(None, 100, False, [(10, 1)]), False),
        (REQUESTER, BookingFacts.of(ORG, None, False, [(10, 1)]), False),
        (MEMBER, BookingFacts.of(ORG, None, False, [(10, 1)]), True),
        (NOBODY, BookingFacts.of(None, None, False, [(10, 1)]), False),
    ],
    ids=[
        "asked-for-it",
        "member-of-organisation",
        "asked-for-it-now-elsewhere",
        "other-organisation",
        "no-organisation",
        "admin-is-not-requester",
        "approver-is-not-requester",
        "member-no-organisation-booking",
        "requester-unknown",
        "member-requester-unknown",
        "nobody-on-anonymous-booking",
    ],
)
def test_is_requester_of(actor: Actor, booking: BookingFacts, requester: bool) -> None:
    assert is_requester_of(actor, booking) is requester


class TestManages:
    @pytest.mark.parametrize(
        ("actor", "manager"),
        [
            (BUILDING_APPROVER, True),
            (ROOM_APPROVER, True),
            (ADMIN, True),
            (Actor(403, approver_rooms=frozenset({10}), approver_buildings=frozenset({2})), True),
            (Actor(404, approver_rooms=frozenset({1})), False),
            (Actor(405, approver_buildings=frozenset({10})), False),
            (OTHER_APPROVER, False),
            (FINANCE, False),
            (LOGISTICS, False),
            (REQUESTER, False),
            (MEMBER, False),
        ],
        ids=[
            "building-approver",
            "room-approver",
            "admin",
            "room-approver-elsewhere-building",
            "room-id-is-not-building-id",
            "building-id-is-not-room-id",
            "other-approver",
            "finance",
            "logistics",
            "requester",
            "member",
        ],
    )
    def test_one_room(self, actor: Actor, manager: bool) -> None:
        assert manages_room(actor, RoomPlace(10, 1)) is manager
        assert manages(actor, PRIVATE) is manager

    @pytest.mark.parametrize(
        ("actor", "manager"),
        [
            (BUILDING_APPROVER, False),
            (ROOM_APPROVER, False),
            (Actor(406, approver_buildings=frozenset({1, 2})), True),
            (Actor(407, approver_buildings=frozenset({1}), approver_rooms=frozenset({20})), True),
            (Actor(408, approver_rooms=frozenset({10, 20})), True),
            (ADMIN, True),
        ],
        ids=[
            "one-building-of-two",
            "one-room-of-two",
            "both-buildings",
            "building-and-room",
            "both-rooms",
            "admin",
        ],
    )
    def test_every_room_must_be_managed(self, actor: Actor, manager: bool) -> None:
        booking = BookingFacts.of(ORG, 100, False, [(10, 1), (20, 2)])
        assert manages(actor, booking) is manager

    @pytest.mark.parametrize(
        "actor", [ADMIN, BUILDING_APPROVER, ROOM_APPROVER], ids=["admin", "building", "room"]
    )
    def test_no_rooms_is_not_managed(self, actor: Actor) -> None:
        assert not manages(actor, BookingFacts.of(ORG, 100, False, []))


class TestCanSee:
    @pytest.mark.parametrize("booking", [PRIVATE, PUBLIC], ids=["private", "public"])
    def test_nobody_signed_in(self, booking: BookingFacts) -> None:
        assert not can_see(None, booking)
        assert not can_see_contact(None, booking)

    @pytest.mark.parametrize(
        "actor", [FINANCE, LOGISTICS, ADMIN], ids=["finance", "logistics", "admin"]
    )
    def test_university_wide_roles_see_everything(self, actor: Actor) -> None:
        foreign = BookingFacts.of(99, 999, False, [(50, 5)])
        assert can_see(actor, foreign)
        assert can_see_contact(actor, foreign)

    @pytest.mark.parametrize(
        ("actor", "see"),
        [(BUILDING_APPROVER, True), (ROOM_APPROVER, True), (OTHER_APPROVER, False)],
        ids=["building-approver", "room-approver", "other-approver"],
    )
    def test_approvers_see_the_requests_for_their_rooms(self, actor: Actor, see: bool) -> None:
        # Room 10 of building 1 and room 30 of building 3: managing one of them is enough
        # to see the whole request.
        private = BookingFacts.of(99, 999, False, [(10, 1), (30, 3)])
        assert can_see(actor, private) is see
        assert can_see_contact(actor, private) is see
        elsewhere = BookingFacts.of(99, 999, False, [(50, 5)])
        assert not can_see(actor, elsewhere)
        assert not can_see_contact(actor, elsewhere)
        public_elsewhere = BookingFacts.of(99, 999, True, [(50, 5)])
        assert can_see(actor, public_elsewhere)
        assert not can_see_contact(actor, public_elsewhere)

    @pytest.mark.parametrize(
        ("actor", "booking", "see", "contact"),
        [
            (REQUESTER, PRIVATE, True, True),
            (MEMBER, PRIVATE, True, True),
            (OUTSIDER, PRIVATE, False, False),
            (NOBODY, PRIVATE, False, False),
            (REQUESTER, PUBLIC, True, True),
            (MEMBER, PUBLIC, True, True),
            (OUTSIDER, PUBLIC, True, False),
            (NOBODY, PUBLIC, True, False),
        ],
        ids=[
            "requester-private",
            "member-private",
            "outsider-private",
            "nobody-private",
            "requester-public",
            "member-public",
            "outsider-public",
            "nobody-public",
        ],
    )
    def test_requesters(
        self, actor: Actor, booking: BookingFacts, see: bool, contact: bool
    ) -> None:
        assert can_see(actor, booking) is see
        assert can_see_contact(actor, booking) is contact


@pytest.mark.parametrize(
    ("actor", "change", "cancel"),
    [
        (ADMIN, True, True),
        (REQUESTER, True, True),
        (MEMBER, True, True),
        (BUILDING_APPROVER, False, True),
        (ROOM_APPROVER, False, True),
        (OTHER_APPROVER, False, False),
        (FINANCE, False, False),
        (LOGISTICS, False, False),
        (OUTSIDER, False, False),
        (NOBODY, False, False),
    ],
    ids=[
        "admin",
        "requester",
        "member",
        "building-approver",
        "room-approver",
        "other-approver",
        "finance",
        "logistics",
        "outsider",
        "nobody",
    ],
)
def test_can_change_and_cancel(actor: Actor, change: bool, cancel: bool) -> None:
    assert can_change(actor, PRIVATE) is change
    assert can_cancel(actor, PRIVATE) is cancel


@pytest.mark.parametrize(
    ("actor", "for_org", "for_none"),
    [
        (MEMBER, True, False),
        (Actor(201, organisations=frozenset({OTHER_ORG, ORG})), True, False),
        (REQUESTER, False, False),
        (OUTSIDER, False, False),
        (ADMIN, True, True),
        (BUILDING_APPROVER, False, True),
        (FINANCE, False, True),
        (LOGISTICS, False, True),
        (Actor(202, organisations=frozenset({ORG}), finance=True), True, True),
    ],
    ids=[
        "member",
        "member-of-two",
        "not-a-member",
        "outsider",
        "admin",
        "approver",
        "finance",
        "logistics",
        "member-and-finance",
    ],
)
def test_can_act_for(actor: Actor, for_org: bool, for_none: bool) -> None:
    assert can_act_for(actor, ORG) is for_org
    assert can_act_for(actor, None) is for_none


ROOM_10 = RoomPlace(10, 1)


@pytest.mark.parametrize(
    ("actor", "room", "building", "everywhere"),
    [
        (ADMIN, True, True, True),
        (BUILDING_APPROVER, True, True, False),
        (ROOM_APPROVER, True, False, False),
        (OTHER_APPROVER, False, False, False),
        (FINANCE, False, False, False),
        (MEMBER, False, False, False),
    ],
    ids=["admin", "building-approver", "room-approver", "other-approver", "finance", "member"],
)
def test_may_close(actor: Actor, room: bool, building: bool, everywhere: bool) -> None:
    """Room 10 of building 1, building 1, or everything."""
    assert may_close(actor, None, ROOM_10) is room
    assert may_close(actor, 1, None) is building
    assert may_close(actor, None, None) is everywhere
