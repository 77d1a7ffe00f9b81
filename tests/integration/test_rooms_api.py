"""The room catalogue and the free-room finder."""

from __future__ import annotations

from booking.seed import BUILDINGS, seed_demo_data
from tests.factories import booking_body, local, make_building, make_organisation, make_room


async def _codes(api, **params: object) -> list[str]:
    response = await api.get("/api/rooms", params=params)
    assert response.status_code == 200, response.text
    return [room["code"] for room in response.json()]


async def test_filters_by_building_capacity_and_equipment(api) -> None:
    north = await make_building()
    south = await make_building()
    await make_room(north, code="N-SMALL", capacity=10, equipment=["whiteboard"])
    await make_room(north, code="N-BIG", capacity=200, equipment=["projector", "streaming"])
    await make_room(south, code="S-MID", capacity=60, equipment=["projector"])
    await make_room(south, code="S-OFF", capacity=60, equipment=["projector"], active=False)
    assert await _codes(api, building=north["id"]) == ["N-BIG", "N-SMALL"]
    assert await _codes(api, min_capacity=50) == ["N-BIG", "S-MID"]
    assert await _codes(api, equipment="projector") == ["N-BIG", "S-MID"]
    assert await _codes(api, equipment=["projector", "streaming"]) == ["N-BIG"]
    assert await _codes(api, building=south["id"], min_capacity=100) == []
    # Equipment no room has, for a span: no room to look up the bookings of.
    span = {"free_start": local(0, "10:00"), "free_end": local(0, "11:00")}
    assert await _codes(api, equipment="wheelchair_access", **span) == []
    assert await _codes(api, equipment=["projector", "streaming"], **span) == ["N-BIG"]


async def test_free_between_honours_buffers_and_ignores_pending_and_cancelled(api) -> None:
    building = await make_building()
    busy = await make_room(building, code="BUSY", teardown_minutes=30)
    pending_only = await make_room(building, code="PENDING", instant_book=False)
    freed = await make_room(building, code="FREED")
    await make_room(building, code="EMPTY")
    await api.post(
        "/api/bookings", json=booking_body([busy["id"]], local(0, "09:00"), local(0, "10:00"))
    )
    await api.post(
        "/api/bookings",
        json=booking_body([pending_only["id"]], local(0, "10:00"), local(0, "11:00")),
    )
    cancelled = (
        await api.post(
            "/api/bookings", json=booking_body([freed["id"]], local(0, "10:00"), local(0, "11:00"))
        )
    ).json()
    await api.post(f"/api/bookings/{cancelled['id']}/cancel", json={"version": 1})
    # BUSY ends at 10:00 but its teardown runs until 10:30.
    assert await _codes(
        api, building=building["id"], free_start=local(0, "10:15"), free_end=local(0, "11:00")
    ) == ["EMPTY", "FREED", "PENDING"]
    assert await _codes(
        api, building=building["id"], free_start=local(0, "10:30"), free_end=local(0, "11:00")
    ) == ["BUSY", "EMPTY", "FREED", "PENDING"]


async def test_free_between_needs_both_ends(api) -> None:
    response = await api.get("/api/rooms", params={"free_start": local(0, "10:00")})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "free_end"


async def test_one_room_with_its_details(api) -> None:
    building = await make_building(code="CC", name="Centrul de Conferințe")
    room = await make_room(
        building,
        code="CC-AULA",
        capacity=400,
        equipment=["stage", "projector"],
        setup_minutes=60,
        description="Sala mare",
    )
    response = await api.get(f"/api/rooms/{room['id']}")
    assert response.status_code == 200
    assert response.json() == {
        "id": room["id"],
        "code": "CC-AULA",
        "name": room["name"],
        "building": {"id": building["id"], "code": "CC", "name": "Centrul de Conferințe"},
        "capacity": 400,
        "equipment": ["projector", "stage"],
        "setup_minutes": 60,
        "teardown_minutes": 0,
        "instant_book": True,
        "active": True,
        "description": "Sala mare",
        "is_demo": False,
    }


async def test_buildings_and_organisations(api) -> None:
    building = await make_building(code="REC", name="Rectorat")
    await make_organisation(code="OSUT", kind="student_organisation")
    buildings = (await api.get("/api/buildings")).json()
    assert [b["code"] for b in buildings] == ["REC"]
    assert (await api.get(f"/api/buildings/{building['id']}")).json()["zone"] == "Europe/Bucharest"
    organisations = (await api.get("/api/organisations")).json()
    assert [(o["code"], o["kind"]) for o in organisations] == [("OSUT", "student_organisation")]


async def test_demo_data_covers_the_three_buildings_and_is_marked(api) -> None:
    added = await seed_demo_data()
    assert added > 0
    assert await seed_demo_data() == 0, "seeding twice adds nothing"
    buildings = (await api.get("/api/buildings")).json()
    assert {b["code"] for b in buildings} == {b.code for b in BUILDINGS} == {"CC", "BUPT", "REC"}
    assert all(b["is_demo"] for b in buildings)
    rooms = (await api.get("/api/rooms")).json()
    assert all(r["is_demo"] for r in rooms)
    senate = next(r for r in rooms if r["code"] == "REC-SENAT")
    assert senate["name"] == "Sala Senatului"
    assert senate["capacity"] >= 100
    big_with_streaming = await _codes(api, min_capacity=100, equipment="streaming")
    assert {"CC-AULA", "REC-SENAT", "BUPT-AULA"} <= set(big_with_streaming)
    home = await api.get("/rooms")
    assert home.status_code == 200
    assert "Sala Senatului" in home.text
    assert "demo" in home.text


async def test_an_administrator_changes_a_room_and_a_building(api) -> None:
    building = await make_building(code="ED")
    room = await make_room(building, code="ED-1", name="Sala veche", capacity=30)
    changed = await api.patch("/api/rooms/ED-1", json={"name": "Sala nouă", "capacity": 40})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["name"], changed.json()["capacity"]) == ("Sala nouă", 40)
    assert changed.json()["description"] == room["description"]  # left out: unchanged
    address = await api.patch("/api/buildings/ED", json={"address": "Bd. Mihai Viteazu 1"})
    assert address.json()["address"] == "Bd. Mihai Viteazu 1"
    assert address.json()["name"] == building["name"]
    for body, field in (
        ({"name": ""}, "name"),
        ({"capacity": 0}, "capacity"),
        ({"code": "X"}, "code"),
    ):
        refused = await api.patch("/api/rooms/ED-1", json=body)
        assert refused.status_code == 400, refused.text
        assert field in [e["field"] for e in refused.json()["errors"]]
    assert (await api.get("/api/rooms/ED-1")).json()["name"] == "Sala nouă"
    assert (await api.patch("/api/rooms/NOPE", json={"name": "x"})).status_code == 404
