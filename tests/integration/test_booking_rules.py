"""Opening hours, booking windows and blackouts: they refuse requests, skip series dates, show
in availability and the free-room search, and give way to a manager's recorded override."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from booking.db.tables import Blackout, BookingRequest
from tests.factories import booking_body, day, local, make_room, next_last_sunday
from tests.integration.world import make_world, request


@pytest.fixture
async def world(open_client, admin):
    return await make_world(open_client, admin)


def _ics(*events: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//UPT//Calendar//RO\r\n"
        + "".join(events)
        + "END:VCALENDAR\r\n"
    )


def _event(uid: str, first: int, days: int, summary: str) -> str:
    start = day(first).strftime("%Y%m%d")
    end = (day(first) + timedelta(days=days)).strftime("%Y%m%d")
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;VALUE=DATE:{start}\r\n"
        f"DTEND;VALUE=DATE:{end}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\n"
    )


async def _close_building_y_on_day_0(world, reason: str) -> None:
    response = await world.admin.client.post(
        "/api/blackouts",
        json={
            "start": local(0, "00:00"),
            "end": local(1, "00:00"),
            "reason": reason,
            "building": world.building_y["id"],
        },
    )
    assert response.status_code == 201, response.text


def _raw_event(*lines: str, uid: str = "raw@upt.ro") -> str:
    return (
        "BEGIN:VEVENT\r\nUID:"
        + uid
        + "\r\n"
        + "".join(f"{line}\r\n" for line in lines)
        + ("SUMMARY:Closed\r\nEND:VEVENT\r\n")
    )


def _daily_events(count: int) -> list[str]:
    """`count` all-day events on consecutive days from 1 January 2027."""
    return [
        _raw_event(
            f"DTSTART;VALUE=DATE:{date(2027, 1, 1) + timedelta(days=n):%Y%m%d}", uid=f"day{n}"
        )
        for n in range(count)
    ]


async def _import(who, ics: str, **params):
    return await who.client.post(
        "/api/blackouts/import",
        params=params,
        content=ics.encode(),
        headers={"Content-Type": "text/calendar"},
    )


async def test_opening_hours_refuse_closed_days_and_hours(world) -> None:
    rules = {
        "opening_hours": [{"weekday": d, "opens": "08:00", "closes": "22:00"} for d in range(5)]
    }
    path = f"/api/rooms/{world.room_y['id']}/booking-rules"
    saved = await world.approver_y.client.put(path, json=rules)
    assert saved.status_code == 200, saved.text
    assert len(saved.json()["opening_hours"]) == 5
    sunday = await world.requester_a.client.post(
        "/api/bookings",
        json=booking_body([world.room_y["id"]], local(6, "10:00"), local(6, "11:00")),
    )
    assert sunday.status_code == 422
    assert sunday.json()["errors"][0]["reason"].endswith("is closed on Sundays")
    early = await world.requester_a.client.post(
        "/api/bookings",
        json=booking_body([world.room_y["id"]], local(0, "07:00"), local(0, "09:00")),
    )
    assert early.status_code == 422
    assert "08:00–22:00 only" in early.json()["errors"][0]["reason"]
    assert (await request(world.requester_a, world.room_y, "08:00", "22:00"))["status"] == "pending"


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ({"min_notice_minutes": 60 * 24 * 60}, "at least 60 days ahead"),
        ({"max_advance_days": 7}, "at most 7 days ahead"),
    ],
)
async def test_booking_windows(world, rules, expected) -> None:
    await world.admin.client.put(f"/api/rooms/{world.room_y['id']}/booking-rules", json=rules)
    response = await world.requester_a.client.post(
        "/api/bookings",
        json=booking_body([world.room_y["id"]], local(0, "10:00"), local(0, "11:00")),
    )
    assert response.status_code == 422
    assert expected in response.json()["errors"][0]["reason"]


@pytest.mark.parametrize(
    ("hours", "problem"),
    [
        ([{"weekday": 0, "opens": "18:00", "closes": "08:00"}], "closes must be after opens"),
        (
            [
                {"weekday": 1, "opens": "08:00", "closes": "14:00"},
                {"weekday": 1, "opens": "13:00", "closes": "20:00"},
            ],
            "overlap",
        ),
    ],
)
async def test_bad_opening_hours_are_refused(world, hours, problem) -> None:
    path = f"/api/rooms/{world.room_y['id']}/booking-rules"
    response = await world.admin.client.put(path, json={"opening_hours": hours})
    assert response.status_code == 422
    assert problem in response.json()["errors"][0]["reason"]
    assert (await world.admin.client.get(path)).json()["opening_hours"] == []


async def test_a_blackout_lists_what_it_hits_and_blocks_new_requests(world) -> None:
    existing = await request(world.requester_a, world.room_x, day=2)
    created = await world.approver_x.client.post(
        "/api/blackouts",
        json={
            "start": local(2, "00:00"),
            "end": local(3, "00:00"),
            "reason": "Mentenanță instalație electrică",
            "building": world.building_x["id"],
        },
    )
    assert created.status_code == 201, created.text
    assert [a["booking_id"] for a in created.json()["affected"]] == [existing["id"]]
    refused = await world.requester_a.client.post(
        "/api/bookings",
        json=booking_body([world.room_x2["id"]], local(2, "10:00"), local(2, "11:00")),
    )
    assert refused.status_code == 422
    assert "closed: Mentenanță instalație electrică" in refused.json()["errors"][0]["reason"]
    availability = await world.requester_a.client.get(
        f"/api/rooms/{world.room_x2['id']}/availability",
        params={"start": local(2, "00:00"), "end": local(3, "00:00")},
    )
    assert [c["reason"] for c in availability.json()["closed"]] == [
        "Mentenanță instalație electrică"
    ]
    free = await world.requester_a.client.get(
        "/api/rooms", params={"free_start": local(2, "10:00"), "free_end": local(2, "11:00")}
    )
    assert [r["code"] for r in free.json()] == ["Y-1"]
    elsewhere = await request(world.requester_a, world.room_y, day=2)
    assert elsewhere["status"] == "pending"


async def test_a_series_skips_blacked_out_dates_with_the_reason(world) -> None:
    await world.admin.client.post(
        "/api/blackouts",
        json={"start": local(1, "00:00"), "end": local(2, "00:00"), "reason": "Ziua UPT"},
    )
    series = await request(
        world.requester_a,
        world.room_y,
        recurrence={"frequency": "daily", "count": 3},
        on_conflict="skip",
    )
    assert len(series["occurrences"]) == 2
    assert series["skipped_dates"] == [{"date": day(1).isoformat(), "reason": "closed: Ziua UPT"}]


async def test_managers_may_override_with_a_recorded_reason(world) -> None:
    await _close_building_y_on_day_0(world, "Sesiune de examene")
    body = booking_body([world.room_y["id"]], local(0, "10:00"), local(0, "11:00"))
    forbidden = await world.requester_a.client.post(
        "/api/bookings", json=body | {"override_reason": "urgent"}
    )
    assert forbidden.status_code == 403
    done = await world.approver_y.client.post(
        "/api/bookings", json=body | {"override_reason": "Senatul se reunește de urgență"}
    )
    assert done.status_code == 201, done.text
    created = (
        await world.approver_y.client.get(f"/api/bookings/{done.json()['id']}/history")
    ).json()[0]
    assert created["details"]["override_reason"] == "Senatul se reunește de urgență"
    assert created["details"]["overridden"] == [f"{day(0).isoformat()}: closed: Sesiune de examene"]


async def test_an_override_needs_a_real_reason_and_a_submitted_request(world) -> None:
    body = booking_body([world.room_y["id"]], local(0, "10:00"), local(0, "11:00"))
    blank = await world.approver_y.client.post(
        "/api/bookings", json=body | {"override_reason": "   "}
    )
    assert blank.status_code == 422
    assert blank.json()["errors"][0]["field"] == "override_reason"
    draft = await world.approver_y.client.post(
        "/api/bookings", json=body | {"override_reason": "Senat", "submit": False}
    )
    assert draft.status_code == 422
    assert "submit" in draft.json()["errors"][0]["reason"]
    assert await BookingRequest.count() == 0


async def test_a_room_may_close_at_midnight(world) -> None:
    path = f"/api/rooms/{world.room_y['id']}/booking-rules"
    hours = [{"weekday": d, "opens": "08:00", "closes": "24:00"} for d in range(7)]
    saved = await world.approver_y.client.put(path, json={"opening_hours": hours})
    assert saved.status_code == 200, saved.text
    assert {h["closes"] for h in saved.json()["opening_hours"]} == {"24:00"}
    late = booking_body([world.room_y["id"]], local(0, "22:00"), local(1, "00:00"))
    response = await world.requester_a.client.post("/api/bookings", json=late)
    assert response.status_code == 201, response.text


async def test_the_blackouts_of_a_room_include_its_buildings_and_everywheres(world) -> None:
    for scope, reason in (
        ({"room": world.room_y["id"]}, "Zugrăveli"),
        ({"building": world.building_y["id"]}, "Inventar"),
        ({}, "Crăciun"),
        ({"building": world.building_x["id"]}, "Altă clădire"),
    ):
        created = await world.admin.client.post(
            "/api/blackouts",
            json={"start": local(0, "00:00"), "end": local(1, "00:00"), "reason": reason} | scope,
        )
        assert created.status_code == 201, created.text
    listed = await world.requester_a.client.get(
        "/api/blackouts", params={"room": world.room_y["id"]}
    )
    assert sorted(b["reason"] for b in listed.json()) == ["Crăciun", "Inventar", "Zugrăveli"]
    listed = await world.requester_a.client.get(
        "/api/blackouts", params={"building": world.building_y["id"]}
    )
    assert sorted(b["reason"] for b in listed.json()) == ["Crăciun", "Inventar", "Zugrăveli"]
    a_year_and_more = await world.requester_a.client.get(
        "/api/blackouts", params={"start": local(0, "00:00"), "end": local(500, "00:00")}
    )
    assert a_year_and_more.status_code == 200, a_year_and_more.text
    assert len(a_year_and_more.json()) == 4


async def test_moving_a_date_into_a_blackout_is_refused(world) -> None:
    pending = await request(world.requester_a, world.room_y)
    await world.admin.client.post(
        "/api/blackouts",
        json={"start": local(5, "00:00"), "end": local(6, "00:00"), "reason": "Inventar"},
    )
    moved = await world.requester_a.client.post(
        f"/api/bookings/{pending['id']}/occurrences/{pending['occurrences'][0]['id']}/move",
        json={"version": 1, "start": local(5, "10:00"), "end": local(5, "11:00")},
    )
    assert moved.status_code == 422
    assert "closed: Inventar" in moved.json()["errors"][0]["reason"]
    path = f"/api/bookings/{pending['id']}/occurrences/{pending['occurrences'][0]['id']}/move"
    body = {"version": 1, "start": local(5, "10:00"), "end": local(5, "11:00")}
    claimed = await world.requester_a.client.post(path, json=body | {"override_reason": "please"})
    assert claimed.status_code == 403
    forced = await world.admin.client.post(path, json=body | {"override_reason": "inventar amânat"})
    assert forced.status_code == 200, forced.text
    entry = (await world.admin.client.get(f"/api/bookings/{pending['id']}/history")).json()[-1]
    assert entry["details"]["override_reason"] == "inventar amânat"
    assert entry["details"]["overridden"] == [f"{day(5).isoformat()}: closed: Inventar"]


async def test_importing_an_academic_calendar_is_idempotent(world) -> None:
    ics = _ics(
        _event("craciun@upt.ro", 10, 14, "Vacanța de iarnă"),
        _event("paste@upt.ro", 40, 3, "Paște"),
    )
    first = await _import(world.admin, ics)
    assert first.status_code == 201, first.text
    assert (first.json()["created"], first.json()["unchanged"]) == (2, 0)
    again = await _import(world.admin, ics)
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (
        0,
        0,
        2,
    )
    changed = await _import(world.admin, ics.replace("Paște", "Paștele ortodox"))
    assert (changed.json()["updated"], changed.json()["unchanged"]) == (1, 1)
    assert await Blackout.count() == 2
    listed = (await world.requester_a.client.get("/api/blackouts")).json()
    assert [b["reason"] for b in listed] == ["Vacanța de iarnă", "Paștele ortodox"]
    holiday = listed[0]
    assert holiday["start"].startswith(day(10).isoformat() + "T00:00:00")
    assert holiday["end"].startswith(day(24).isoformat() + "T00:00:00")
    refused = await world.requester_a.client.post(
        "/api/bookings",
        json=booking_body([world.room_y["id"]], local(12, "10:00"), local(12, "11:00")),
    )
    assert refused.status_code == 422


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        ("this is not a calendar", 422, "not an iCalendar"),
        (_ics(), 422, "no events"),
        (
            _ics(_event("a@upt.ro", 1, 3, "Unu"), _event("b@upt.ro", 2, 3, "Doi")),
            422,
            "overlaps",
        ),
        (
            _ics(
                _event("r@upt.ro", 1, 1, "Weekly").replace(
                    "END:VEVENT", "RRULE:FREQ=WEEKLY\r\nEND:VEVENT"
                )
            ),
            422,
            "repeating events",
        ),
        ("BEGIN:VCALENDAR\r\n" + "X" * (5 * 1024 * 1024 + 10), 413, None),
        (
            _ics(_raw_event("DTSTART:20270101T100000Z", "DTSTART:20270102T100000Z")),
            422,
            "2 DTSTART",
        ),
        (_ics(_raw_event("DTSTART:garbage", "DTEND:20270102T100000Z")), 422, "unreadable DTSTART"),
        (_ics(_raw_event("DTSTART;VALUE=DATE:99991231")), 422, "year between"),
        (_ics(_raw_event("DTSTART;VALUE=DATE:00010101", "DTEND;VALUE=DATE:00010102")), 422, "year"),
        (_ics(_raw_event("DTSTART;VALUE=DATE:19000101", "DTEND;VALUE=DATE:19000102")), 422, "year"),
        (_ics(_raw_event("DTSTART:20270328T033000", "DTEND:20270328T043000")), 422, "not exist"),
        (_ics(_raw_event("DTSTART:20271031T033000", "DTEND:20271031T050000")), 422, "twice"),
        (
            _ics(_raw_event("DTSTART;TZID=Mars/Olympus:20270101T100000", "DURATION:PT1H")),
            422,
            "unknown time zone",
        ),
        (_ics(_raw_event("DTSTART:20270101T100000Z")), 422, "neither DTEND nor DURATION"),
        (_ics(_raw_event("DTSTART:20270101T100000Z", "RDATE:20270105T100000Z")), 422, "repeating"),
        (_ics(_raw_event("DTSTART;VALUE=DATE:20270101", uid="u" * 300)), 422, "UID longer"),
        (
            _ics(_raw_event("DTSTART;VALUE=DATE:20270101", "DURATION:-P999999D")),
            422,
            "not positive",
        ),
        (
            _ics(
                _raw_event(
                    "DTSTART;TZID=Europe:20261231T100000", "DTEND;TZID=Europe:20261231T110000"
                )
            ),
            422,
            "names no time zone",
        ),
        (
            _ics(
                _raw_event(
                    "DTSTART;TZID=Europe/Bucharest:20270328T033000",
                    "DTEND;TZID=Europe/Bucharest:20270328T043000",
                )
            ),
            422,
            "not exist",
        ),
        (
            _ics(
                _raw_event(
                    "DTSTART;TZID=Europe/Bucharest:20271031T033000",
                    "DTEND;TZID=Europe/Bucharest:20271031T050000",
                )
            ),
            422,
            "twice",
        ),
        (
            _ics(_raw_event("DTSTART;VALUE=DATE:20270101", "UID:second")),
            422,
            "2 UID lines",
        ),
        (
            _ics(_raw_event("DTSTART;VALUE=DATE:20270101", "STATUS:CANCELLED", "STATUS:CONFIRMED")),
            422,
            "2 STATUS lines",
        ),
        (
            _ics(_raw_event("DTSTART;VALUE=DATE:20270101", "DTEND:20270101T100000Z")),
            422,
            "both be dates",
        ),
        (
            _ics(_raw_event("DTSTART;VALUE=DATE:20270101", "STATUS:NEEDS-ACTION")),
            422,
            "TENTATIVE, CONFIRMED or CANCELLED",
        ),
        (
            _ics(_raw_event("DTSTART;VALUE=DATE:20270101", "SUMMARY:again")),
            422,
            "2 SUMMARY lines",
        ),
        (
            _ics(_raw_event("DTSTART;VALUE=DATE:20270101", "DURATION:P1DT5H")),
            422,
            "whole days or weeks",
        ),
        (
            _ics(_raw_event("DTSTART:20270105T100030Z", "DURATION:PT1H")),
            422,
            "whole minutes",
        ),
        (
            _ics(_raw_event("DTSTART:20270105T100000Z", "DURATION:PT30S")),
            422,
            "whole minutes",
        ),
        (
            _ics(_raw_event("DTSTART:90001231T120000Z", "DURATION:P300D")),
            422,
            "after the year 9000",
        ),
        (_ics(*_daily_events(2001)), 422, "more than 2000 events"),
        (
            # Folded lines: BEGIN:VEVENT is only found once the lines are unfolded.
            _ics(*_daily_events(2001)).replace("BEGIN:VEVENT", "BEGIN:VEV\r\n ENT"),
            422,
            "more than 2000 events",
        ),
        (
            _ics(
                _raw_event("DTSTART;VALUE=DATE:20270101", uid="same"),
                _raw_event("DTSTART;VALUE=DATE:20270105", "STATUS:CANCELLED", uid="same"),
            ),
            422,
            "share one UID",
        ),
    ],
    ids=[
        "not-ics",
        "empty",
        "overlapping-lines",
        "rrule",
        "over-5-MB",
        "two-starts",
        "garbage-start",
        "year-9999",
        "year-1",
        "year-1900",
        "spring-forward-gap",
        "fall-back-twice",
        "unknown-zone",
        "no-end",
        "rdate",
        "long-uid",
        "negative-duration",
        "tzid-folder",
        "tzid-gap",
        "tzid-twice",
        "two-uids",
        "two-statuses",
        "date-and-time",
        "todo-status",
        "two-summaries",
        "whole-day-with-hours",
        "seconds-in-start",
        "seconds-long",
        "ends-after-9000",
        "too-many-events",
        "too-many-folded-events",
        "uid-cancelled-and-live",
    ],
)
async def test_bad_calendar_files_are_refused_and_change_nothing(
    world, body, status, problem
) -> None:
    response = await _import(world.admin, body)
    assert response.status_code == status, response.text
    error = response.json()
    assert set(error) >= {"status", "code", "message", "errors"}
    if problem:
        assert any(problem in e["reason"] for e in error["errors"]), error
    assert await Blackout.count() == 0


async def test_a_refused_event_is_named_in_the_readers_language(world) -> None:
    untitled = (
        "BEGIN:VEVENT\r\nUID:bare@upt.ro\r\nDTSTART;VALUE=DATE:20270102\r\n"
        "RRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"
    )
    calendar = _ics(_raw_event("DTSTART;VALUE=DATE:20270101", "RRULE:FREQ=DAILY"), untitled)
    for language, fields in (
        ("en", ["event 1 (Closed)", "event 2 (closed)"]),
        ("ro", ["evenimentul 1 (Closed)", "evenimentul 2 (închidere)"]),
    ):
        changed = await world.admin.client.patch("/api/auth/me", json={"language": language})
        assert changed.status_code == 200, changed.text
        response = await _import(world.admin, calendar)
        assert response.status_code == 422, response.text
        errors = response.json()["errors"]
        assert [e["field"] for e in errors] == fields
        assert {e["code"] for e in errors} == {"calendar.repeating"}
    assert await Blackout.count() == 0


async def test_durations_and_cancelled_events_of_a_calendar(world) -> None:
    week = _raw_event(f"DTSTART;VALUE=DATE:{day(1):%Y%m%d}", "DURATION:P7D", uid="week@upt.ro")
    talk = _raw_event(f"DTSTART:{day(20):%Y%m%d}T080000Z", "DURATION:PT2H", uid="talk@upt.ro")
    first = await _import(world.admin, _ics(week, talk), building=world.building_y["id"])
    assert first.status_code == 201, first.text
    spans = sorted((b["start"], b["end"]) for b in first.json()["blackouts"])
    assert spans == [
        (f"{day(1).isoformat()}T00:00:00+02:00", f"{day(8).isoformat()}T00:00:00+02:00"),
        (f"{day(20).isoformat()}T10:00:00+02:00", f"{day(20).isoformat()}T12:00:00+02:00"),
    ]
    cancelled = talk.replace("END:VEVENT", "STATUS:CANCELLED\r\nEND:VEVENT")
    again = await _import(world.admin, _ics(week, cancelled), building=world.building_y["id"])
    assert again.status_code == 201, again.text
    assert (again.json()["unchanged"], again.json()["removed"]) == (1, 1)
    assert await Blackout.count() == 1


async def test_a_duration_in_days_keeps_the_wall_clock_across_a_clock_change(world) -> None:
    autumn = next_last_sunday(10)
    eve = autumn - timedelta(days=1)
    event = _raw_event(f"DTSTART;TZID=Europe/Bucharest:{eve:%Y%m%d}T100000", "DURATION:P1D")
    response = await _import(world.admin, _ics(event), building=world.building_y["id"])
    assert response.status_code == 201, response.text
    (blackout,) = response.json()["blackouts"]
    assert blackout["end"] == f"{autumn.isoformat()}T10:00:00+02:00"


async def test_text_with_a_nul_character_is_refused_on_both_engines(world) -> None:
    client = world.admin.client
    blackout = {"start": local(0, "00:00"), "end": local(1, "00:00"), "reason": "a\u0000b"}
    response = await client.post("/api/blackouts", json=blackout)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {
            "field": "reason",
            "code": "text.nul",
            "reason": "may not contain the NUL character (\\u0000)",
        }
    ]
    # An escaped backslash followed by "u0000" is ordinary text.
    harmless = await client.post("/api/blackouts", json=blackout | {"reason": "a\\u0000b"})
    assert harmless.status_code == 201, harmless.text
    assert harmless.json()["blackout"]["reason"] == "a\\u0000b"
    nested = await client.post(
        "/api/bookings",
        json=booking_body([world.room_y["id"]], local(2, "10:00"), local(2, "11:00"))
        | {"organiser_name": "x\u0000", "recurrence": {"frequency": "week\u0000ly"}},
    )
    assert nested.status_code == 422, nested.text
    fields = [e["field"] for e in nested.json()["errors"]]
    assert fields == ["organiser_name", "recurrence.frequency"]
    # Litestar reads a JSON body whatever its Content-Type says; the check does too.
    body = booking_body([world.room_y["id"]], local(2, "10:00"), local(2, "11:00"))
    raw = json.dumps(body | {"title": "A\u0000B"}).encode()
    for headers in ({"content-type": "text/plain"}, {"content-type": ""}):
        disguised = await client.post("/api/bookings", content=raw, headers=headers)
        assert disguised.status_code == 422, disguised.text
        assert [e["field"] for e in disguised.json()["errors"]] == ["title"]
    query = await client.get("/api/bookings", params={"organisation": "a\u0000"})
    assert query.status_code == 422, query.text
    assert query.json()["errors"][0]["field"] == "organisation"
    calendar = _ics(_raw_event("DTSTART;VALUE=DATE:20270101", "SUMMARY:a\u0000b"))
    imported = await _import(world.admin, calendar)
    assert imported.status_code == 422, imported.text
    assert await Blackout.count() == 1


async def test_a_blackout_is_given_in_whole_minutes(world) -> None:
    response = await world.admin.client.post(
        "/api/blackouts",
        json={
            "start": local(0, "10:00").replace(":00:00", ":00:30"),
            "end": local(1, "00:00"),
            "reason": "x",
        },
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {
            "field": "start",
            "code": "time.whole_minutes",
            "reason": "give whole minutes (seconds must be zero)",
        }
    ]


async def test_an_import_lists_each_affected_booking_once(world) -> None:
    long = booking_body([world.room_y["id"]], local(4, "10:00"), local(6, "10:00"))
    booked = await world.admin.client.post("/api/bookings", json=long)
    assert booked.status_code == 201, booked.text
    events = _ics(_event("d4@upt.ro", 4, 1, "Unu"), _event("d5@upt.ro", 5, 1, "Doi"))
    response = await _import(world.admin, events, building=world.building_y["id"])
    assert response.status_code == 201, response.text
    assert [a["booking_id"] for a in response.json()["affected"]] == [booked.json()["id"]]


async def test_a_calendar_of_many_events_is_stored_and_matched_whole(world) -> None:
    """More events than one statement stores: every one is created, matched again by UID on
    the next import, and each booking under any of them is listed."""
    hours = 1200  # one-hour closures, every other hour from day 30 on
    first = day(30)
    booked = [
        await world.admin.client.post(
            "/api/bookings",
            json=booking_body([world.room_y["id"]], local(30 + n, "10:30"), local(30 + n, "11:30")),
        )
        for n in (0, 50)
    ]
    assert all(b.status_code == 201 for b in booked), [b.text for b in booked]

    def calendar(changed: int | None = None, cancelled: int | None = None) -> str:
        events = []
        for n in range(hours):
            start = f"{first + timedelta(days=n // 12):%Y%m%d}T{(n % 12) * 2:02d}0000"
            lines = [f"DTSTART;TZID=Europe/Bucharest:{start}", "DURATION:PT1H"]
            if n == cancelled:
                lines.append("STATUS:CANCELLED")
            summary = "moved" if n == changed else f"closed {n}"
            events.append(
                f"BEGIN:VEVENT\r\nUID:h{n}\r\n"
                + "".join(f"{line}\r\n" for line in lines)
                + f"SUMMARY:{summary}\r\nEND:VEVENT\r\n"
            )
        return _ics(*events)

    building = world.building_y["id"]
    created = await _import(world.admin, calendar(), building=building)
    assert created.status_code == 201, created.text
    report = created.json()
    assert (report["created"], len(report["blackouts"])) == (hours, hours)
    # 10:30-11:30 falls in the 10:00-11:00 closure of its day.
    assert sorted(a["booking_id"] for a in report["affected"]) == sorted(
        b.json()["id"] for b in booked
    )
    again = await _import(world.admin, calendar(changed=7, cancelled=900), building=building)
    assert again.status_code == 201, again.text
    counts = {k: again.json()[k] for k in ("created", "updated", "unchanged", "removed")}
    assert counts == {"created": 0, "updated": 1, "unchanged": hours - 2, "removed": 1}
    assert await Blackout.count() == hours - 1


async def test_a_request_sent_back_can_be_resubmitted_with_an_override(world) -> None:
    await _close_building_y_on_day_0(world, "Examene")
    body = booking_body([world.room_y["id"]], local(0, "10:00"), local(0, "11:00"))
    created = await world.approver_y.client.post(
        "/api/bookings", json=body | {"override_reason": "Senat"}
    )
    assert created.status_code == 201, created.text
    booking = created.json()
    sent_back = await world.approver_y.client.post(
        f"/api/bookings/{booking['id']}/request-changes",
        json={"version": booking["version"], "comment": "the title"},
    )
    version = sent_back.json()["version"]
    refused = await world.approver_y.client.post(
        f"/api/bookings/{booking['id']}/submit", json={"version": version}
    )
    assert refused.status_code == 422
    resubmitted = await world.approver_y.client.post(
        f"/api/bookings/{booking['id']}/submit",
        json={"version": version, "override_reason": "Senat, again"},
    )
    assert resubmitted.status_code == 200, resubmitted.text
    assert resubmitted.json()["status"] == "pending"


async def test_a_calendar_sent_as_a_form_is_refused_with_advice(world) -> None:
    response = await world.admin.client.post(
        "/api/blackouts/import", files={"file": ("a.ics", _ics(_event("f@upt.ro", 1, 1, "F")))}
    )
    assert response.status_code == 422
    assert "text/calendar" in response.json()["errors"][0]["reason"]


@pytest.mark.parametrize(
    "content_type", [None, "", "text/plain", "application/octet-stream", "text/calendar-x"]
)
async def test_a_calendar_without_its_content_type_is_refused(world, content_type) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = await world.admin.client.post(
        "/api/blackouts/import",
        content=_ics(_event("t@upt.ro", 1, 1, "T")).encode(),
        headers=headers,
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["status"], body["code"]) == (422, "invalid")
    (error,) = body["errors"]
    assert error["field"] == "body"
    assert "Content-Type text/calendar" in error["reason"]
    assert await Blackout.count() == 0


async def test_a_calendar_may_name_its_charset_in_any_case(world) -> None:
    response = await world.admin.client.post(
        "/api/blackouts/import",
        content=_ics(_event("c@upt.ro", 1, 1, "C")).encode(),
        headers={"Content-Type": "Text/Calendar; charset=UTF-8"},
    )
    assert response.status_code == 201, response.text


async def test_blackouts_of_other_buildings_are_not_an_approvers_to_set(world) -> None:
    body = {
        "start": local(1, "00:00"),
        "end": local(2, "00:00"),
        "reason": "x",
        "building": world.building_y["id"],
    }
    assert (await world.approver_x.client.post("/api/blackouts", json=body)).status_code == 403
    everywhere = body | {"building": None}
    assert (
        await world.approver_x.client.post("/api/blackouts", json=everywhere)
    ).status_code == 403
    assert await Blackout.count() == 0


async def test_a_blackout_can_be_removed(world) -> None:
    made = await world.admin.client.post(
        "/api/blackouts",
        json={"start": local(1, "00:00"), "end": local(2, "00:00"), "reason": "Greșeală"},
    )
    blackout_id = made.json()["blackout"]["id"]
    assert (await world.admin.client.delete(f"/api/blackouts/{blackout_id}")).status_code == 204
    assert (await request(world.requester_a, world.room_y, day=1))["status"] == "pending"
    assert (await world.admin.client.get(f"/api/blackouts/{blackout_id}")).status_code == 404


async def test_an_approved_instant_room_keeps_its_rules(world) -> None:
    room = await make_room(world.building_y, instant_book=True)
    await world.admin.client.put(
        f"/api/rooms/{room['id']}/booking-rules",
        json={
            "opening_hours": [{"weekday": d, "opens": "09:00", "closes": "17:00"} for d in range(7)]
        },
    )
    inside = await request(world.requester_a, room, "09:00", "17:00")
    assert inside["status"] == "approved"
    late = await world.requester_a.client.patch(
        f"/api/bookings/{inside['id']}", json={"version": 1, "end": local(0, "18:00")}
    )
    assert late.status_code == 422


async def test_an_approver_sets_a_bookings_own_buffers(world) -> None:
    room = await make_room(
        world.building_y, instant_book=True, setup_minutes=30, teardown_minutes=30
    )
    first = await request(world.requester_a, room, "10:00", "11:00")
    assert first["occurrences"][0]["blocked_until"][11:16] == "11:30"
    body = booking_body([room["id"]], local(0, "11:00"), local(0, "12:00"))
    assert (await world.requester_a.client.post("/api/bookings", json=body)).status_code == 409
    path = f"/api/bookings/{first['id']}/buffers"
    change = {"version": 1, "setup_minutes": 0, "teardown_minutes": 0, "reason": "no catering"}
    assert (await world.requester_a.client.post(path, json=change)).status_code == 403
    # X's approver does not see A's private request in building Y at all.
    assert (await world.approver_x.client.post(path, json=change)).status_code == 404
    narrowed = await world.approver_y.client.post(path, json=change)
    assert narrowed.status_code == 200, narrowed.text
    occurrence = narrowed.json()["occurrences"][0]
    assert (occurrence["blocked_from"][11:16], occurrence["blocked_until"][11:16]) == (
        "10:00",
        "11:00",
    )
    entry = (await world.approver_y.client.get(f"/api/bookings/{first['id']}/history")).json()[-1]
    assert (entry["action"], entry["comment"]) == ("buffers_changed", "no catering")
    assert entry["changes"] == {"setup_minutes": [None, 0], "teardown_minutes": [None, 0]}
    second = await world.requester_a.client.post(
        "/api/bookings", json=booking_body([room["id"]], local(0, "11:30"), local(0, "12:00"))
    )
    assert second.status_code == 201, second.text
    widened = await world.approver_y.client.post(
        path,
        json={"version": 2, "setup_minutes": 0, "teardown_minutes": 60, "reason": "big stage"},
    )
    assert widened.status_code == 409
    assert widened.json()["conflicts"][0]["booking_id"] == second.json()["id"]
    bad = await world.approver_y.client.post(
        path, json={"version": 2, "setup_minutes": 600, "teardown_minutes": 0, "reason": ""}
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"setup_minutes", "reason"}
