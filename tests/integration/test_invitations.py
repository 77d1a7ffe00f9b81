"""Invitations of a request through its life: REQUEST when approved, REQUEST again with a higher
SEQUENCE when changed, CANCEL when cancelled; the same UID as the feeds, read by two parsers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from booking.calendars.invitations import Mailbox, Method, content_type
from booking.feeds.invitations import invitation_for
from tests.calendar_reading import expanded, expanded_by_vobject
from tests.factories import booking_body, local
from tests.integration.world import World, make_world

ZONE = ZoneInfo("Europe/Bucharest")
WIDE = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC))
ORGANIZER = Mailbox("rezervari@upt.ro", "Rezervări UPT")
ATTENDEE = Mailbox("ana@upt.ro", 'Ana "A" Popescu')


@pytest.fixture
async def world(open_client, admin) -> World:
    return await make_world(open_client, admin)


async def _do(who: Any, booking: dict[str, Any], path: str, **body: Any) -> dict[str, Any]:
    response = await who.client.post(
        f"/api/bookings/{booking['id']}/{path}", json={"version": booking["version"]} | body
    )
    assert response.status_code == 200, response.text
    return response.json()


BASE_URL = "http://127.0.0.1:8000"  # the tests' settings: the feeds' UIDs name its host


async def _invitation(booking: dict[str, Any], method: Method) -> bytes:
    return await invitation_for(booking["id"], method, ORGANIZER, ATTENDEE, "ro", BASE_URL, ZONE)


def _dates(booking: dict[str, Any], status: str = "approved") -> list[tuple[datetime, datetime]]:
    return sorted(
        (
            datetime.fromisoformat(o["start"]).astimezone(UTC),
            datetime.fromisoformat(o["end"]).astimezone(UTC),
        )
        for o in booking["occurrences"]
        if o["status"] == status
    )


def _read(body: bytes) -> tuple[str, str, int, list[tuple[datetime, datetime]]]:
    """METHOD, the one UID, the SEQUENCE, the dates; both parsers must agree."""
    calendar = icalendar.Calendar.from_ical(body)
    events = list(calendar.walk("VEVENT"))
    uids = {str(event["UID"]) for event in events}
    sequences = {int(event["SEQUENCE"]) for event in events}
    assert len(uids) == 1
    assert len(sequences) == 1
    for event in events:
        assert str(event["ORGANIZER"]) == "mailto:rezervari@upt.ro"
        attendee = event["ATTENDEE"]
        assert str(attendee) == "mailto:ana@upt.ro"
        assert attendee.params["RSVP"] == "TRUE"
        assert attendee.params["CN"] == "Ana 'A' Popescu"
    seen = expanded(body, *WIDE)
    assert [(s.start, s.end) for s in seen] == [
        (s.start, s.end) for s in expanded_by_vobject(body, *WIDE)
    ]
    vobject.readOne(body.decode())
    return str(calendar["METHOD"]), uids.pop(), sequences.pop(), [(s.start, s.end) for s in seen]


async def test_a_request_approved_changed_and_cancelled(world: World) -> None:
    body = booking_body(
        [world.room_x["id"]],
        local(0, "10:00"),
        local(0, "11:00"),
        organisation="A",
        recurrence={"frequency": "daily", "count": 4},
    )
    created = await world.requester_a.client.post("/api/bookings", json=body)
    assert created.status_code == 201, created.text
    approved = await _do(world.approver_x, created.json(), "approve")
    first = await _invitation(approved, Method.REQUEST)
    method, uid, sequence, dates = _read(first)
    assert (method, uid) == ("REQUEST", f"booking-{approved['id']}@127.0.0.1")
    assert dates == _dates(approved)
    assert f"URL;VALUE=URI:{BASE_URL}/requests/{approved['id']}".encode() in first

    feed_link = await world.requester_a.client.post("/api/feeds", json={"kind": "personal"})
    feed_path = "/" + feed_link.json()["links"]["https"].split("://", 1)[1].split("/", 1)[1]
    feed = await world.requester_a.client.get(feed_path)
    assert {s.uid for s in expanded(feed.content, *WIDE)} == {f"booking-{approved['id']}@127.0.0.1"}

    second_date = [o for o in approved["occurrences"]][1]
    changed = await _do(world.requester_a, approved, f"occurrences/{second_date['id']}/cancel")
    again = await _invitation(changed, Method.REQUEST)
    method, same_uid, later, dates = _read(again)
    assert same_uid == uid
    assert later > sequence
    assert dates == _dates(changed)
    assert len(dates) == 3

    cancelled = await _do(world.requester_a, changed, "cancel")
    ending = await _invitation(cancelled, Method.CANCEL)
    calendar = icalendar.Calendar.from_ical(ending)
    assert str(calendar["METHOD"]) == "CANCEL"
    events = list(calendar.walk("VEVENT"))
    assert {str(e["UID"]) for e in events} == {uid}
    assert {str(e["STATUS"]) for e in events} == {"CANCELLED"}
    assert {int(e["SEQUENCE"]) for e in events} == {cancelled["version"]}
    assert cancelled["version"] > later
    assert content_type(Method.CANCEL) == 'text/calendar; charset="utf-8"; method=CANCEL'


async def test_an_invitation_of_an_unknown_request_is_refused(world: World) -> None:
    from booking.core.errors import NotFound

    with pytest.raises(NotFound):
        await _invitation({"id": 999_999}, Method.REQUEST)
