"""Recurring series through the HTTP API: expansion, conflicts per date, the caps and bad rules."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.db.tables import BookingRequest, Occurrence
from tests.factories import booking_body, day, local, make_room, next_last_sunday

ZONE = ZoneInfo("Europe/Bucharest")


def _series(room_id: int, first: date, start: str, end: str, **recurrence) -> dict:
    return booking_body(
        [room_id],
        f"{first.isoformat()}T{start}:00",
        f"{first.isoformat()}T{end}:00",
        recurrence=recurrence,
    )


def _local_starts(booking: dict) -> list[datetime]:
    return [datetime.fromisoformat(o["start"]).astimezone(ZONE) for o in booking["occurrences"]]


async def test_a_weekly_series_books_every_date_at_the_same_wall_clock_time(api) -> None:
    room = await make_room(instant_book=True)
    body = _series(
        room["id"], day(0), "10:00", "12:00", frequency="weekly", weekdays=[0, 2], count=10
    )
    response = await api.post("/api/bookings", json=body)
    assert response.status_code == 201, response.text
    booking = response.json()
    assert booking["status"] == "approved"
    starts = _local_starts(booking)
    assert len(starts) == 10
    assert {s.weekday() for s in starts} == {0, 2}
    assert {s.time() for s in starts} == {time(10, 0)}
    assert booking["recurrence"]["weekdays"] == [0, 2]
    assert booking["recurrence"]["start_time"] == "10:00"
    assert booking["skipped_dates"] == []


async def test_a_series_across_a_clock_change_keeps_its_local_time(api) -> None:
    room = await make_room(instant_book=True)
    change = min(next_last_sunday(3), next_last_sunday(10))
    first = change - timedelta(days=6)  # the Monday before
    body = _series(room["id"], first, "10:00", "11:00", frequency="daily", count=10)
    booking = (await api.post("/api/bookings", json=body)).json()
    starts = _local_starts(booking)
    assert [s.date() for s in starts] == [first + timedelta(days=n) for n in range(10)]
    assert {s.time() for s in starts} == {time(10, 0)}
    offsets = {s.utcoffset() for s in starts}
    assert len(offsets) == 2  # the UTC instant moved, the wall clock did not


async def test_all_or_nothing_refuses_the_series_and_lists_every_taken_date(api) -> None:
    room = await make_room(instant_book=True)
    for offset in (7, 14):
        taken = await api.post(
            "/api/bookings",
            json=booking_body([room["id"]], local(offset, "11:00"), local(offset, "12:00")),
        )
        assert taken.status_code == 201
    body = _series(room["id"], day(0), "10:00", "12:00", frequency="weekly", weekdays=[0], count=4)
    response = await api.post("/api/bookings", json=body)
    assert response.status_code == 409
    dates = [c["requested_start"][:10] for c in response.json()["conflicts"]]
    assert dates == [day(7).isoformat(), day(14).isoformat()]
    assert await BookingRequest.count() == 2


async def test_skip_books_the_free_dates_and_lists_the_others(api) -> None:
    room = await make_room(instant_book=True)
    taken = (
        await api.post(
            "/api/bookings",
            json=booking_body([room["id"]], local(7, "11:00"), local(7, "12:00")),
        )
    ).json()
    body = _series(
        room["id"], day(0), "10:00", "12:00", frequency="weekly", weekdays=[0], count=4
    ) | {"on_conflict": "skip"}
    response = await api.post("/api/bookings", json=body)
    assert response.status_code == 201, response.text
    booking = response.json()
    assert [s.date() for s in _local_starts(booking)] == [day(0), day(14), day(21)]
    assert booking["skipped_dates"] == [
        {"date": day(7).isoformat(), "reason": f"{room['code']} is taken by request #{taken['id']}"}
    ]
    again = await api.get(f"/api/bookings/{booking['id']}")
    assert again.json()["skipped_dates"] == booking["skipped_dates"]


async def test_skip_with_every_date_taken_is_refused(api) -> None:
    room = await make_room(instant_book=True)
    await api.post(
        "/api/bookings",
        json=booking_body([room["id"]], local(0, "08:00"), local(2, "20:00")),
    )
    body = _series(room["id"], day(0), "10:00", "11:00", frequency="daily", count=3) | {
        "on_conflict": "skip"
    }
    response = await api.post("/api/bookings", json=body)
    assert response.status_code == 409
    assert len(response.json()["conflicts"]) == 3


async def test_a_pending_series_is_approved_as_a_whole(api) -> None:
    room = await make_room(instant_book=False)
    body = _series(room["id"], day(0), "10:00", "11:00", frequency="daily", count=5)
    pending = (await api.post("/api/bookings", json=body)).json()
    assert {o["status"] for o in pending["occurrences"]} == {"pending"}
    approved = await api.post(f"/api/bookings/{pending['id']}/approve", json={"version": 1})
    assert approved.status_code == 200, approved.text
    assert [o["status"] for o in approved.json()["occurrences"]] == ["approved"] * 5
    moved = await api.patch(
        f"/api/bookings/{pending['id']}", json={"version": 2, "start": local(0, "12:00")}
    )
    assert moved.status_code == 409
    retitled = await api.patch(
        f"/api/bookings/{pending['id']}", json={"version": 2, "title": "Nou"}
    )
    assert retitled.status_code == 200
    assert len(retitled.json()["occurrences"]) == 5


@pytest.mark.parametrize(
    ("recurrence", "field"),
    [
        ({"frequency": "daily", "count": 100_000}, "recurrence.count"),
        (
            {"frequency": "daily", "until": (date.today() + timedelta(days=3650)).isoformat()},
            "recurrence.until",
        ),
        ({"frequency": "daily", "interval": 0, "count": 3}, "recurrence.interval"),
        ({"frequency": "daily", "interval": -1, "count": 3}, "recurrence.interval"),
        ({"frequency": "weekly", "weekdays": [], "count": 3}, "recurrence.weekdays"),
        ({"frequency": "weekly", "weekdays": [9], "count": 3}, "recurrence.weekdays"),
        ({"frequency": "daily"}, "recurrence"),
        ({"frequency": "yearly", "count": 3}, "recurrence.frequency"),
        ({"frequency": "daily", "count": 3, "colour": "red"}, "recurrence.colour"),
    ],
)
async def test_bad_rules_are_refused_and_nothing_is_stored(api, recurrence, field) -> None:
    room = await make_room(instant_book=True)
    body = booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"), recurrence=recurrence)
    response = await api.post("/api/bookings", json=body)
    assert response.status_code in (400, 422), response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await BookingRequest.count() == 0


async def test_a_fifth_monday_that_no_month_of_the_range_has_is_refused(api) -> None:
    room = await make_room(instant_book=True)
    # February never has five Mondays outside leap years starting on a Monday; take a month
    # with exactly four Mondays and end the series within it.
    first = day(0).replace(day=1)
    month_end = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    mondays = sum(1 for n in range(month_end.day) if (first + timedelta(days=n)).weekday() == 0)
    if mondays == 5:
        first = (first + timedelta(days=32)).replace(day=1)
        month_end = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    start = max(first, day(0))
    body = _series(
        room["id"], start, "10:00", "11:00",
        frequency="monthly", nth=5, weekdays=[0], until=month_end.isoformat(),
    )  # fmt: skip
    response = await api.post("/api/bookings", json=body)
    assert response.status_code == 422
    assert "no date" in response.json()["errors"][0]["reason"]


async def test_the_fall_back_hour_needs_a_choice_for_a_series(api) -> None:
    room = await make_room(instant_book=True)
    change = next_last_sunday(10)
    body = _series(room["id"], change, "03:30", "05:00", frequency="daily", count=2)
    refused = await api.post("/api/bookings", json=body)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "ambiguous"
    chosen = await api.post("/api/bookings", json=body | {"ambiguous": "later"})
    assert chosen.status_code == 201, chosen.text
    first = datetime.fromisoformat(chosen.json()["occurrences"][0]["start"])
    assert first.utcoffset() == timedelta(hours=2)


async def test_a_start_given_with_the_later_offset_means_the_later_hour(api) -> None:
    """03:30+02:00 on the fall-back Sunday is the second 03:30; a later date whose 03:30 does
    not exist (the next spring-forward Sunday) is still refused, not shifted."""
    room = await make_room(instant_book=True)
    autumn = next_last_sunday(10)
    chosen = await api.post(
        "/api/bookings",
        json=booking_body(
            [room["id"]],
            f"{autumn.isoformat()}T03:30:00+02:00",
            f"{autumn.isoformat()}T04:30:00+02:00",
            recurrence={"frequency": "weekly", "weekdays": [6], "count": 2},
        ),
    )
    assert chosen.status_code == 201, chosen.text
    booking = chosen.json()
    assert booking["recurrence"]["ambiguous"] == "later"
    assert datetime.fromisoformat(booking["occurrences"][0]["start"]).utcoffset() == timedelta(
        hours=2
    )
    march_end = date(autumn.year + 1, 3, 31)
    spring = march_end - timedelta(days=(march_end.weekday() - 6) % 7)
    weeks = (spring - autumn).days // 7 + 1
    refused = await api.post(
        "/api/bookings",
        json=booking_body(
            [room["id"]],
            f"{autumn.isoformat()}T03:30:00+02:00",
            f"{autumn.isoformat()}T04:30:00+02:00",
            recurrence={"frequency": "weekly", "weekdays": [6], "count": weeks},
        ),
    )
    assert refused.status_code == 422, refused.text
    assert spring.isoformat() in refused.json()["errors"][0]["reason"]


async def test_dates_that_would_overlap_each_other_with_buffers_are_refused(api) -> None:
    room = await make_room(instant_book=True, setup_minutes=30, teardown_minutes=30)
    body = booking_body(
        [room["id"]],
        local(0, "10:00"),
        local(1, "10:00"),
        recurrence={"frequency": "daily", "count": 3},
    )
    refused = await api.post("/api/bookings", json=body)
    assert refused.status_code == 422, refused.text
    assert "overlap once the room's setup and teardown" in refused.json()["errors"][0]["reason"]
    assert await BookingRequest.count() == 0


async def test_the_spring_gap_is_refused_for_a_series(api) -> None:
    room = await make_room(instant_book=True)
    change = next_last_sunday(3)
    body = _series(
        room["id"], change - timedelta(days=1), "03:30", "04:30", frequency="daily", count=3
    )
    response = await api.post("/api/bookings", json=body)
    assert response.status_code == 422
    assert change.isoformat() in response.json()["errors"][0]["reason"]


@pytest.mark.slow
async def test_two_overlapping_weekly_series_at_once_one_wins_every_date(api) -> None:
    room = await make_room(instant_book=True)
    first = _series(
        room["id"], day(0), "10:00", "12:00", frequency="weekly", weekdays=[0, 3], count=20
    )
    second = _series(
        room["id"], day(0), "11:00", "13:00", frequency="weekly", weekdays=[0], count=10
    )
    responses = await asyncio.gather(
        api.post("/api/bookings", json=first), api.post("/api/bookings", json=second)
    )
    assert Counter(r.status_code for r in responses) == {201: 1, 409: 1}
    won = next(r.json() for r in responses if r.status_code == 201)
    lost = next(r.json() for r in responses if r.status_code == 409)
    asked = 20 if len(won["occurrences"]) == 20 else 10
    assert len(won["occurrences"]) == asked
    # The loser hears of every one of its dates that the winner holds: all ten Mondays.
    assert len({c["requested_start"][:10] for c in lost["conflicts"]}) == 10
    rows = (
        await Occurrence.select(Occurrence.blocked_from, Occurrence.blocked_until)
        .where(Occurrence.status == "approved")
        .order_by(Occurrence.blocked_from)
    )
    assert len(rows) == asked
    for earlier, later in itertools.pairwise(rows):
        assert earlier["blocked_until"] <= later["blocked_from"]
