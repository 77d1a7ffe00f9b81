"""Bad input gets a clear 4xx in the one error shape, and changes nothing already stored."""

from __future__ import annotations

from typing import Any

import pytest

from booking.db.tables import BookingRequest, Occurrence
from tests.factories import booking_body, day, local, make_room, next_last_sunday


@pytest.fixture
async def room(api) -> dict[str, Any]:
    room = await make_room(capacity=40)
    # Something already stored, which no bad request may disturb.
    existing = await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(3, "10:00"), local(3, "11:00"))
    )
    assert existing.status_code == 201
    return room


def _body(room: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return booking_body([room["id"]], local(0, "10:00"), local(0, "11:00")) | overrides


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


spring = next_last_sunday(3)

BAD_BODIES = [
    ("end_before_start", lambda r: _body(r, end=local(0, "09:00")), 422, "end"),
    ("end_equals_start", lambda r: _body(r, end=local(0, "10:00")), 422, "end"),
    ("zero_attendance", lambda r: _body(r, expected_attendance=0), 400, "expected_attendance"),
    ("negative_attendance", lambda r: _body(r, expected_attendance=-5), 400, "expected_attendance"),
    ("above_capacity", lambda r: _body(r, expected_attendance=41), 422, "expected_attendance"),
    ("unknown_room", lambda r: _body(r, rooms=[987654]), 422, "rooms"),
    ("no_room", lambda r: _body(r, rooms=[]), 400, "rooms"),
    ("unknown_organisation", lambda r: _body(r, organisation="NOPE"), 422, "organisation"),
    (
        "in_the_past",
        lambda r: _body(r, start="2020-01-06T10:00:00", end="2020-01-06T11:00:00"),
        422,
        "start",
    ),
    ("title_too_long", lambda r: _body(r, title="x" * 10_001), 400, "title"),
    ("description_too_long", lambda r: _body(r, description="x" * 10_001), 400, "description"),
    ("blank_title", lambda r: _body(r, title="   "), 422, "title"),
    ("missing_title", lambda r: _without(_body(r), "title"), 400, "title"),
    (
        "attendance_as_text",
        lambda r: _body(r, expected_attendance="many"),
        400,
        "expected_attendance",
    ),
    ("rooms_as_text", lambda r: _body(r, rooms="CC-AULA"), 400, "rooms"),
    # Text that reads as a number or a boolean is still text in JSON.
    (
        "attendance_as_digits",
        lambda r: _body(r, expected_attendance="20"),
        400,
        "expected_attendance",
    ),
    ("submit_as_text", lambda r: _body(r, submit="false"), 400, "submit"),
    (
        "attendance_with_a_fraction",
        lambda r: _body(r, expected_attendance=20.0),
        400,
        "expected_attendance",
    ),
    ("room_id_as_digits", lambda r: _body(r, rooms=[str(r["id"])]), 400, "rooms[0]"),
    ("start_not_a_time", lambda r: _body(r, start="tomorrow at ten"), 400, "start"),
    ("bad_email", lambda r: _body(r, contact_email="not-an-address"), 400, "contact_email"),
    ("status_is_not_settable", lambda r: _body(r, status="approved"), 400, "status"),
    ("version_is_not_settable", lambda r: _body(r, version=7), 400, "version"),
    ("id_is_not_settable", lambda r: _body(r, id=1), 400, "id"),
    (
        "nonexistent_local_time",
        lambda r: _body(r, start=f"{spring}T03:30:00", end=f"{spring}T05:00:00"),
        422,
        "start",
    ),
    (
        "longer_than_14_days",
        lambda r: _body(r, start=local(0, "10:00"), end=local(15, "10:00")),
        422,
        "end",
    ),
    (
        "seconds_in_time",
        lambda r: _body(r, start=local(0, "10:00").replace(":00:00", ":00:30")),
        422,
        "start",
    ),
]


@pytest.mark.parametrize(
    ("make", "status", "field"), [c[1:] for c in BAD_BODIES], ids=[c[0] for c in BAD_BODIES]
)
async def test_bad_booking_body(api, room, make, status: int, field: str) -> None:
    before = (await BookingRequest.count(), await Occurrence.count())
    response = await api.post("/api/bookings", json=make(room))
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    assert body["code"] in ("bad_request", "invalid")
    assert body["message"]
    assert field in [error["field"] for error in body["errors"]], body
    assert all(error["reason"] for error in body["errors"])
    assert (await BookingRequest.count(), await Occurrence.count()) == before


async def test_json_bodies_are_read_strictly_and_query_strings_are_not(api, room) -> None:
    """Every JSON body, nested fields too, takes no text for a number or a boolean; a query
    string, where everything is text, still gives its numbers."""
    path = f"/api/rooms/{room['id']}/booking-rules"
    hours = {"weekday": "1", "opens": "08:00", "closes": "22:00"}
    for body, field in (
        ({"opening_hours": [hours]}, "opening_hours[0].weekday"),
        ({"max_advance_days": "7"}, "max_advance_days"),
    ):
        refused = await api.put(path, json=body)
        assert refused.status_code == 400, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert (await api.get(path)).json()["max_advance_days"] == 0
    listed = await api.get("/api/bookings?limit=1")
    assert listed.status_code == 200, listed.text
    assert len(listed.json()) == 1


@pytest.mark.parametrize(
    "raw",
    [
        b'{"title": "Seminar",',
        b"not json at all",
        b"[1, 2, 3]",
        b"",
        b"\xff\xfe",
        b'{"title": "\xff", "rooms": [1]}',
        b"[" * 2000 + b"]" * 2000,
        b'{"a":' * 2000 + b'"\\u0000"' + b"}" * 2000,
    ],
    ids=["truncated", "not_json", "array", "empty", "binary", "not_utf8", "deep", "deep_nul"],
)
@pytest.mark.parametrize("content_type", ["application/json", "text/plain", ""])
async def test_malformed_json(api, room, raw: bytes, content_type: str) -> None:
    before = await BookingRequest.count()
    response = await api.post("/api/bookings", content=raw, headers={"content-type": content_type})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == 400
    assert body["errors"], body
    assert await BookingRequest.count() == before


async def test_ambiguous_local_time_needs_an_offset(api, room) -> None:
    autumn = next_last_sunday(10)
    ambiguous = await api.post(
        "/api/bookings", json=_body(room, start=f"{autumn}T03:30:00", end=f"{autumn}T05:00:00")
    )
    assert ambiguous.status_code == 422
    assert "offset" in ambiguous.json()["errors"][0]["reason"]
    chosen = await api.post(
        "/api/bookings",
        json=_body(room, start=f"{autumn}T03:30:00+03:00", end=f"{autumn}T05:00:00+02:00"),
    )
    assert chosen.status_code == 201, chosen.text
    occurrence = chosen.json()["occurrences"][0]
    # 03:30 summer time to 05:00 winter time is two and a half hours.
    from datetime import datetime

    length = datetime.fromisoformat(occurrence["end"]) - datetime.fromisoformat(occurrence["start"])
    assert length.total_seconds() == 2.5 * 3600


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/rooms/987654", 404),
        ("/api/buildings/987654", 404),
        (f"/api/rooms/987654/availability?start={day(0)}T00:00:00&end={day(1)}T00:00:00", 404),
        (f"/api/buildings/987654/availability?start={day(0)}T00:00:00&end={day(1)}T00:00:00", 404),
        ("/api/rooms/abc", 404),
        ("/api/rooms?min_capacity=lots", 400),
        ("/api/rooms?min_capacity=0", 400),
        ("/api/rooms?equipment=", 400),
        ("/api/rooms?equipment=projector&equipment=", 400),
        ("/api/rooms?building=987654", 404),
        ("/api/bookings?limit=100000", 400),
        ("/api/bookings?start=yesterday&end=today", 400),
        ("/api/nothing-here", 404),
    ],
)
async def test_bad_reads(api, path: str, status: int) -> None:
    response = await api.get(path)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    assert body["message"]


async def test_wrong_method_is_405_in_the_same_shape(api) -> None:
    response = await api.delete("/api/rooms")
    assert response.status_code == 405
    assert response.json()["status"] == 405


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/bookings", "GET, OPTIONS, POST"),
        ("/api/bookings/1", "GET, OPTIONS, PATCH"),
        ("/api/auth/me", "GET, OPTIONS, PATCH"),
        ("/api/blackouts", "GET, OPTIONS, POST"),
    ],
)
async def test_options_lists_every_method_to_anyone(api, open_client, path, allowed) -> None:
    for client in (api, open_client()):
        response = await client.options(path)
        assert response.status_code == 204, response.text
        assert response.headers["allow"] == allowed
