"""The room finder on the home page, over HTTP: the free rooms, best fits first, and into the
booking form with the values filled."""

from __future__ import annotations

import re

from tests.factories import booking_body, day, local, make_building, make_room

# Pages speak Romanian unless the visitor's cookie asks for English.
ENGLISH_PAGE = {"Cookie": "upt_lang=en"}


def _rooms_offered(html: str) -> list[str]:
    """The room codes of the results' "Book this room" links, in order."""
    return re.findall(r'href="/book\?room=([^&"]+)&amp;', html)


async def _two_buildings() -> dict[str, dict]:
    north = await make_building(code="N", name="Nord", name_en="North")
    south = await make_building(code="S", name="Sud", name_en="South")
    return {
        "N-BIG": await make_room(north, code="N-BIG", capacity=200, equipment=["projector"]),
        "N-MID": await make_room(
            north, code="N-MID", capacity=60, equipment=["projector", "videoconference"]
        ),
        "N-SMALL": await make_room(north, code="N-SMALL", capacity=10, equipment=["whiteboard"]),
        "N-TAKEN": await make_room(north, code="N-TAKEN", capacity=50, equipment=["projector"]),
        "S-ONE": await make_room(south, code="S-ONE", capacity=45, equipment=["projector"]),
    }


async def test_the_finder_offers_the_free_rooms_best_fits_first(api, client) -> None:
    rooms = await _two_buildings()
    booked = await api.post(
        "/api/bookings",
        json=booking_body([rooms["N-TAKEN"]["id"]], local(0, "13:00"), local(0, "15:00")),
    )
    assert booked.status_code == 201, booked.text
    asked = {"date": day(0).isoformat(), "start": "14:00", "end": "16:00", "people": "40"}
    response = await client.get("/", params=asked)
    assert response.status_code == 200
    html = response.text
    assert _rooms_offered(html) == ["S-ONE", "N-MID", "N-BIG"]
    # Not offered, and said why.
    assert "N-TAKEN" in html
    assert "N-SMALL" in html
    expected = (
        f'href="/book?room=N-MID&amp;date={day(0).isoformat()}'
        '&amp;start=14:00&amp;end=16:00&amp;people=40"'
    )
    assert expected in html
    # The values typed stay in the form.
    assert f'value="{day(0).isoformat()}"' in html
    assert 'value="40"' in html


async def test_the_finder_filters_by_building_and_equipment(api, client) -> None:
    await _two_buildings()
    asked = {"date": day(1).isoformat(), "start": "10:00", "end": "11:00", "building": "N"}
    response = await client.get("/", params=asked)
    assert _rooms_offered(response.text) == ["N-SMALL", "N-TAKEN", "N-MID", "N-BIG"]
    with_equipment = await client.get("/", params=asked | {"equipment": "videoconference"})
    assert _rooms_offered(with_equipment.text) == ["N-MID"]


async def test_all_day_asks_for_the_working_day(api, client) -> None:
    rooms = await _two_buildings()
    await api.post(
        "/api/bookings",
        json=booking_body([rooms["N-MID"]["id"]], local(2, "18:00"), local(2, "19:00")),
    )
    asked = {"date": day(2).isoformat(), "all_day": "1", "building": "N", "people": "50"}
    html = (await client.get("/", params=asked)).text
    assert _rooms_offered(html) == ["N-TAKEN", "N-BIG"]
    assert "start=08:00&amp;end=20:00" in html


async def test_no_free_room_says_what_to_try(api, client) -> None:
    await _two_buildings()
    asked = {"date": day(0).isoformat(), "start": "10:00", "end": "12:00", "people": "5000"}
    response = await client.get("/", params=asked, headers=ENGLISH_PAGE)
    assert response.status_code == 200
    assert _rooms_offered(response.text) == []
    assert "No room is free then." in response.text
    assert "too small (capacity 200)" in response.text


async def test_bad_input_shows_each_problem_beside_its_field_and_keeps_it(api, client) -> None:
    await _two_buildings()
    asked = {"date": "2020-01-01", "start": "16:00", "end": "14:00", "people": "many"}
    response = await client.get("/", params=asked, headers=ENGLISH_PAGE)
    assert response.status_code == 422
    html = response.text
    assert 'class="error-summary"' in html
    assert 'id="date-error"' in html
    assert "The date is in the past" in html
    assert 'id="people-error"' in html
    assert 'value="many"' in html
    reversed_times = await client.get(
        "/",
        params={"date": day(0).isoformat(), "start": "16:00", "end": "14:00"},
        headers=ENGLISH_PAGE,
    )
    assert reversed_times.status_code == 422
    assert 'id="end-error"' in reversed_times.text
    assert "The end must be after the start" in reversed_times.text
    assert 'value="16:00"' in reversed_times.text


async def test_htmx_gets_the_finder_alone(api, client) -> None:
    await _two_buildings()
    asked = {"date": day(0).isoformat(), "start": "10:00", "end": "11:00"}
    response = await client.get("/", params=asked, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="finder"')
    assert "<html" not in response.text
    assert _rooms_offered(response.text)


async def test_the_finder_names_equipment_in_the_page_language(api, client) -> None:
    await _two_buildings()
    romanian = (await client.get("/")).text
    assert "videoproiector" in romanian
    assert 'value="projector"' in romanian
    english = (await client.get("/", headers=ENGLISH_PAGE)).text
    assert ">projector<" in english
    assert "videoconferencing" in english


async def test_rooms_outside_their_hours_or_closed_are_not_offered_and_say_why(api, client) -> None:
    rooms = await _two_buildings()
    weekdays = [{"weekday": d, "opens": "08:00", "closes": "18:00"} for d in range(5)]
    saved = await api.put(
        f"/api/rooms/{rooms['N-MID']['id']}/booking-rules", json={"opening_hours": weekdays}
    )
    assert saved.status_code == 200, saved.text
    closed = await api.post(
        "/api/blackouts",
        json={
            "start": local(0, "00:00"),
            "end": local(1, "00:00"),
            "reason": "Inventar",
            "room": rooms["N-BIG"]["id"],
        },
    )
    assert closed.status_code == 201, closed.text
    asked = {"date": day(0).isoformat(), "start": "19:00", "end": "20:00", "building": "N"}
    html = (await client.get("/", params=asked, headers=ENGLISH_PAGE)).text
    assert _rooms_offered(html) == ["N-SMALL", "N-TAKEN"]
    assert "N-MID may be booked on Mondays 08:00–18:00 only" in html
    assert "closed: Inventar" in html
