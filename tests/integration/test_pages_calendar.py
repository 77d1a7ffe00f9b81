"""The building calendar: its data for the graphical calendar and its list per room, each
scoped as the API scopes availability and requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.factories import Person, day, local
from tests.integration.world import World, act, make_world, request


async def _scene(open_client: Callable[..., httpx.AsyncClient], admin: Person) -> World:
    """In building X on day 0: a public approved lecture in X-1 (10:00-11:00), a private
    approved meeting of A in X-1 (14:00-15:00), A's pending request in X-2 (12:00-13:00),
    X-2 closed 16:00-18:00, and X-2 open only 08:00-20:00 on that weekday."""
    world = await make_world(open_client, admin)
    lecture = await request(
        world.requester_a, world.room_x, "10:00", "11:00", title="Prelegere", is_public=True
    )
    await act(world.approver_x, lecture, "approve")
    meeting = await request(world.requester_a, world.room_x, "14:00", "15:00", title="Secret A")
    await act(world.approver_x, meeting, "approve")
    await request(world.requester_a, world.room_x2, "12:00", "13:00", title="Cererea lui A")
    closure = await admin.client.post(
        "/api/blackouts",
        json={
            "start": local(0, "16:00"),
            "end": local(0, "18:00"),
            "reason": "Renovare",
            "room": world.room_x2["id"],
        },
    )
    assert closure.status_code == 201, closure.text
    weekday = day(0).weekday()
    rules = await admin.client.put(
        f"/api/rooms/{world.room_x2['id']}/booking-rules",
        json={"opening_hours": [{"weekday": weekday, "opens": "08:00", "closes": "20:00"}]},
    )
    assert rules.status_code == 200, rules.text
    return world


async def _data(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get(
        "/calendar/X/data", params={"start": local(0, "00:00"), "end": local(1, "00:00")}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _events(body: dict[str, Any], kind: str, room: str) -> list[dict[str, Any]]:
    return [
        e for e in body["events"] if e["extendedProps"]["kind"] == kind and e["resourceId"] == room
    ]


async def test_data_lists_rooms_bookings_closures_hours_and_own_pending(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await _scene(open_client, admin)
    body = await _data(world.requester_a.client)
    assert [r["id"] for r in body["resources"]] == ["X-1", "X-2"]
    assert body["zone"] == "Europe/Bucharest"
    lecture, meeting = _events(body, "busy", "X-1")
    assert (lecture["start"], lecture["end"]) == (local(0, "10:00"), local(0, "11:00"))
    assert lecture["extendedProps"]["title"] == "Prelegere"
    assert meeting["extendedProps"]["title"] == "Secret A"
    assert meeting["extendedProps"]["own"] is True
    [mine] = _events(body, "mine", "X-2")
    assert mine["start"] == local(0, "12:00")
    assert mine["extendedProps"]["status"] == "pending"
    # Drawn apart not by colour alone: its own class (a dashed border) and words in its title.
    assert "cal-mine" in mine["classNames"]
    assert mine["title"].startswith("◷")
    assert "Cererea lui A" in mine["title"]
    assert "pending" in mine["title"] or "în așteptare" in mine["title"]
    [closure] = _events(body, "closure", "X-2")
    assert closure["extendedProps"]["title"] == "Renovare"
    assert (closure["start"], closure["end"]) == (local(0, "16:00"), local(0, "18:00"))
    closed = _events(body, "closed", "X-2")
    assert [(e["start"], e["end"], e["display"]) for e in closed] == [
        (local(0, "00:00"), local(0, "08:00"), "background"),
        (local(0, "20:00"), local(1, "00:00"), "background"),
    ]
    assert not _events(body, "closed", "X-1")  # no opening hours: open at all times


async def test_another_organisation_sees_neither_the_pending_request_nor_private_titles(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await _scene(open_client, admin)
    body = await _data(world.requester_b.client)
    assert not [e for e in body["events"] if e["extendedProps"]["kind"] == "mine"]
    lecture, meeting = _events(body, "busy", "X-1")
    assert lecture["extendedProps"]["title"] == "Prelegere"
    assert meeting["extendedProps"]["title"] is None
    assert meeting["extendedProps"]["own"] is False
    text = str(body)
    assert "Secret A" not in text
    assert "Cererea lui A" not in text


async def test_a_visitor_sees_busy_spans_without_private_titles(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await _scene(open_client, admin)
    body = await _data(open_client())
    busy = _events(body, "busy", "X-1")
    assert [e["extendedProps"]["title"] for e in busy] == ["Prelegere", None]
    assert not [e for e in body["events"] if e["extendedProps"]["kind"] == "mine"]
    assert "Secret A" not in str(body)
    assert "Cererea lui A" not in str(body)
    assert world.room_x2["code"] in [r["id"] for r in body["resources"]]


async def test_the_page_renders_the_list_by_room(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await _scene(open_client, admin)
    response = await world.requester_a.client.get(
        "/calendar/x", params={"date": day(0).isoformat()}
    )
    assert response.status_code == 200
    html = response.text
    assert 'id="room-list"' in html
    assert "10:00–11:00" in html
    assert "Prelegere" in html
    assert "Secret A" in html
    assert "Cererea lui A" in html
    assert "cal-item--mine" in html
    assert "16:00–18:00" in html
    assert "Renovare" in html
    assert "00:00–08:00" in html  # outside the opening hours of X-2
    # A free period leads to the booking form with the room, the date and the times.
    assert f"/book?room=X-2&amp;date={day(0).isoformat()}&amp;start=08:00&amp;end=09:00" in html
    # The graphical calendar's script and style load here, its config in data- attributes.
    assert "vendor/event-calendar.min.js" in html
    assert "calendar.js" in html
    assert 'data-data-url="/calendar/X/data"' in html
    assert "<script>" not in html

    visitor = await open_client().get("/calendar/X", params={"date": day(0).isoformat()})
    assert visitor.status_code == 200
    assert "Prelegere" in visitor.text
    assert "Secret A" not in visitor.text
    assert "Cererea lui A" not in visitor.text


async def test_the_week_and_the_choice_of_building(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await _scene(open_client, admin)
    visitor = open_client()
    index = await visitor.get("/calendar")
    assert index.status_code == 200
    assert 'href="/calendar/X"' in index.text
    assert 'href="/calendar/Y"' in index.text
    week = await visitor.get("/calendar/X", params={"date": day(2).isoformat(), "view": "week"})
    assert week.status_code == 200
    assert week.text.count('class="cal-day"') == 2 * 7  # two rooms, seven days each
    assert f"date={day(-7).isoformat()}&amp;view=week" in week.text  # the previous Monday
    unknown = await visitor.get("/calendar/NOPE")
    assert unknown.status_code == 404
    bad_date = await visitor.get("/calendar/X", params={"date": "31.02"})
    assert bad_date.status_code == 200
    assert 'role="alert"' in bad_date.text
    assert world.room_x["code"] in bad_date.text
