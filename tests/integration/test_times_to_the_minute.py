"""Times to the minute (`2027-01-20T14:00`, what a browser's date-time field sends) are taken
wherever the API takes a time: in bodies and in queries."""

from __future__ import annotations

from tests.factories import booking_body, local, make_room


def minute(offset_days: int, hhmm: str) -> str:
    text = local(offset_days, hhmm)[:16]
    assert len(text) == len("2027-01-20T14:00")
    return text


async def test_a_booking_to_the_minute(api) -> None:
    room = await make_room()
    created = await api.post(
        "/api/bookings", json=booking_body([room["id"]], minute(1, "14:00"), minute(1, "15:30"))
    )
    assert created.status_code == 201, created.text
    booking = created.json()
    [occurrence] = booking["occurrences"]
    assert occurrence["start"].startswith(local(1, "14:00"))
    edited = await api.patch(
        f"/api/bookings/{booking['id']}",
        json={"version": booking["version"], "end": minute(1, "16:00")},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["occurrences"][0]["end"].startswith(local(1, "16:00"))


async def test_an_offset_stays_and_a_wrong_time_is_still_refused(api) -> None:
    room = await make_room()
    with_offset = minute(2, "09:00") + "+02:00"
    created = await api.post(
        "/api/bookings", json=booking_body([room["id"]], with_offset, minute(2, "10:00"))
    )
    assert created.status_code == 201, created.text
    wrong = await api.post(
        "/api/bookings", json=booking_body([room["id"]], "2027-13-01T10:00", minute(2, "10:00"))
    )
    assert wrong.status_code == 400
    assert [e["field"] for e in wrong.json()["errors"]] == ["start"]
    # A text that looks like a time stays as it was typed.
    titled = await api.post(
        "/api/bookings",
        json=booking_body(
            [room["id"]], minute(3, "09:00"), minute(3, "10:00"), title="2027-01-20T14:00"
        ),
    )
    assert titled.json()["title"] == "2027-01-20T14:00"


async def test_queries_to_the_minute(api) -> None:
    room = await make_room()
    taken = booking_body([room["id"]], minute(4, "10:00"), minute(4, "11:00"))
    assert (await api.post("/api/bookings", json=taken)).status_code == 201
    found = await api.get(
        "/api/rooms",
        params={
            "building": room["building"],
            "free_start": minute(4, "10:30"),
            "free_end": minute(4, "12:00"),
        },
    )
    assert found.status_code == 200, found.text
    assert found.json() == []
    busy = await api.get(
        f"/api/rooms/{room['id']}/availability",
        params={"start": minute(4, "00:00"), "end": minute(5, "00:00")},
    )
    assert busy.status_code == 200, busy.text
    assert len(busy.json()["busy"]) == 1
    closures = await api.get(
        "/api/blackouts", params={"start": minute(4, "00:00"), "end": minute(5, "00:00")}
    )
    assert closures.status_code == 200, closures.text


async def test_a_blackout_to_the_minute(api) -> None:
    room = await make_room()
    created = await api.post(
        "/api/blackouts",
        json={
            "start": minute(6, "08:00"),
            "end": minute(6, "12:00"),
            "reason": "Curățenie",
            "room": room["id"],
        },
    )
    assert created.status_code == 201, created.text
