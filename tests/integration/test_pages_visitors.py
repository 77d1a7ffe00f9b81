"""The pages anyone may read: the rooms, a room's week, the public events; and nothing of a
private request shows there."""

from __future__ import annotations

import re
from datetime import date

from tests.factories import BASE_DAY, booking_body, day, local, make_building, make_room

# Pages speak Romanian unless the visitor's cookie asks for English.
ENGLISH_PAGE = {"Cookie": "upt_lang=en"}


async def _approved(api, room: dict, offset: int, start: str, end: str, **fields) -> dict:
    made = await api.post(
        "/api/bookings",
        json=booking_body([room["id"]], local(offset, start), local(offset, end), **fields),
    )
    assert made.status_code == 201, made.text
    body = made.json()
    if body["status"] != "approved":
        approved = await api.post(f"/api/bookings/{body['id']}/approve", json={"version": 1})
        assert approved.status_code == 200, approved.text
    return body


async def test_rooms_lists_buildings_with_translated_equipment(api, client) -> None:
    building = await make_building(code="N", name="Clădirea Nord", name_en="North Building")
    await make_room(
        building,
        code="N-AULA",
        name="Aula Nord",
        equipment=["projector", "wheelchair_access"],
        description="Sala mare",
    )
    romanian = await client.get("/rooms")
    assert romanian.status_code == 200
    html = romanian.text
    assert "Clădirea Nord" in html
    assert "Aula Nord" in html
    assert "Sala mare" in html
    assert "videoproiector, acces pentru scaun cu rotile" in html
    assert 'href="/rooms/N-AULA"' in html
    assert 'aria-hidden="true">AN<' in html  # the placeholder picture
    english = (await client.get("/rooms", headers=ENGLISH_PAGE)).text
    assert "North Building" in english
    assert "projector, wheelchair access" in english
    assert "wheelchair_access<" not in english
    moved = await client.get("/buildings/n", follow_redirects=False)
    assert moved.status_code == 303
    assert moved.headers["location"] == "/rooms#building-N"


async def test_a_room_week_shows_bookings_and_closures_but_no_private_title(api, client) -> None:
    room = await make_room(code="W-1", name="Sala W", instant_book=False)
    await _approved(api, room, 1, "10:00", "12:00", title="Conferința publică", is_public=True)
    await _approved(api, room, 2, "09:00", "10:30", title="Ședință secretă")
    closed = await api.post(
        "/api/blackouts",
        json={
            "start": local(3, "00:00"),
            "end": local(4, "00:00"),
            "reason": "Zi de curățenie",
            "room": room["id"],
        },
    )
    assert closed.status_code == 201, closed.text
    response = await client.get(
        "/rooms/W-1", params={"week": day(2).isoformat()}, headers=ENGLISH_PAGE
    )
    assert response.status_code == 200
    html = response.text
    assert "Conferința publică" in html
    assert "10:00–12:00" in html
    assert "09:00–10:30" in html
    assert "Ședință secretă" not in html
    assert "Zi de curățenie" in html
    assert "All day" in html
    assert 'href="/book?room=W-1"' in html
    # The week asked for is Monday to Sunday, with the weeks before and after.
    monday = BASE_DAY  # a Monday
    assert f"?week={date.fromordinal(monday.toordinal() - 7).isoformat()}" in html
    assert f"?week={date.fromordinal(monday.toordinal() + 7).isoformat()}" in html
    another_week = await client.get("/rooms/W-1", params={"week": day(9).isoformat()})
    assert "Conferința publică" not in another_week.text
    assert (await client.get("/rooms/NO-SUCH-ROOM")).status_code == 404


async def test_public_events_show_only_approved_public_ones(api, client) -> None:
    room = await make_room(code="E-1", name="Sala E", instant_book=False)
    await _approved(api, room, 1, "18:00", "20:00", title="Concert de iarnă", is_public=True)
    await _approved(api, room, 1, "10:00", "11:00", title="Consiliu închis")
    pending = await api.post(
        "/api/bookings",
        json=booking_body(
            [room["id"]],
            local(2, "10:00"),
            local(2, "11:00"),
            title="Încă nedecis",
            is_public=True,
        ),
    )
    assert pending.status_code == 201
    month = day(1).strftime("%Y-%m")
    response = await client.get("/events", params={"month": month})
    assert response.status_code == 200
    html = response.text
    assert "Concert de iarnă" in html
    assert "18:00–20:00" in html
    assert "Consiliu închis" not in html
    assert "Încă nedecis" not in html
    assert re.search(r'href="/events\?month=\d{4}-\d{2}" rel="next"', html)


async def test_a_room_week_shows_its_opening_hours(api, client) -> None:
    room = await make_room(code="H-1", name="Sala H")
    weekdays = [{"weekday": d, "opens": "08:00", "closes": "18:00"} for d in range(5)]
    saved = await api.put(
        f"/api/rooms/{room['id']}/booking-rules", json={"opening_hours": weekdays}
    )
    assert saved.status_code == 200, saved.text
    html = (
        await client.get("/rooms/h-1", params={"week": day(0).isoformat()}, headers=ENGLISH_PAGE)
    ).text
    assert html.count("Opening hours: 08:00–18:00") == 5
    assert html.count("Closed all day") == 2
