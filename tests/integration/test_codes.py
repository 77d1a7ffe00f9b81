"""Rooms and buildings can be named by their codes (`CC`, `CC-S2`) wherever an id is taken."""

from __future__ import annotations

from tests.factories import booking_body, local, make_building, make_room


async def _place() -> tuple[dict, dict]:
    building = await make_building(code="CCX")
    room = await make_room(building, code="CCX-S2", instant_book=True)
    return building, room


async def test_paths_take_codes(api) -> None:
    building, room = await _place()
    by_id = (await api.get(f"/api/rooms/{room['id']}")).json()
    for key in ("CCX-S2", "ccx-s2"):
        assert (await api.get(f"/api/rooms/{key}")).json() == by_id
    assert (await api.get("/api/buildings/CCX")).json()["id"] == building["id"]
    week = {"start": local(0, "00:00"), "end": local(7, "00:00")}
    for path in (
        "/api/rooms/CCX-S2/availability",
        "/api/buildings/CCX/availability",
    ):
        answer = await api.get(path, params=week)
        assert answer.status_code == 200, (path, answer.text)
    for path in (
        "/api/rooms/CCX-S2/booking-rules",
        "/api/rooms/CCX-S2/approval-tiers",
        "/api/buildings/CCX/approval-tiers",
    ):
        answer = await api.get(path)
        assert answer.status_code == 200, (path, answer.text)
    rules = (await api.get("/api/rooms/CCX-S2/booking-rules")).json()
    rules["min_notice_minutes"] = 60
    changed = await api.put("/api/rooms/CCX-S2/booking-rules", json=rules)
    assert changed.status_code == 200, changed.text
    assert (await api.get(f"/api/rooms/{room['id']}/booking-rules")).json() == changed.json()


async def test_an_unknown_code_in_a_path_is_not_found(api) -> None:
    await _place()
    for path, field in (
        ("/api/rooms/NOPE-1", "room_id"),
        ("/api/buildings/NOPE", "building_id"),
        ("/api/rooms/NOPE-1/booking-rules", "room_id"),
    ):
        answer = await api.get(path)
        assert answer.status_code == 404, (path, answer.text)
        assert [e["field"] for e in answer.json()["errors"]] == [field]


async def test_a_booking_names_its_rooms_by_code(api) -> None:
    _, room = await _place()
    other = await make_room(code="CCX-S3")
    body = booking_body(["CCX-S2", other["id"]], local(1, "10:00"), local(1, "11:00"))
    created = await api.post("/api/bookings", json=body)
    assert created.status_code == 201, created.text
    booking = created.json()
    assert {o["room_id"] for o in booking["occurrences"]} == {room["id"], other["id"]}
    edited = await api.patch(
        f"/api/bookings/{booking['id']}", json={"version": booking["version"], "rooms": ["CCX-S3"]}
    )
    assert edited.status_code == 200, edited.text
    assert {o["room_id"] for o in edited.json()["occurrences"]} == {other["id"]}
    unknown = await api.post(
        "/api/bookings",
        json=booking_body([room["id"], "NOPE-1"], local(2, "10:00"), local(2, "11:00")),
    )
    assert unknown.status_code == 422, unknown.text
    [error] = unknown.json()["errors"]
    assert error["field"] == "rooms[1]"
    assert "NOPE-1" in error["reason"]
    # The check before sending takes codes as creating does.
    asked = {"rooms": ["CCX-S3"], "start": local(3, "10:00"), "end": local(3, "11:00")}
    preview = await api.post("/api/bookings/preview", json=asked)
    assert preview.status_code == 200, preview.text


async def test_queries_and_blackouts_take_codes(api) -> None:
    building, room = await _place()
    await make_room()  # elsewhere
    found = (await api.get("/api/rooms", params={"building": "CCX"})).json()
    assert [r["id"] for r in found] == [room["id"]]
    body = booking_body(["CCX-S2"], local(3, "10:00"), local(3, "11:00"))
    booking = (await api.post("/api/bookings", json=body)).json()
    for params in ({"room": "CCX-S2"}, {"building": "CCX"}):
        listed = (await api.get("/api/bookings", params=params)).json()
        assert [b["id"] for b in listed] == [booking["id"]], params
    assert (await api.get("/api/approvals/queue", params={"building": "CCX"})).status_code == 200
    closed = await api.post(
        "/api/blackouts",
        json={
            "start": local(5, "08:00"),
            "end": local(5, "12:00"),
            "reason": "Curățenie",
            "building": "CCX",
        },
    )
    assert closed.status_code == 201, closed.text
    assert closed.json()["blackout"]["building"] == building["id"]
    listed = await api.get("/api/blackouts", params={"room": "CCX-S2"})
    assert [b["id"] for b in listed.json()] == [closed.json()["blackout"]["id"]]
    unknown = await api.get("/api/rooms", params={"building": "NOPE"})
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["building"]
    unknown = await api.post(
        "/api/blackouts",
        json={"start": local(6, "08:00"), "end": local(6, "12:00"), "reason": "x", "room": "NOPE"},
    )
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["room"]


async def test_the_document_says_ids_or_codes(api) -> None:
    schema = (await api.get("/api/schema/openapi.json")).json()
    [parameter] = schema["paths"]["/api/rooms/{room_id}"]["get"]["parameters"]
    assert parameter["schema"]["type"] == "string"
    assert "code" in parameter["description"]
    rooms = schema["components"]["schemas"]["BookingCreate"]["properties"]["rooms"]
    kinds = {option.get("type") for option in rooms["items"]["oneOf"]}
    assert {"minimum", "maximum"} <= set(rooms["items"]["oneOf"][0])
    assert "pattern" in rooms["items"]["oneOf"][1]
    assert kinds == {"integer", "string"}


async def test_a_role_is_granted_on_a_building_or_room_by_code(api) -> None:
    building, room = await _place()
    created = await api.post(
        "/api/users",
        json={"email": "ion@upt.ro", "display_name": "Ion"},
    )
    user_id = created.json()["id"]
    on_building = await api.post(
        f"/api/users/{user_id}/roles", json={"role": "approver", "building": "CCX"}
    )
    assert on_building.status_code == 200, on_building.text
    on_room = await api.post(
        f"/api/users/{user_id}/roles", json={"role": "approver", "room": "CCX-S2"}
    )
    assert on_room.status_code == 200, on_room.text
    scopes = {(g["building"], g["room"]) for g in on_room.json()["roles"]}
    assert scopes == {(building["id"], None), (None, room["id"])}
    unknown = await api.post(
        f"/api/users/{user_id}/roles", json={"role": "approver", "building": "NOPE"}
    )
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["building"]
