"""No double booking under a burst of simultaneous requests, on both engines, over HTTP."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter

import pytest

from booking.db.tables import AuditEntry, BookingRequest, Occurrence
from tests.factories import booking_body, local, make_room
from tests.integration.world import make_world, request

pytestmark = pytest.mark.slow


async def test_200_simultaneous_creates_for_one_slot_give_exactly_one_booking(api) -> None:
    room = await make_room(instant_book=True)
    body = booking_body([room["id"]], local(0, "10:00"), local(0, "12:00"))
    responses = await asyncio.gather(*(api.post("/api/bookings", json=body) for _ in range(200)))
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: 199}, statuses
    assert all(r.json()["conflicts"] for r in responses if r.status_code == 409)
    assert await BookingRequest.count() == 1
    assert await Occurrence.count().where(Occurrence.status == "approved") == 1


async def test_simultaneous_creates_of_partly_overlapping_slots_never_double_book(api) -> None:
    room = await make_room(instant_book=True, setup_minutes=10)
    starts = [f"{9 + i // 4:02d}:{(i % 4) * 15:02d}" for i in range(24)]  # 09:00 … 14:45

    def plus_hour(hhmm: str) -> str:
        hours, minutes = map(int, hhmm.split(":"))
        return f"{hours + 1:02d}:{minutes:02d}"

    bodies = [booking_body([room["id"]], local(1, s), local(1, plus_hour(s))) for s in starts]
    responses = await asyncio.gather(*(api.post("/api/bookings", json=b) for b in bodies * 3))
    assert {r.status_code for r in responses} <= {201, 409}
    rows = (
        await Occurrence.select(Occurrence.blocked_from, Occurrence.blocked_until)
        .where(Occurrence.status == "approved")
        .order_by(Occurrence.blocked_from)
    )
    # Whatever the order, a winner shuts out at most 130 minutes of the 345 minutes of starts.
    assert len(rows) == sum(r.status_code == 201 for r in responses) >= 3
    for earlier, later in itertools.pairwise(rows):
        assert earlier["blocked_until"] <= later["blocked_from"]


async def test_50_simultaneous_approvals_of_overlapping_requests_approve_exactly_one(api) -> None:
    room = await make_room(instant_book=False)
    ids = []
    for i in range(50):
        start = local(2, f"10:{i % 30:02d}")
        response = await api.post(
            "/api/bookings", json=booking_body([room["id"]], start, local(2, "12:00"))
        )
        assert response.status_code == 201
        ids.append(response.json()["id"])
    responses = await asyncio.gather(
        *(api.post(f"/api/bookings/{i}/approve", json={"version": 1}) for i in ids)
    )
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: 49}, statuses
    assert await BookingRequest.count().where(BookingRequest.status == "approved") == 1
    assert await Occurrence.count().where(Occurrence.status == "approved") == 1
    # The winner declined every other one: nothing is left pending, nothing is double-booked.
    assert await BookingRequest.count().where(BookingRequest.status == "rejected") == 49
    assert await AuditEntry.count().where(AuditEntry.action == "declined") == 49


async def test_20_simultaneous_approvals_by_two_approvers_record_one_transition(
    open_client, admin
) -> None:
    world = await make_world(open_client, admin)
    pending = await request(world.requester_a, world.room_x)
    approvers = [world.approver_x, world.room_approver_x] * 10
    responses = await asyncio.gather(
        *(
            who.client.post(f"/api/bookings/{pending['id']}/approve", json={"version": 1})
            for who in approvers
        )
    )
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: 19}, statuses
    assert {r.json()["code"] for r in responses if r.status_code == 409} <= {
        "stale_version",
        "not_allowed_now",
    }
    decisions = await AuditEntry.select(AuditEntry.action, AuditEntry.version).where(
        (AuditEntry.booking == pending["id"]) & (AuditEntry.action != "created")
    )
    assert decisions == [{"action": "approved", "version": 2}]
    booking = await BookingRequest.select(BookingRequest.version).where(
        BookingRequest.id == pending["id"]
    )
    assert booking == [{"version": 2}]


async def test_concurrent_approvals_of_competing_requests_by_different_approvers(
    open_client, admin
) -> None:
    world = await make_world(open_client, admin)
    deciders = [world.approver_x, world.room_approver_x, world.admin]
    ids = []
    for i in range(12):
        who = world.requester_a if i % 2 else world.requester_b
        booking = await request(who, world.room_x, f"10:{i:02d}", "11:30", day=3)
        ids.append(booking["id"])
    # B's requests need two tiers: approve their first tier so every request is one step away.
    for booking_id in ids[::2]:
        response = await world.approver_x.client.post(
            f"/api/bookings/{booking_id}/approve", json={"version": 1}
        )
        assert response.status_code == 200, response.text
    finals = [
        (world.finance if n % 2 == 0 else deciders[n % 3], booking_id, 2 if n % 2 == 0 else 1)
        for n, booking_id in enumerate(ids)
    ]
    responses = await asyncio.gather(
        *(
            who.client.post(f"/api/bookings/{booking_id}/approve", json={"version": version})
            for who, booking_id, version in finals
        )
    )
    assert Counter(r.status_code for r in responses) == {200: 1, 409: 11}
    rows = await BookingRequest.select(BookingRequest.status).where(BookingRequest.id.is_in(ids))
    assert Counter(r["status"] for r in rows) == {"approved": 1, "rejected": 11}
    assert await Occurrence.count().where(Occurrence.status == "approved") == 1


async def test_declining_a_request_wanted_by_two_approvals_at_once_fails_neither(
    open_client, admin
) -> None:
    world = await make_world(open_client, admin)
    for day in range(4):
        both = await world.requester_a.client.post(
            "/api/bookings",
            json=booking_body(
                [world.room_x["id"], world.room_x2["id"]], local(day, "10:00"), local(day, "11:00")
            ),
        )
        assert both.status_code == 201
        first = await request(world.requester_a, world.room_x, day=day)
        second = await request(world.requester_a, world.room_x2, day=day)
        responses = await asyncio.gather(
            world.approver_x.client.post(
                f"/api/bookings/{first['id']}/approve", json={"version": 1}
            ),
            world.admin.client.post(f"/api/bookings/{second['id']}/approve", json={"version": 1}),
        )
        assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
        loser = await BookingRequest.select(BookingRequest.status).where(
            BookingRequest.id == both.json()["id"]
        )
        assert loser == [{"status": "rejected"}]
