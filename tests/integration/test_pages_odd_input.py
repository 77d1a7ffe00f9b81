"""What a page does with what nobody should type: dates far outside the service's years, digits
that are not ASCII, times with an offset. A clear answer each time, never an error of ours."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.factories import Person, local
from tests.integration.browsing import post_form, signed_in
from tests.integration.world import make_world, request

FAR_DATES = ("9999-12-31", "0001-01-01", "2100-01-01")


@pytest.mark.parametrize("day", FAR_DATES)
async def test_far_dates_in_a_page_address_are_answered(
    open_client: Callable[..., httpx.AsyncClient], admin: Person, day: str
) -> None:
    world = await make_world(open_client, admin)
    building, room = world.building_x["code"], world.room_x["code"]
    visitor = open_client()
    # Pages that show a period show today's instead (the calendar says the date was not
    # understood); the finder refuses the date beside its field.
    for path, status in (
        (f"/calendar/{building}?date={day}", 200),
        (f"/calendar/{building}?date={day}&view=week", 200),
        (f"/calendar/{building}/data?start={day}T00:00:00&end={day}T00:00:00", 200),
        (f"/rooms/{room}?week={day}", 200),
        (f"/events?month={day[:7]}", 200),
        (f"/?date={day}&start=10:00&end=24:00", 422),
    ):
        answer = await visitor.get(path)
        assert answer.status_code == status, (path, answer.status_code)
    finder = await visitor.get(f"/?date={day}&start=10:00&end=11:00")
    assert 'id="date-error"' in finder.text


async def test_digits_that_are_not_ascii_are_not_numbers(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await make_world(open_client, admin)
    browser = await signed_in(open_client, world.requester_a.user["email"])
    fields = {
        "room": world.room_x["code"],
        "date": local(3, "10:00")[:10],
        "start": "10:00",
        "end": "11:00",
        "attendance": "²",
        "repeat": "weekly",
        "interval": "²",
        "ends": "count",
        "count": "²",
    }
    checked = await post_form(browser, "/book/check", fields, page="/book")
    assert checked.status_code == 200
    stepped = await post_form(browser, "/book", {**fields, "step": "²"}, page="/book")
    assert stepped.status_code == 422
    assert 'id="count-error"' in stepped.text or 'id="interval-error"' in stepped.text


async def test_an_edited_time_with_an_offset_is_refused(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await make_world(open_client, admin)
    booking = await request(world.requester_a, world.room_y)
    browser = await signed_in(open_client, world.requester_a.user["email"])
    path = f"/requests/{booking['id']}/edit"
    fields = {
        "version": booking["version"],
        "title": booking["title"],
        "description": "",
        "expected_attendance": "10",
        "date": local(0, "10:00")[:10],
        "start_time": "12:00+05:00",
        "end_time": "13:00",
    }
    answer = await post_form(browser, path, fields, page=path)
    assert answer.status_code == 422
    assert 'id="start_time-error"' in answer.text
    unchanged = await world.requester_a.client.get(f"/api/bookings/{booking['id']}")
    assert unchanged.json()["version"] == booking["version"]


async def test_signed_in_pages_are_not_kept_by_the_browser(
    open_client: Callable[..., httpx.AsyncClient], admin: Person
) -> None:
    world = await make_world(open_client, admin)
    browser = await signed_in(open_client, world.requester_a.user["email"])
    assert (await browser.get("/account")).headers["cache-control"] == "no-store"
    assert "no-store" not in (await open_client().get("/rooms")).headers.get("cache-control", "")


async def test_an_unknown_room_is_a_page_that_says_so(
    open_client: Callable[..., httpx.AsyncClient],
) -> None:
    answer = await open_client().get("/rooms/NO-SUCH-ROOM")
    assert answer.status_code == 404
    assert "<h1>Pagina nu a fost găsită</h1>" in answer.text
