"""Calendar feeds over HTTP: every kind read back by two parsers and compared with the
database, privacy of the public ones, validators and 304, tokens and their ends."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from booking.db.tables import Membership, Room
from tests.calendar_reading import expanded, expanded_by_vobject
from tests.factories import booking_body, day, local, make_room, next_last_sunday, within_a_week
from tests.integration.world import World, act, expire_hold, make_world, request

ZONE = ZoneInfo("Europe/Bucharest")
WIDE = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC))
SECRET_TITLE = "Consiliul restrâns: bugetul confidențial"
SECRET_DESCRIPTION = "Ordinea de zi nu se publică"
ORGANISER = "Maria Ionescu-Secret"
EMAIL = "maria.ionescu.secret@upt.ro"
PHONE = "+40 721 555 019"


def _at(first: date, hhmm: str) -> str:
    return f"{first.isoformat()}T{hhmm}:00"


async def _created(who: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = await who.client.post("/api/bookings", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def _do(who: Any, booking: dict[str, Any], path: str, **body: Any) -> dict[str, Any]:
    response = await who.client.post(
        f"/api/bookings/{booking['id']}/{path}", json={"version": booking["version"]} | body
    )
    assert response.status_code == 200, response.text
    return response.json()


@dataclass
class Scene:
    world: World
    series: dict[str, Any]
    private: dict[str, Any]
    pending: dict[str, Any]
    autumn: dict[str, Any]


@pytest.fixture
async def world(open_client, admin) -> World:
    return await make_world(open_client, admin)


@pytest.fixture
async def scene(world: World) -> Scene:
    """A public weekly series of department A across the spring change of clocks, with a date
    skipped (taken), one cancelled and one moved; a private request with personal details; a
    pending request; a daily series across the autumn change."""
    spring = next_last_sunday(3)
    first = spring - timedelta(days=20)  # a Friday… whatever weekday: weekly from it
    blocker = await _created(
        world.requester_b,
        booking_body(
            [world.room_x["id"]],
            _at(first + timedelta(weeks=2), "09:00"),
            _at(first + timedelta(weeks=2), "12:00"),
        ),
    )
    await _do(world.approver_x, blocker, "approve")
    await _do(
        world.finance,
        (await world.approver_x.client.get(f"/api/bookings/{blocker['id']}")).json(),
        "approve",
    )
    series = await _created(
        world.requester_a,
        booking_body(
            [world.room_x["id"]],
            _at(first, "10:00"),
            _at(first, "11:30"),
            title="Seminarul public de robotică",
            description="Intrare liberă",
            is_public=True,
            organisation="A",
            recurrence={"frequency": "weekly", "weekdays": [first.weekday()], "count": 8},
            on_conflict="skip",
        ),
    )
    assert len(series["skipped_dates"]) == 1
    series = await _do(world.approver_x, series, "approve")
    occurrences = [o for o in series["occurrences"] if o["status"] == "approved"]
    series = await _do(world.requester_a, series, f"occurrences/{occurrences[1]['id']}/cancel")
    moved_day = datetime.fromisoformat(occurrences[4]["start"]).astimezone(ZONE).date()
    series = await _do(
        world.requester_a,
        series,
        f"occurrences/{occurrences[4]['id']}/move",
        start=_at(moved_day, "15:00"),
        end=_at(moved_day, "16:45"),
    )
    assert series["change_pending"]
    series = await _do(world.approver_x, series, "approve")
    private = await _created(
        world.requester_a,
        booking_body(
            [world.room_x2["id"]],
            local(3, "09:00"),
            local(3, "10:00"),
            title=SECRET_TITLE,
            description=SECRET_DESCRIPTION,
            organiser_name=ORGANISER,
            contact_email=EMAIL,
            contact_phone=PHONE,
            organisation="A",
        ),
    )
    private = await _do(world.approver_x, private, "approve")
    pending = await request(world.requester_a, world.room_x2, "12:00", "13:00", day=4)
    autumn_day = next_last_sunday(10) - timedelta(days=2)
    autumn = await _created(
        world.requester_b,
        booking_body(
            [world.room_y["id"]],
            _at(autumn_day, "08:00"),
            _at(autumn_day, "09:00"),
            title="Atelier deschis",
            is_public=True,
            recurrence={"frequency": "daily", "count": 5},
        ),
    )
    autumn = await act(world.approver_y, autumn, "approve")
    return Scene(world, series, private, pending, autumn)


async def _database(where: str, *args: Any) -> list[tuple[datetime, datetime]]:
    """(start, end) of every slot the database holds that matches `where`, once per time."""
    rows = await Room.raw(
        "SELECT DISTINCT o.starts_at, o.ends_at FROM occurrences o"
        " JOIN bookings b ON b.id = o.booking JOIN rooms r ON r.id = o.room"
        f" WHERE {where} ORDER BY o.starts_at",
        *args,
    )
    return [(row["starts_at"].astimezone(UTC), row["ends_at"].astimezone(UTC)) for row in rows]


def _shown(body: bytes) -> list[tuple[datetime, datetime]]:
    first = expanded(body, *WIDE)
    second = expanded_by_vobject(body, *WIDE)
    assert [(s.start, s.end, s.uid, s.status) for s in first] == [
        (s.start, s.end, s.uid, s.status) for s in second
    ]
    return sorted({(s.start, s.end) for s in first})


async def _feed(client: httpx.AsyncClient, path: str, **params: Any) -> httpx.Response:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return response


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


async def _private_path(who: Any, kind: str, organisation: Any = None) -> str:
    body: dict[str, Any] = {"kind": kind} | (
        {"organisation": organisation} if organisation is not None else {}
    )
    response = await who.client.post("/api/feeds", json=body)
    assert response.status_code == 201, response.text
    return _path(response.json()["links"]["https"])


async def test_every_feed_shows_exactly_the_dates_the_database_holds(scene: Scene) -> None:
    world = scene.world
    visitor = world.requester_b.client
    holding = "o.status IN ('approved', 'held')"
    cases = [
        ("/feeds/rooms/X-1.ics", f"o.room = {world.room_x['id']} AND {holding}"),
        ("/feeds/buildings/X.ics", f"r.building = {world.building_x['id']} AND {holding}"),
        ("/feeds/buildings/Y.ics", f"r.building = {world.building_y['id']} AND {holding}"),
        ("/feeds/events.ics", "o.status = 'approved' AND b.is_public = {}"),
        (
            "/feeds/events/Y.ics",
            "o.status = 'approved' AND b.is_public = {}"
            f" AND r.building = {world.building_y['id']}",
        ),
    ]
    for path, where in cases:
        body = (await _feed(visitor, path)).content
        expected = await _database(where, *([True] if "{}" in where else []))
        assert expected, path
        assert _shown(body) == expected, path
    live = "o.status IN ('approved', 'held', 'pending', 'changes_requested')"
    personal = await _private_path(world.requester_a, "personal")
    expected = await _database(f"b.requested_by = {world.requester_a.id} AND {live}")
    assert _shown((await _feed(visitor, personal)).content) == expected
    organisation = await _private_path(world.requester_a, "organisation", "A")
    expected = await _database(f"b.organisation = {world.organisation_a['id']} AND {live}")
    assert _shown((await _feed(visitor, organisation)).content) == expected
    approvals = await _private_path(world.approver_x, "approvals")
    expected = await _database(f"b.id = {scene.pending['id']} AND {live}")
    queue = (await _feed(visitor, approvals)).content
    assert _shown(queue) == expected
    assert b"STATUS:TENTATIVE" in queue


async def test_the_series_keeps_its_wall_clock_time_and_its_moved_cancelled_and_skipped_dates(
    scene: Scene,
) -> None:
    body = (await _feed(scene.world.requester_b.client, "/feeds/rooms/X-1.ics")).content
    seen = expanded(body, *WIDE)
    ours = [s for s in seen if s.summary == "Seminarul public de robotică"]
    local_times = sorted({s.start.astimezone(ZONE).strftime("%H:%M") for s in ours})
    assert local_times == ["10:00", "15:00"]  # across the change of clocks, and the moved date
    assert len(ours) == 6  # 8 asked, one skipped, one cancelled
    assert len({s.uid for s in ours}) == 1
    assert b"RRULE:FREQ=WEEKLY" in body
    assert b"EXDATE;TZID=Europe/Bucharest:" in body
    assert b"RECURRENCE-ID;TZID=Europe/Bucharest:" in body
    assert b"X-WR-TIMEZONE:Europe/Bucharest" in body
    assert b"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" in body
    autumn = expanded(
        (await _feed(scene.world.requester_b.client, "/feeds/rooms/Y-1.ics")).content, *WIDE
    )
    assert {s.start.astimezone(ZONE).strftime("%H:%M") for s in autumn} == {"08:00"}
    assert len(autumn) == 5


async def test_public_feeds_carry_no_personal_data(scene: Scene) -> None:
    world = scene.world
    bodies = []
    for path in (
        "/feeds/rooms/X-1.ics",
        "/feeds/rooms/X-2.ics",
        "/feeds/rooms/Y-1.ics",
        "/feeds/buildings/X.ics",
        "/feeds/buildings/Y.ics",
        "/feeds/events.ics",
        "/feeds/events/X.ics",
        "/feeds/events/Y.ics",
    ):
        for language in ("ro", "en"):
            bodies.append((await _feed(world.requester_b.client, path, lang=language)).content)
    names = [world.requester_a.user["display_name"], world.requester_b.user["display_name"]]
    for body in bodies:
        text = body.replace(b"\r\n ", b"").decode()
        for secret in (SECRET_TITLE, SECRET_DESCRIPTION, ORGANISER, EMAIL, "Ana Popescu", *names):
            assert secret not in text
        unfolded = [line for line in text.split("\r\n") if not line.startswith("UID:")]
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", "\n".join(unfolded))
        assert "721" not in text
    room_x2 = bodies[2]
    assert b"SUMMARY:Ocupat" in room_x2
    english = bodies[3]
    assert b"SUMMARY:Booked" in english


async def test_the_same_data_renders_the_same_bytes_and_answers_304_to_both_validators(
    scene: Scene,
) -> None:
    client = scene.world.requester_b.client
    first = await _feed(client, "/feeds/buildings/X.ics")
    again = await _feed(client, "/feeds/buildings/X.ics")
    assert first.content == again.content
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert again.headers["etag"] == etag
    assert "no-cache" in first.headers["cache-control"]
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        unchanged = await client.get("/feeds/buildings/X.ics", headers=headers)
        assert unchanged.status_code == 304
        assert unchanged.content == b""
        assert unchanged.headers["etag"] == etag
    for garbage in ({"If-None-Match": "nonsense"}, {"If-Modified-Since": "yesterday-ish"}):
        answer = await client.get("/feeds/buildings/X.ics", headers=garbage)
        assert answer.status_code == 200
        assert answer.content == first.content
    assert "set-cookie" not in first.headers


async def _validators(client: httpx.AsyncClient, path: str, **params: Any) -> tuple[str, datetime]:
    response = await _feed(client, path, **params)
    from email.utils import parsedate_to_datetime

    return response.headers["etag"], parsedate_to_datetime(response.headers["last-modified"])


async def test_every_kind_of_change_changes_the_validators(scene: Scene) -> None:
    world = scene.world
    client = world.requester_b.client
    path = "/feeds/rooms/X-2.ics"
    seen = [await _validators(client, path)]

    async def changed() -> None:
        now = await _validators(client, path)
        assert now[0] != seen[-1][0]
        assert now[1] >= seen[-1][1]  # Last-Modified never moves backwards
        seen.append(now)

    newer = await request(world.requester_b, world.room_x2, "15:00", "16:00", day=6)
    newer = (await world.requester_b.client.get(f"/api/bookings/{newer['id']}")).json()
    await _do(world.approver_x, newer, "approve")
    newer = (await world.requester_b.client.get(f"/api/bookings/{newer['id']}")).json()
    await _do(world.finance, newer, "approve")
    await changed()  # a new booking approved
    newer = (await world.requester_b.client.get(f"/api/bookings/{newer['id']}")).json()
    await _do(world.requester_b, newer, "cancel")
    await changed()  # the newest booking cancelled: gone, and Last-Modified did not go back
    pending = (await world.requester_a.client.get(f"/api/bookings/{scene.pending['id']}")).json()
    held = await _do(world.approver_x, pending, "hold", until=within_a_week("18:00"))
    await changed()  # a hold
    await expire_hold(held["id"])
    await changed()  # the hold's time ran out, before any sweep
    renamed = await world.admin.client.patch(
        f"/api/rooms/{world.room_x2['id']}", json={"name": "Sala Mare Renovată"}
    )
    assert renamed.status_code == 200, renamed.text
    await changed()  # the room renamed
    assert "Sala Mare Renovată" in (await _feed(client, path)).text
    moved = await world.admin.client.patch(
        f"/api/buildings/{world.building_x['id']}", json={"address": "Piața Victoriei 2"}
    )
    assert moved.status_code == 200, moved.text
    await changed()  # the building's address
    assert "Piața Victoriei 2" in (await _feed(client, path)).text
    await Room.update({Room.name: "Sala Mică"}).where(Room.id == world.room_x2["id"])
    renamed_by_hand = await _validators(client, path)
    assert renamed_by_hand[0] != seen[-1][0]  # even a change by hand in the database
    later = await _validators(client, path, future_days=10)
    assert later[0] != seen[-1][0]  # another window


async def test_the_moving_window_lets_an_event_leave(scene: Scene) -> None:
    from booking.core.feeds import feed_window
    from booking.feeds import publishing

    now = datetime.now(UTC)

    def asked(moment: datetime) -> publishing.Asked:
        today = moment.astimezone(ZONE).date()
        return publishing.Asked(
            feed_window(today, None, None, None, None), "ro", moment, "https://rooms.upt.ro", ZONE
        )

    today = await publishing.room_feed(scene.world.room_x2["id"], asked(now))
    same = await publishing.room_feed(scene.world.room_x2["id"], asked(now))
    assert (today.etag, today.last_modified) == (same.etag, same.last_modified)
    # 110 days on, the private request of day 3 (at most 37 days ahead) has left the 60 days
    # shown before today.
    later_moment = now + timedelta(days=110)
    later = await publishing.room_feed(scene.world.room_x2["id"], asked(later_moment))
    assert later.etag != today.etag
    assert later.last_modified > today.last_modified
    assert b"BEGIN:VEVENT" in await today.render()
    assert b"BEGIN:VEVENT" not in await later.render()


async def test_window_limits_and_unknown_rooms_are_clear_errors(scene: Scene) -> None:
    client = scene.world.requester_b.client
    for params, field in (
        ({"past_days": -1}, "past_days"),
        ({"future_days": 4000}, "future_days"),
        ({"start": "2027-05-01", "end": "2027-04-01"}, "end"),
        ({"start": "2026-01-01", "end": "2031-06-01"}, "end"),
        ({"start": "not-a-date"}, "start"),
        ({"lang": "fr"}, "lang"),
    ):
        response = await client.get("/feeds/rooms/X-1.ics", params=params)
        assert response.status_code == 400, (params, response.text)
        assert response.headers["content-type"].startswith("application/json")
        assert field in [e["field"] for e in response.json()["errors"]], response.json()
    for path in ("/feeds/rooms/NOPE.ics", "/feeds/buildings/NOPE.ics", "/feeds/rooms/X-1"):
        missing = await client.get(path)
        assert missing.status_code == 404
        assert missing.json()["code"] == "not_found"
    narrow = await _feed(
        client, "/feeds/rooms/X-1.ics", start=day(0).isoformat(), end=day(1).isoformat()
    )
    assert narrow.content.count(b"BEGIN:VEVENT") <= 1


async def test_a_room_feed_is_the_same_by_its_id_and_by_its_code_in_any_case(scene: Scene) -> None:
    client = scene.world.requester_b.client
    by_code = await _feed(client, "/feeds/rooms/X-2.ics")
    validators = {name: by_code.headers[name] for name in ("etag", "last-modified")}
    for path in (f"/feeds/rooms/{scene.world.room_x2['id']}.ics", "/feeds/rooms/x-2.ics"):
        same = await _feed(client, path)
        assert same.content == by_code.content
        assert {name: same.headers[name] for name in validators} == validators
    for headers in (
        {"If-None-Match": validators["etag"]},
        {"If-Modified-Since": validators["last-modified"]},
    ):
        unchanged = await client.get("/feeds/rooms/x-2.ics", headers=headers)
        assert unchanged.status_code == 304
        assert unchanged.headers["etag"] == validators["etag"]
    unknown = await client.get("/feeds/rooms/999999.ics")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"


async def test_tokens_end_with_404_unknown_and_410_revoked_or_rotated(scene: Scene) -> None:
    world = scene.world
    visitor = world.requester_b.client
    unknown = await visitor.get("/feeds/private/cal_" + "x" * 43 + ".ics")
    assert unknown.status_code == 404
    created = await world.requester_a.client.post("/api/feeds", json={"kind": "personal"})
    token = created.json()["token"]
    old_path = _path(created.json()["links"]["https"])
    secret = old_path.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(secret) >= 4 + 43  # 256 random bits, url-safe
    listed = (await world.requester_a.client.get("/api/feeds")).json()
    assert [t["id"] for t in listed["private"]] == [token["id"]]
    assert secret not in str(listed)
    assert {p["kind"] for p in listed["possible"]} == {"personal", "organisation"}
    assert any(p["links"]["webcal"].startswith("webcal://") for p in listed["public"])
    rotated = await world.requester_a.client.post(f"/api/feeds/{token['id']}/rotate")
    assert rotated.status_code == 200, rotated.text
    gone = await visitor.get(old_path)
    assert gone.status_code == 410
    assert gone.json()["code"] == "gone"
    new_path = _path(rotated.json()["links"]["https"])
    assert (await visitor.get(new_path)).status_code == 200
    revoked = await world.requester_a.client.delete(f"/api/feeds/{rotated.json()['token']['id']}")
    assert revoked.status_code == 204
    assert (await visitor.get(new_path)).status_code == 410
    assert (await world.requester_a.client.get("/api/feeds")).json()["private"] == []
    others = await world.requester_b.client.delete(f"/api/feeds/{token['id']}")
    assert others.status_code == 404


async def test_who_may_make_which_private_feed(world: World) -> None:
    refused = await world.requester_b.client.post(
        "/api/feeds", json={"kind": "organisation", "organisation": "A"}
    )
    assert refused.status_code == 403
    assert (
        await world.requester_b.client.post("/api/feeds", json={"kind": "approvals"})
    ).status_code == 403
    missing = await world.requester_a.client.post("/api/feeds", json={"kind": "organisation"})
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["organisation"]
    assert (
        await world.approver_x.client.post("/api/feeds", json={"kind": "approvals"})
    ).status_code == 201
    anonymous = await httpx.AsyncClient(
        transport=world.requester_a.client._transport, base_url="http://testserver"
    ).get("/api/feeds")
    assert anonymous.status_code == 401


async def test_a_member_removed_from_the_organisation_stops_seeing_its_requests(
    scene: Scene,
) -> None:
    world = scene.world
    path = await _private_path(world.requester_a, "organisation", "A")
    before = await _feed(world.requester_b.client, path)
    assert SECRET_TITLE.encode() in before.content.replace(b"\r\n ", b"")
    await Membership.delete().where(Membership.user == world.requester_a.id)
    after = await _feed(world.requester_b.client, path)
    assert b"BEGIN:VEVENT" not in after.content
    assert after.headers["etag"] != before.headers["etag"]
    from email.utils import parsedate_to_datetime

    assert parsedate_to_datetime(after.headers["last-modified"]) >= parsedate_to_datetime(
        before.headers["last-modified"]
    )
    # The personal feed still shows what the user asked for themselves.
    personal = await _private_path(world.requester_a, "personal")
    assert SECRET_TITLE.encode() in (
        await _feed(world.requester_b.client, personal)
    ).content.replace(b"\r\n ", b"")


async def test_the_feeds_are_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/api/schema/openapi.json")).json()
    for path in (
        "/feeds/rooms/{name}",
        "/feeds/buildings/{name}",
        "/feeds/events.ics",
        "/feeds/events/{name}",
        "/feeds/private/{name}",
        "/api/feeds",
    ):
        assert path in schema["paths"], path
    assert "text/calendar" in str(schema["paths"]["/feeds/events.ics"]["get"]["responses"])


async def test_an_instant_room_booked_by_an_administrator_shows_at_once(api) -> None:
    room = await make_room(code="FAST-1", instant_book=True)
    body = booking_body(
        [room["id"]], local(1, "10:00"), local(1, "11:00"), is_public=True, title="Lansare"
    )
    assert (await api.post("/api/bookings", json=body)).status_code == 201
    feed = await api.get("/feeds/rooms/FAST-1.ics")
    assert b"SUMMARY:Lansare" in feed.content


async def test_past_dates_across_both_changes_of_2026_read_back_from_the_database(
    world: World,
) -> None:
    """Requests cannot be made for past dates, so these are written into the database as the
    write path would have left them: a weekly series across 2026-03-29 and a daily one across
    2026-10-25, each with a date cancelled."""
    from booking.db.tables import BookingRequest, Occurrence

    now = datetime.now(UTC)
    for first, step, count in ((date(2026, 3, 9), 7, 6), (date(2026, 10, 22), 1, 6)):
        rows = await BookingRequest.insert(
            BookingRequest(
                title="Curs 2026",
                organiser_name="x",
                contact_email="x@upt.ro",
                expected_attendance=10,
                is_public=True,
                status="approved",
                created_at=now,
                updated_at=now,
            )
        ).returning(BookingRequest.id)
        for n in range(count):
            start = datetime.combine(
                first + timedelta(days=step * n), datetime.min.time().replace(hour=9), ZONE
            )
            end = start + timedelta(hours=2)
            await Occurrence.insert(
                Occurrence(
                    booking=rows[0]["id"],
                    room=world.room_y["id"],
                    starts_at=start,
                    ends_at=end,
                    blocked_from=start,
                    blocked_until=end,
                    status="cancelled" if n == 2 else "approved",
                )
            )
    body = (
        await _feed(
            world.requester_b.client, "/feeds/rooms/Y-1.ics", start="2026-03-01", end="2026-11-30"
        )
    ).content
    expected = await _database(f"o.room = {world.room_y['id']} AND o.status = 'approved'")
    assert len(expected) == 10
    assert _shown(body) == expected
    seen = expanded(body, *WIDE)
    assert {s.start.astimezone(ZONE).strftime("%H:%M") for s in seen} == {"09:00"}
