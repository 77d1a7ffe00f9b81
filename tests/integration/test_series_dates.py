"""Single dates of a series: cancel, move, change from a date on, restore skipped dates, and
approve or refuse dates one by one."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.db import booking_writes
from booking.db.tables import BookingRequest, Occurrence
from tests.factories import booking_body, day, local, make_room

ZONE = ZoneInfo("Europe/Bucharest")


async def _series(api, room, count=4, start="10:00", end="11:00", **extra) -> dict:
    body = booking_body(
        [room["id"]],
        f"{day(0).isoformat()}T{start}:00",
        f"{day(0).isoformat()}T{end}:00",
        recurrence={"frequency": "daily", "count": count},
        **extra,
    )
    response = await api.post("/api/bookings", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def _do(api, booking, path, expect=200, **body) -> dict:
    response = await api.post(
        f"/api/bookings/{booking['id']}/{path}", json={"version": booking["version"]} | body
    )
    assert response.status_code == expect, response.text
    return response.json()


def _starts(booking, status=None) -> list[str]:
    return [
        datetime.fromisoformat(o["start"]).astimezone(ZONE).strftime("%m-%d %H:%M")
        for o in booking["occurrences"]
        if status is None or o["status"] == status
    ]


async def _history(api, booking) -> list[str]:
    return [h["action"] for h in (await api.get(f"/api/bookings/{booking['id']}/history")).json()]


async def test_cancelling_one_date_frees_that_day_only(api) -> None:
    room = await make_room(instant_book=True)
    series = await _series(api, room)
    second = series["occurrences"][1]
    done = await _do(api, series, f"occurrences/{second['id']}/cancel", comment="holiday")
    assert done["status"] == "approved"
    assert [o["status"] for o in done["occurrences"]] == [
        "approved",
        "cancelled",
        "approved",
        "approved",
    ]
    assert done["version"] == 2
    taken = await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(1, "10:00"), local(1, "11:00"))
    )
    assert taken.status_code == 201
    refused = await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(2, "10:00"), local(2, "11:00"))
    )
    assert refused.status_code == 409
    assert (await _history(api, series))[-1] == "date_cancelled"
    again = await _do(api, done, f"occurrences/{second['id']}/cancel", expect=422)
    assert again["errors"][0]["field"] == "occurrence"


async def test_cancelling_every_date_cancels_the_series(api) -> None:
    room = await make_room(instant_book=True)
    booking = await _series(api, room, count=2)
    for occurrence in booking["occurrences"]:
        booking = await _do(api, booking, f"occurrences/{occurrence['id']}/cancel")
    assert booking["status"] == "cancelled"


async def test_moving_a_date_of_an_instant_series_moves_it_at_once(api) -> None:
    room = await make_room(instant_book=True)
    series = await _series(api, room)
    third = series["occurrences"][2]
    moved = await _do(
        api,
        series,
        f"occurrences/{third['id']}/move",
        start=local(2, "15:00"),
        end=local(2, "16:30"),
    )
    assert _starts(moved, "approved") == [
        datetime.fromisoformat(local(n, h)).strftime("%m-%d %H:%M")
        for n, h in ((0, "10:00"), (1, "10:00"), (2, "15:00"), (3, "10:00"))
    ]
    assert await Occurrence.count().where(Occurrence.status == "superseded") == 1
    entry = (await api.get(f"/api/bookings/{series['id']}/history")).json()[-1]
    assert entry["action"] == "dates_moved"
    assert list(entry["changes"]) == [day(2).isoformat()]
    free_again = await api.post(
        "/api/bookings", json=booking_body([room["id"]], local(2, "10:00"), local(2, "11:00"))
    )
    assert free_again.status_code == 201


async def test_a_date_cannot_be_moved_onto_another_date_of_the_same_series(api) -> None:
    room = await make_room(instant_book=True)
    series = await _series(api, room)
    first = series["occurrences"][0]
    refused = await _do(
        api,
        series,
        f"occurrences/{first['id']}/move",
        expect=422,
        start=local(1, "10:30"),
        end=local(1, "11:30"),
    )
    assert refused["errors"][0]["reason"] == (
        f"this request already has a date on {day(1).isoformat()}; move or cancel that one first"
    )


async def test_moving_a_date_of_an_approved_series_waits_for_approval(api) -> None:
    room = await make_room(instant_book=False)
    series = await _series(api, room)
    approved = await _do(api, series, "approve")
    second = approved["occurrences"][1]
    proposal = await _do(
        api,
        approved,
        f"occurrences/{second['id']}/move",
        start=local(1, "16:00"),
        end=local(1, "17:00"),
    )
    assert proposal["change_pending"] is True
    assert len(proposal["occurrences"]) == 4
    assert _starts({"occurrences": proposal["proposed_occurrences"]}) == [
        datetime.fromisoformat(local(1, "16:00")).strftime("%m-%d %H:%M")
    ]
    done = await _do(api, proposal, "approve")
    assert done["change_pending"] is False
    assert sorted(_starts(done, "approved")) == sorted(
        datetime.fromisoformat(local(n, h)).strftime("%m-%d %H:%M")
        for n, h in ((0, "10:00"), (1, "16:00"), (2, "10:00"), (3, "10:00"))
    )


async def test_changing_the_series_from_a_date_on(api) -> None:
    room = await make_room(instant_book=True)
    other = await make_room(instant_book=True)
    series = await _series(api, room)
    third = series["occurrences"][2]
    changed = await _do(
        api,
        series,
        f"occurrences/{third['id']}/change-following",
        start_time="14:00",
        end_time="15:30",
        rooms=[other["id"]],
    )
    live = [o for o in changed["occurrences"] if o["status"] == "approved"]
    assert [(o["room_id"], o["start"][11:16]) for o in live] == [
        (room["id"], "10:00"),
        (room["id"], "10:00"),
        (other["id"], "14:00"),
        (other["id"], "14:00"),
    ]
    assert changed["recurrence"]["start_time"] == "10:00"
    assert changed["recurrence"]["changes"] == [
        {
            "from": day(2).isoformat(),
            "start_time": "14:00",
            "end_time": "15:30",
            "rooms": [other["id"]],
        }
    ]
    nothing = await _do(api, changed, f"occurrences/{third['id']}/change-following", expect=422)
    assert nothing["errors"][0]["field"] == "body"


async def test_a_skipped_date_can_be_restored_once_it_is_free(api) -> None:
    room = await make_room(instant_book=True)
    blocker = (
        await api.post(
            "/api/bookings", json=booking_body([room["id"]], local(1, "10:00"), local(1, "12:00"))
        )
    ).json()
    series = await _series(api, room, on_conflict="skip")
    assert [s["date"] for s in series["skipped_dates"]] == [day(1).isoformat()]
    still_taken = await _do(api, series, f"skipped-dates/{day(1).isoformat()}/restore", expect=409)
    assert still_taken["conflicts"][0]["booking_id"] == blocker["id"]
    await _do(api, blocker, "cancel")
    restored = await _do(api, series, f"skipped-dates/{day(1).isoformat()}/restore")
    assert restored["skipped_dates"] == []
    assert len(_starts(restored, "approved")) == 4
    assert (await _history(api, series))[-1] == "date_restored"
    twice = await _do(api, restored, f"skipped-dates/{day(1).isoformat()}/restore", expect=404)
    assert twice["errors"][0]["field"] == "date"


async def test_dates_skipped_before_reasons_had_codes_keep_their_text(api) -> None:
    room = await make_room(instant_book=True)
    blockers = []
    for offset in (1, 2):
        body = booking_body([room["id"]], local(offset, "10:00"), local(offset, "12:00"))
        blockers.append((await api.post("/api/bookings", json=body)).json())
    series = await _series(api, room, on_conflict="skip")
    # Stored as a series stored them before its reasons had codes: each reason is its text.
    old = ["R1 is taken by request #3", "R1 este ocupată de cererea #4"]
    await BookingRequest.update(
        {
            BookingRequest.skipped_dates: json.dumps(
                [{"date": day(n + 1).isoformat(), "reason": text} for n, text in enumerate(old)]
            )
        }
    ).where(BookingRequest.id == series["id"])
    for language in ("en", "ro"):
        seen = await api.get(f"/api/bookings/{series['id']}", headers={"Accept-Language": language})
        assert [s["reason"] for s in seen.json()["skipped_dates"]] == old
    # Writing the dates again keeps the text of the one still skipped.
    await _do(api, blockers[0], "cancel")
    restored = await _do(api, series, f"skipped-dates/{day(1).isoformat()}/restore")
    assert restored["skipped_dates"] == [{"date": day(2).isoformat(), "reason": old[1]}]
    reread = (await api.get(f"/api/bookings/{series['id']}")).json()
    assert reread["skipped_dates"] == restored["skipped_dates"]


async def test_approvers_decide_dates_one_by_one(api) -> None:
    room = await make_room(instant_book=False)
    series = await _series(api, room, count=3)
    rival = (
        await api.post(
            "/api/bookings",
            json=booking_body([room["id"]], local(0, "10:30"), local(0, "11:30")),
        )
    ).json()
    first, second, third = series["occurrences"]
    step = await _do(api, series, f"occurrences/{first['id']}/approve")
    assert step["status"] == "pending"
    assert [o["status"] for o in step["occurrences"]] == ["approved", "pending", "pending"]
    declined = (await api.get(f"/api/bookings/{rival['id']}")).json()
    assert declined["status"] == "rejected"
    step = await _do(api, step, f"occurrences/{second['id']}/reject", comment="exam day")
    assert step["status"] == "pending"
    done = await _do(api, step, f"occurrences/{third['id']}/approve")
    assert done["status"] == "approved"
    assert [o["status"] for o in done["occurrences"]] == ["approved", "rejected", "approved"]
    assert (await _history(api, series))[1:] == ["date_approved", "date_rejected", "date_approved"]


async def test_refusing_every_date_rejects_the_request(api) -> None:
    room = await make_room(instant_book=False)
    booking = await _series(api, room, count=2)
    for occurrence in booking["occurrences"]:
        booking = await _do(api, booking, f"occurrences/{occurrence['id']}/reject")
    assert booking["status"] == "rejected"


async def test_an_occurrence_of_another_booking_is_not_found(api) -> None:
    room = await make_room(instant_book=True)
    one = await _series(api, room, count=2)
    other = await _series(api, room, count=2, start="12:00", end="13:00")
    stranger = other["occurrences"][0]["id"]
    response = await _do(api, one, f"occurrences/{stranger}/cancel", expect=404)
    assert response["errors"][0]["field"] == "occurrence"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start_time": "19:00"}, "end_time"),  # would end at 11:00 the next day
        ({"start_time": "09:00", "end_time": "09:00"}, "end_time"),
        ({"rooms": [0, 0]}, "rooms"),
    ],
)
async def test_changes_from_a_date_on_that_make_no_sense_are_refused(api, change, field) -> None:
    room = await make_room(instant_book=True)
    series = await _series(api, room)
    if "rooms" in change:
        change = {"rooms": [room["id"], room["id"]]}
    refused = await _do(
        api, series, f"occurrences/{series['occurrences'][1]['id']}/change-following", 422, **change
    )
    assert refused["errors"][0]["field"] == field
    unchanged = (await api.get(f"/api/bookings/{series['id']}")).json()
    assert unchanged["version"] == series["version"]


async def test_an_evening_series_may_be_moved_past_midnight(api) -> None:
    room = await make_room(instant_book=True)
    series = await _series(api, room, start="20:00", end="22:00")
    moved = await _do(
        api,
        series,
        f"occurrences/{series['occurrences'][2]['id']}/change-following",
        start_time="22:00",
        end_time="01:00",
    )
    assert _starts(moved, "approved")[-1] == f"{day(3):%m-%d} 22:00"


async def test_buffers_that_make_a_bookings_dates_overlap_are_refused(api) -> None:
    room = await make_room(instant_book=True)
    series = await _series(api, room, start="06:00", end="23:00")
    refused = await _do(
        api, series, "buffers", 422, setup_minutes=240, teardown_minutes=240, reason="stage"
    )
    assert refused["errors"][0]["field"] == "setup_minutes"
    cancelled = await _do(api, series, "cancel")
    refused = await _do(
        api, cancelled, "buffers", 409, setup_minutes=30, teardown_minutes=30, reason="stage"
    )
    assert refused["code"] == "not_allowed_now"


async def test_buffers_move_every_dates_blocked_span_and_no_other(api, monkeypatch) -> None:
    monkeypatch.setattr(booking_writes, "UPDATE_CHUNK", 3)  # SQLite: a chunk and a part of one
    room = await make_room(instant_book=True)
    series = await _series(api, room, count=4)
    other = await _series(api, room, count=2, start="14:00", end="15:00")
    await _do(api, series, "buffers", setup_minutes=30, teardown_minutes=15, reason="stage")
    stored = await Occurrence.select(
        Occurrence.booking,
        Occurrence.starts_at,
        Occurrence.ends_at,
        Occurrence.blocked_from,
        Occurrence.blocked_until,
    ).where(Occurrence.booking.is_in([series["id"], other["id"]]))
    buffers = {
        series["id"]: (timedelta(minutes=30), timedelta(minutes=15)),
        other["id"]: (timedelta(), timedelta()),
    }
    assert sorted(row["booking"] for row in stored) == [series["id"]] * 4 + [other["id"]] * 2
    for row in stored:
        setup, teardown = buffers[row["booking"]]
        assert row["blocked_from"] == row["starts_at"] - setup
        assert row["blocked_until"] == row["ends_at"] + teardown


async def test_single_dates_of_a_cancelled_request_cannot_change(api) -> None:
    room = await make_room(instant_book=True)
    series = await _series(api, room)
    cancelled = await _do(api, series, "cancel")
    first = cancelled["occurrences"][0]
    for path, body in (
        (f"occurrences/{first['id']}/cancel", {}),
        (f"occurrences/{first['id']}/move", {"start": local(9, "10:00"), "end": local(9, "11:00")}),
    ):
        refused = await _do(api, cancelled, path, 409, **body)
        assert refused["message"] == "this request is already cancelled"


async def test_restoring_a_date_that_is_not_a_date_is_a_clear_error(api) -> None:
    room = await make_room(instant_book=True)
    series = await _series(api, room)
    refused = await _do(api, series, "skipped-dates/2027-02-30/restore", 422)
    assert refused["errors"] == [
        {
            "field": "date",
            "code": "dates.not_a_date",
            "reason": "'2027-02-30' is not a date (YYYY-MM-DD)",
        }
    ]
