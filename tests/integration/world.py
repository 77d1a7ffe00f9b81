"""A small university for the workflow and authorisation tests.

Building X has two tiers (room manager, then finance for outside organisers and paid
rentals); building Y has the default single tier. Department A is internal, B is an outside
organiser. Everyone signs in with an API token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from booking.core.tiers import TierCondition, TierRole, TierRule
from booking.db import tiers
from booking.db.tables import BookingRequest
from tests.factories import (
    Person,
    booking_body,
    local,
    make_building,
    make_organisation,
    make_room,
    person,
    within_a_week,
)


@dataclass
class World:
    building_x: dict[str, Any]
    building_y: dict[str, Any]
    room_x: dict[str, Any]
    room_x2: dict[str, Any]
    room_y: dict[str, Any]
    organisation_a: dict[str, Any]
    organisation_b: dict[str, Any]
    requester_a: Person
    requester_b: Person
    approver_x: Person
    approver_y: Person
    room_approver_x: Person
    finance: Person
    admin: Person

    def people(self) -> dict[str, Person]:
        return {
            "requester_a": self.requester_a,
            "requester_b": self.requester_b,
            "approver_x": self.approver_x,
            "approver_y": self.approver_y,
            "finance": self.finance,
            "admin": self.admin,
        }


async def make_world(open_client: Callable[..., httpx.AsyncClient], admin: Person) -> World:
    building_x = await make_building(code="X")
    building_y = await make_building(code="Y")
    room_x = await make_room(building_x, code="X-1", instant_book=False, capacity=100)
    room_x2 = await make_room(building_x, code="X-2", instant_book=False, capacity=100)
    room_y = await make_room(building_y, code="Y-1", instant_book=False, capacity=100)
    await tiers.replace(
        [
            TierRule(TierRole.ROOM_MANAGER),
            TierRule(TierRole.FINANCE, TierCondition.EXTERNAL_OR_PAID),
        ],
        building=building_x["id"],
    )
    organisation_a = await make_organisation(code="A", kind="department")
    organisation_b = await make_organisation(code="B", kind="external")
    return World(
        building_x=building_x,
        building_y=building_y,
        room_x=room_x,
        room_x2=room_x2,
        room_y=room_y,
        organisation_a=organisation_a,
        organisation_b=organisation_b,
        requester_a=await person(
            open_client, "a@upt.ro", organisations=[organisation_a["id"]], name="Ana (A)"
        ),
        requester_b=await person(
            open_client, "b@extern.ro", organisations=[organisation_b["id"]], name="Bogdan (B)"
        ),
        approver_x=await person(
            open_client, "x@upt.ro", roles=[("approver", building_x["id"], None)], name="Xenia"
        ),
        approver_y=await person(
            open_client, "y@upt.ro", roles=[("approver", building_y["id"], None)], name="Yvonne"
        ),
        room_approver_x=await person(
            open_client, "rx@upt.ro", roles=[("approver", None, room_x["id"])], name="Radu"
        ),
        finance=await person(open_client, "fin@upt.ro", roles=[("finance", None, None)]),
        admin=admin,
    )


async def request(
    who: Person,
    room: dict[str, Any],
    start: str = "10:00",
    end: str = "11:00",
    day: int = 0,
    **overrides: Any,
) -> dict[str, Any]:
    response = await who.client.post(
        "/api/bookings",
        json=booking_body([room["id"]], local(day, start), local(day, end), **overrides),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def act(
    who: Person, booking: dict[str, Any], action: str, expect: int = 200, **body: Any
) -> dict[str, Any]:
    """POST an action with the booking's version (unless given) and check the status."""
    payload = {"version": booking["version"]} | body
    response = await who.client.post(f"/api/bookings/{booking['id']}/{action}", json=payload)
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def expire_hold(booking_id: int) -> None:
    """End the request's hold a minute ago, as if its time had run out; nothing has recorded
    the lapse yet."""
    await BookingRequest.update(
        {BookingRequest.hold_until: datetime.now(UTC) - timedelta(minutes=1)}
    ).where(BookingRequest.id == booking_id)


async def make_expired_hold(world: World) -> dict[str, Any]:
    """A request of requester A held in room Y-1 (10:00-11:00, day 0) whose hold ended a minute
    ago, as the hold returned it; nothing has swept it."""
    pending = await request(world.requester_a, world.room_y)
    held = await act(world.approver_y, pending, "hold", until=within_a_week("18:00"))
    await expire_hold(held["id"])
    return held
