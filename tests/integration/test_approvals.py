"""Approving pending requests: versions, states and the room being taken meanwhile."""

from __future__ import annotations

from tests.factories import booking_body, local, make_room, within_a_week


async def _pending(api, room, start="10:00", end="11:00") -> dict:
    response = await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(0, start), local(0, end))
    )
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    return response.json()


async def test_approve_makes_the_request_hold_its_room(api) -> None:
    room = await make_room(instant_book=False)
    booking = await _pending(api, room)
    response = await api.post(f"/api/bookings/{booking['id']}/approve", json={"version": 1})
    assert response.status_code == 200, response.text
    approved = response.json()
    assert approved["status"] == "approved"
    assert approved["version"] == 2
    assert [o["status"] for o in approved["occurrences"]] == ["approved"]
    availability = await api.get(
        f"/api/rooms/{room['id']}/availability",
        params={"start": local(0, "00:00"), "end": local(1, "00:00")},
    )
    assert len(availability.json()["busy"]) == 1


async def test_stale_version_is_refused_with_the_current_state(api) -> None:
    room = await make_room(instant_book=False)
    booking = await _pending(api, room)
    await api.post(f"/api/bookings/{booking['id']}/cancel", json={"version": 1})
    response = await api.post(f"/api/bookings/{booking['id']}/approve", json={"version": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    assert body["current"]["status"] == "cancelled"
    assert body["current"]["version"] == 2


async def test_approving_a_decided_request_is_refused_with_its_state(api) -> None:
    room = await make_room(instant_book=False)
    booking = await _pending(api, room)
    await api.post(f"/api/bookings/{booking['id']}/approve", json={"version": 1})
    response = await api.post(f"/api/bookings/{booking['id']}/approve", json={"version": 2})
    assert response.status_code == 409
    assert response.json()["code"] == "not_allowed_now"
    assert response.json()["current"]["status"] == "approved"


async def test_approval_is_refused_when_another_booking_holds_the_room(api) -> None:
    room = await make_room(instant_book=False)
    first = await _pending(api, room, "10:00", "11:00")
    second = await _pending(api, room, "10:30", "11:30")
    held = await api.post(
        f"/api/bookings/{first['id']}/hold", json={"version": 1, "until": within_a_week("12:00")}
    )
    assert held.status_code == 200, held.text
    response = await api.post(f"/api/bookings/{second['id']}/approve", json={"version": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert [c["booking_id"] for c in body["conflicts"]] == [first["id"]]
    still = await api.get(f"/api/bookings/{second['id']}")
    assert still.json()["status"] == "pending"
    assert still.json()["version"] == 1


async def test_approve_needs_a_version(api) -> None:
    room = await make_room(instant_book=False)
    booking = await _pending(api, room)
    response = await api.post(f"/api/bookings/{booking['id']}/approve", json={})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "version"
    missing = await api.post("/api/bookings/999999/approve", json={"version": 1})
    assert missing.status_code == 404
