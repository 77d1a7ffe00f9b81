"""Busy spans of a room and of a building."""

from __future__ import annotations

from tests.factories import booking_body, local, make_building, make_room


async def test_room_availability_separates_busy_from_requested(api) -> None:
    building = await make_building()
    room = await make_room(building, instant_book=False, setup_minutes=15)
    public = (
        await api.post(
            "/api/bookings",
            json=booking_body(
                [room["id"]],
                local(0, "10:00"),
                local(0, "11:00"),
                is_public=True,
                title="Ziua porților deschise",
            ),
        )
    ).json()
    await api.post(f"/api/bookings/{public['id']}/approve", json={"version": 1})
    await api.post(
        "/api/bookings",
        json=booking_body([room["id"]], local(0, "14:00"), local(0, "15:00"), title="Privat"),
    )
    await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(3, "14:00"), local(3, "15:00"))
    )
    response = await api.get(
        f"/api/rooms/{room['id']}/availability",
        params={"start": local(0, "00:00"), "end": local(1, "00:00")},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["zone"] == "Europe/Bucharest"
    [busy] = body["busy"]
    assert busy["title"] == "Ziua porților deschise"
    assert busy["blocked_from"].startswith(local(0, "09:45"))
    [requested] = body["requested"]
    assert requested["title"] is None
    assert requested["start"].startswith(local(0, "14:00"))


async def test_building_availability_lists_each_active_room(api) -> None:
    building = await make_building()
    first = await make_room(building, code="A1")
    await make_room(building, code="A2")
    await make_room(building, code="A3", active=False)
    await make_room(code="ELSEWHERE")
    await api.post(
        "/api/bookings", json=booking_body([first["id"]], local(0, "10:00"), local(0, "11:00"))
    )
    response = await api.get(
        f"/api/buildings/{building['id']}/availability",
        params={"start": local(0, "00:00"), "end": local(7, "00:00")},
    )
    assert response.status_code == 200
    rooms = response.json()["rooms"]
    assert [r["room_code"] for r in rooms] == ["A1", "A2"]
    assert [len(r["busy"]) for r in rooms] == [1, 0]


async def test_range_is_limited_and_ordered(api) -> None:
    room = await make_room()
    too_long = await api.get(
        f"/api/rooms/{room['id']}/availability",
        params={"start": local(0, "00:00"), "end": local(70, "00:00")},
    )
    assert too_long.status_code == 422
    reversed_range = await api.get(
        f"/api/rooms/{room['id']}/availability",
        params={"start": local(1, "00:00"), "end": local(0, "00:00")},
    )
    assert reversed_range.status_code == 422
    assert reversed_range.json()["errors"][0]["field"] == "end"
