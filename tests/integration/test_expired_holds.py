"""A hold whose time is up blocks nobody and reads as lapsed everywhere at once, before any
sweep or later write has recorded the lapse."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import day
from tests.integration.world import World, act, make_expired_hold, make_world, request


@pytest.fixture
async def world(open_client, admin) -> World:
    return await make_world(open_client, admin)


@pytest.fixture
async def expired(world: World) -> dict[str, Any]:
    return await make_expired_hold(world)


async def test_the_request_reads_as_pending(world: World, expired: dict[str, Any]) -> None:
    seen = (await world.requester_a.client.get(f"/api/bookings/{expired['id']}")).json()
    assert seen["status"] == "pending"
    assert seen["hold_until"] is None
    assert [o["status"] for o in seen["occurrences"]] == ["pending"]
    listed = await world.requester_a.client.get("/api/bookings", params={"status": "held"})
    assert listed.json() == []
    pending = await world.requester_a.client.get("/api/bookings", params={"status": "pending"})
    assert [b["id"] for b in pending.json()] == [expired["id"]]


async def test_the_room_reads_as_asked_for_not_held(world: World, expired: dict[str, Any]) -> None:
    span = {"start": f"{day(0)}T00:00:00", "end": f"{day(1)}T00:00:00"}
    availability = await world.requester_b.client.get(
        f"/api/rooms/{world.room_y['id']}/availability", params=span
    )
    assert availability.json()["busy"] == []
    assert [b["status"] for b in availability.json()["requested"]] == ["pending"]
    free = await world.requester_b.client.get(
        "/api/rooms",
        params={"free_start": f"{day(0)}T10:00:00", "free_end": f"{day(0)}T11:00:00"},
    )
    assert world.room_y["id"] in [room["id"] for room in free.json()]


async def test_the_approver_finds_it_waiting(world: World, expired: dict[str, Any]) -> None:
    queue = (await world.approver_y.client.get("/api/approvals/queue")).json()
    assert [(b["id"], b["status"]) for b in queue] == [(expired["id"], "pending")]
    assert "hold" in queue[0]["allowed_actions"]


async def test_another_request_takes_the_room(world: World, expired: dict[str, Any]) -> None:
    other = await request(world.requester_b, world.room_y)
    approved = await act(world.approver_y, other, "approve")
    assert approved["status"] == "approved"
    lapsed = (await world.requester_a.client.get(f"/api/bookings/{expired['id']}")).json()
    assert lapsed["status"] == "rejected"  # declined: the other request was approved
