"""Creating, reading, listing and cancelling booking requests through the HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from booking.db import bookings
from booking.db.tables import BookingRequest, Occurrence
from tests.factories import (
    booking_body,
    day,
    local,
    make_building,
    make_organisation,
    make_room,
)


async def test_instant_book_room_is_approved_at_once(api) -> None:
    room = await make_room(instant_book=True)
    response = await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(0, "10:00"), local(0, "11:30"))
    )
    assert response.status_code == 201, response.text
    booking = response.json()
    assert booking["status"] == "approved"
    assert booking["version"] == 1
    [occurrence] = booking["occurrences"]
    assert occurrence["status"] == "approved"
    assert occurrence["room_id"] == room["id"]
    assert occurrence["start"].startswith(local(0, "10:00"))
    assert occurrence["end"].startswith(local(0, "11:30"))


async def test_other_rooms_create_a_pending_request(api) -> None:
    room = await make_room(instant_book=False)
    response = await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"))
    )
    assert response.status_code == 201
    assert response.json()["status"] == "pending"


async def test_naive_times_are_wall_clock_in_the_building_zone(api) -> None:
    room = await make_room()
    booking = (
        await api.post(
            "/api/bookings", json=booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"))
        )
    ).json()
    start = datetime.fromisoformat(booking["occurrences"][0]["start"])
    assert start.utcoffset() is not None
    assert start.hour == 10
    assert start.utcoffset().total_seconds() in (2 * 3600, 3 * 3600)


async def test_times_with_an_offset_are_taken_as_given(api) -> None:
    room = await make_room()
    start = local(0, "08:00") + "Z"
    end = local(0, "09:00") + "Z"
    booking = (await api.post("/api/bookings", json=booking_body([room["id"]], start, end))).json()
    stored = datetime.fromisoformat(booking["occurrences"][0]["start"])
    assert stored == datetime.fromisoformat(start)
    assert stored.hour in (10, 11)  # shown in Bucharest time


async def test_buffers_widen_the_blocked_span(api) -> None:
    room = await make_room(setup_minutes=30, teardown_minutes=15)
    booking = (
        await api.post(
            "/api/bookings", json=booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"))
        )
    ).json()
    occurrence = booking["occurrences"][0]
    assert occurrence["blocked_from"].startswith(local(0, "09:30"))
    assert occurrence["blocked_until"].startswith(local(0, "11:15"))


async def test_back_to_back_bookings_do_not_conflict(api) -> None:
    room = await make_room()
    first = await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"))
    )
    second = await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(0, "11:00"), local(0, "12:00"))
    )
    assert (first.status_code, second.status_code) == (201, 201)


async def test_buffers_make_a_near_miss_a_conflict(api) -> None:
    room = await make_room(teardown_minutes=30)
    await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"))
    )
    response = await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(0, "11:15"), local(0, "12:00"))
    )
    assert response.status_code == 409


async def test_conflict_lists_the_collision_and_suggests_alternatives(api) -> None:
    building = await make_building()
    room = await make_room(building, capacity=30, equipment=["projector"])
    same_building = await make_room(building, capacity=40, equipment=["projector"])
    too_small = await make_room(building, capacity=10, equipment=["projector"])
    elsewhere = await make_room(capacity=30, equipment=["projector"])
    taken = (
        await api.post(
            "/api/bookings",
            json=booking_body(
                [room["id"]],
                local(0, "10:00"),
                local(0, "12:00"),
                is_public=True,
                title="Conferința AC",
            ),
        )
    ).json()
    response = await api.post(
        "/api/bookings",
        json=booking_body(
            [room["id"]], local(0, "11:00"), local(0, "12:00"), expected_attendance=25
        ),
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    [conflict] = body["conflicts"]
    assert conflict["booking_id"] == taken["id"]
    assert conflict["occurrence_id"] == taken["occurrences"][0]["id"]
    assert conflict["room_code"] == room["code"]
    assert conflict["title"] == "Conferința AC"
    assert conflict["start"].startswith(local(0, "10:00"))
    suggested = [r["id"] for r in body["alternatives"]["rooms"]]
    assert suggested[0] == same_building["id"]
    assert elsewhere["id"] in suggested
    assert too_small["id"] not in suggested
    assert room["id"] not in suggested
    slots = body["alternatives"]["slots"]
    assert slots, "the same room has free time later that day"
    assert any(s["start"].startswith(local(0, "12:00")) for s in slots)
    assert all(s["room_id"] == room["id"] for s in slots)


async def test_suggestions_are_only_what_could_be_booked(api) -> None:
    """No room closed by a blackout, none whose setup would collide, no slot outside hours."""
    building = await make_building()
    room = await make_room(building, capacity=30)
    closed = await make_room(building, capacity=30)
    slow = await make_room(building, capacity=30, setup_minutes=60)
    fine = await make_room(building, capacity=30)
    hours = [{"weekday": day(0).weekday(), "opens": "09:00", "closes": "12:00"}]
    saved = await api.put(f"/api/rooms/{room['id']}/booking-rules", json={"opening_hours": hours})
    assert saved.status_code == 200, saved.text
    await api.post(
        "/api/blackouts",
        json={
            "start": local(0, "00:00"),
            "end": local(1, "00:00"),
            "reason": "Renovare",
            "room": closed["id"],
        },
    )
    # The slow room's 60 minutes of setup before 10:00 run into this 08:30-09:30 booking.
    await api.post(
        "/api/bookings", json=booking_body([slow["id"]], local(0, "08:30"), local(0, "09:30"))
    )
    await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"))
    )
    response = await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"))
    )
    assert response.status_code == 409
    alternatives = response.json()["alternatives"]
    suggested = [r["id"] for r in alternatives["rooms"]]
    assert fine["id"] in suggested
    assert closed["id"] not in suggested
    assert slow["id"] not in suggested
    starts = sorted(s["start"][11:16] for s in alternatives["slots"])
    assert starts == ["09:00", "11:00"]  # within 09:00-12:00 only


async def test_private_bookings_show_no_title_in_conflicts(api) -> None:
    room = await make_room()
    await api.post(
        "/api/bookings",
        json=booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"), title="Secret"),
    )
    response = await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"))
    )
    assert response.json()["conflicts"][0]["title"] is None


async def test_pending_requests_may_overlap_each_other_but_not_an_approved_one(api) -> None:
    room = await make_room(instant_book=False)
    span = (local(0, "10:00"), local(0, "11:00"))
    first = await api.post("/api/bookings", json=booking_body([room["id"]], *span))
    second = await api.post("/api/bookings", json=booking_body([room["id"]], *span))
    assert (first.status_code, second.status_code) == (201, 201)
    approved = await api.post(f"/api/bookings/{first.json()['id']}/approve", json={"version": 1})
    assert approved.status_code == 200
    third = await api.post("/api/bookings", json=booking_body([room["id"]], *span))
    assert third.status_code == 409


async def test_multi_room_request_is_all_or_nothing(api) -> None:
    building = await make_building()
    free_room = await make_room(building)
    busy_room = await make_room(building)
    await api.post(
        "/api/bookings", json=booking_body([busy_room["id"]], local(0, "10:00"), local(0, "11:00"))
    )
    before = await Occurrence.count()
    response = await api.post(
        "/api/bookings",
        json=booking_body([free_room["id"], busy_room["id"]], local(0, "10:30"), local(0, "12:00")),
    )
    assert response.status_code == 409
    assert [c["room_id"] for c in response.json()["conflicts"]] == [busy_room["id"]]
    assert await Occurrence.count() == before
    assert await BookingRequest.count() == 1


async def test_multi_room_request_creates_one_booking_with_an_occurrence_per_room(api) -> None:
    building = await make_building()
    rooms = [await make_room(building, capacity=30) for _ in range(3)]
    response = await api.post(
        "/api/bookings",
        json=booking_body(
            [r["id"] for r in rooms], local(1, "09:00"), local(1, "17:00"), expected_attendance=80
        ),
    )
    assert response.status_code == 201, response.text
    occurrences = response.json()["occurrences"]
    assert sorted(o["room_id"] for o in occurrences) == sorted(r["id"] for r in rooms)


async def test_cancel_frees_the_room_at_once(api) -> None:
    room = await make_room()
    span = (local(0, "10:00"), local(0, "11:00"))
    booking = (await api.post("/api/bookings", json=booking_body([room["id"]], *span))).json()
    assert (
        await api.post("/api/bookings", json=booking_body([room["id"]], *span))
    ).status_code == 409
    cancelled = await api.post(f"/api/bookings/{booking['id']}/cancel", json={"version": 1})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["version"] == 2
    assert all(o["status"] == "cancelled" for o in cancelled.json()["occurrences"])
    again = await api.post("/api/bookings", json=booking_body([room["id"]], *span))
    assert again.status_code == 201


async def test_cancel_with_a_stale_version_is_refused_with_the_current_state(api) -> None:
    room = await make_room()
    booking = (
        await api.post(
            "/api/bookings", json=booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"))
        )
    ).json()
    await api.post(f"/api/bookings/{booking['id']}/cancel", json={"version": 1})
    stale = await api.post(f"/api/bookings/{booking['id']}/cancel", json={"version": 1})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert stale.json()["current"]["status"] == "cancelled"
    twice = await api.post(f"/api/bookings/{booking['id']}/cancel", json={"version": 2})
    assert twice.status_code == 409
    assert twice.json()["code"] == "not_allowed_now"


async def test_unknown_booking_is_404(api) -> None:
    assert (await api.get("/api/bookings/999999")).status_code == 404
    assert (await api.post("/api/bookings/999999/cancel", json={"version": 1})).status_code == 404


async def test_list_filters(api) -> None:
    building = await make_building()
    room_a = await make_room(building)
    room_b = await make_room(building, instant_book=False)
    other = await make_room()
    org = await make_organisation(code="AC")
    a = (
        await api.post(
            "/api/bookings",
            json=booking_body(
                [room_a["id"]], local(0, "10:00"), local(0, "11:00"), organisation="AC"
            ),
        )
    ).json()
    b = (
        await api.post(
            "/api/bookings", json=booking_body([room_b["id"]], local(2, "10:00"), local(2, "11:00"))
        )
    ).json()
    c = (
        await api.post(
            "/api/bookings", json=booking_body([other["id"]], local(5, "10:00"), local(5, "11:00"))
        )
    ).json()
    assert org["code"] == a["organisation"]

    async def ids(**params: object) -> list[int]:
        response = await api.get("/api/bookings", params=params)
        assert response.status_code == 200, response.text
        return sorted(item["id"] for item in response.json())

    assert await ids() == sorted([a["id"], b["id"], c["id"]])
    assert await ids(status="pending") == [b["id"]]
    assert await ids(status=["pending", "approved"]) == sorted([a["id"], b["id"], c["id"]])
    assert await ids(room=room_a["id"]) == [a["id"]]
    assert await ids(building=building["id"]) == sorted([a["id"], b["id"]])
    assert await ids(organisation="AC") == [a["id"]]
    assert await ids(start=local(1, "00:00"), end=local(3, "00:00")) == [b["id"]]
    assert len(await ids(limit=2)) == 2
    assert len(await ids(limit=2, offset=2)) == 1
    bad = await api.get("/api/bookings", params={"status": "finished"})
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/api/bookings/59433000413", 404, None),
        ("/api/rooms/9223372036854775808", 404, None),  # beyond even SQLite's integers
        # A room or building in a query is an id or a code: one that none has is unknown.
        ("/api/rooms?building=999999999999", 422, "building"),
        ("/api/bookings?room=99999999999999999999", 422, "room"),
        ("/api/bookings?offset=9223372036854775808", 400, "offset"),
    ],
)
async def test_numbers_beyond_any_id_are_clear_errors(api, path, status, field) -> None:
    response = await api.get(path)
    assert response.status_code == status, response.text
    if field is not None:
        assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_a_room_id_beyond_any_id_is_named_in_the_body(api) -> None:
    body = booking_body([2**31], local(0, "10:00"), local(0, "11:00"))
    response = await api.post("/api/bookings", json=body)
    assert response.status_code == 400, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["rooms[0]"]


async def test_a_cancelled_booking_has_no_competitors(api) -> None:
    room = await make_room()
    booking = (
        await api.post(
            "/api/bookings", json=booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"))
        )
    ).json()
    await api.post(f"/api/bookings/{booking['id']}/cancel", json={"version": booking["version"]})
    response = await api.get(f"/api/bookings/{booking['id']}/competing")
    assert response.status_code == 200, response.text
    assert response.json() == []


async def test_a_missing_body_is_named_as_such(api) -> None:
    response = await api.post("/api/bookings")
    assert response.status_code == 400, response.text
    assert response.json()["errors"] == [
        {
            "field": "body",
            "code": "validation.body_required",
            "reason": "is required: send a JSON object",
        }
    ]


async def test_a_listed_request_reads_as_the_request_loaded_by_its_id(api) -> None:
    """The list reads its rows in the query that filters them; each is the same request as
    the one read by its id, to the last field."""
    room = await make_room(instant_book=False)
    await make_organisation(code="LST")
    series = booking_body(
        [room["id"]],
        local(3, "10:00"),
        local(3, "11:00"),
        organisation="LST",
        recurrence={"frequency": "daily", "count": 3},
    )
    single = booking_body([room["id"]], local(9, "10:00"), local(9, "11:00"))
    created = [(await api.post("/api/bookings", json=body)).json() for body in (series, single)]
    ids = [b["id"] for b in created]
    await BookingRequest.update(
        {BookingRequest.status: "held", BookingRequest.hold_until: datetime.now(UTC)}
    ).where(BookingRequest.id == ids[1])

    listed = await bookings.find_bookings(
        bookings.BookingFilter(visible_to=None, as_of=datetime.now(UTC), room_id=room["id"])
    )
    assert [b.id for b in listed] == sorted(ids, reverse=True)
    assert listed == await bookings.load_bookings(sorted(ids, reverse=True))
    assert listed[1].organisation_code == "LST"
    assert listed[1].series is not None
    assert len(listed[1].occurrences) == 3
    assert listed[0].hold_until is not None
