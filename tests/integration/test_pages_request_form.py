"""The booking form: prefilled from a link, each step checked with what was typed kept, the
live check with its suggestions, a series leaving out a taken date, and the request created
exactly as the API creates it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from booking.db.tables import Membership
from tests.factories import day, local
from tests.integration import browsing
from tests.integration.browsing import form_token
from tests.integration.world import World, act, make_world, request

pytestmark = pytest.mark.usefixtures("empty")


async def signed_in(open_client: Callable[..., httpx.AsyncClient], email: str) -> httpx.AsyncClient:
    """A browser with a session cookie, reading the pages in English."""
    return await browsing.signed_in(open_client, email, language="en")


async def token(browser: httpx.AsyncClient) -> str:
    return form_token((await browser.get("/book")).text)


def slot(
    room: str = "X-1", offset: int = 0, start: str = "10:00", end: str = "11:00"
) -> dict[str, Any]:
    return {"room": [room], "date": day(offset).isoformat(), "start": start, "end": end}


EVENT = {"title": "Seminar de cercetare", "attendance": "30", "visibility": "public"}
ORGANISER = {"organiser_name": "Ana Popescu", "contact_email": "ana@upt.ro", "contact_phone": ""}


async def post(browser: httpx.AsyncClient, step: int, go: str, **fields: Any) -> httpx.Response:
    data = {"csrf_token": await token(browser), "step": str(step), "go": go} | fields
    return await browser.post("/book", data=data)


def checked(html: str, name: str, value: str) -> bool:
    pattern = rf'<input[^>]*name="{name}" value="{re.escape(value)}"[^>]*checked'
    return re.search(pattern, html) is not None


def hidden(html: str, name: str, value: str) -> bool:
    return f'<input type="hidden" name="{name}" value="{value}">' in html


@pytest.fixture
async def world(open_client: Callable[..., httpx.AsyncClient], admin: Any) -> World:
    return await make_world(open_client, admin)


async def approved(world: World, room: dict[str, Any], offset: int = 0) -> dict[str, Any]:
    """Requester A's request for 10:00-11:00, approved: it holds the room."""
    booking = await request(
        world.requester_a, room, day=offset, title="Consiliul facultății", is_public=True
    )
    return await act(world.approver_x, booking, "approve")


async def test_anonymous_visitors_sign_in_first(
    open_client: Callable[..., httpx.AsyncClient],
) -> None:
    answer = await open_client().get("/book?room=X-1&date=2027-01-20")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/sign-in?next=")
    assert "room%3DX-1" in answer.headers["location"] or "room=X-1" in answer.headers["location"]


async def test_the_form_is_filled_from_the_link(
    world: World, open_client: Callable[..., httpx.AsyncClient]
) -> None:
    browser = await signed_in(open_client, "a@upt.ro")
    date = day(0).isoformat()
    page = await browser.get(f"/book?room=X-1&room=X-2&date={date}&start=10:00&end=11:30&people=30")
    assert page.status_code == 200
    html = page.text
    assert checked(html, "room", "X-1")
    assert checked(html, "room", "X-2")
    assert f'value="{date}"' in html
    assert 'value="10:00"' in html
    assert 'value="11:30"' in html
    assert hidden(html, "attendance", "30")
    assert 'data-check="free"' in html  # the slot was checked at once
    assert 'aria-current="step"' in html


async def test_each_step_is_checked_and_keeps_what_was_typed(
    world: World, open_client: Callable[..., httpx.AsyncClient]
) -> None:
    browser = await signed_in(open_client, "a@upt.ro")
    missing = await post(browser, 1, "next", room=[], date="", start="10:00", end="")
    assert missing.status_code == 422
    assert 'id="room-error"' in missing.text
    assert 'id="date-error"' in missing.text
    assert 'id="end-error"' in missing.text
    assert 'value="10:00"' in missing.text
    no_title = await post(
        browser, 2, "next", **slot(), title=" ", attendance="25", description="Două mese"
    )
    assert no_title.status_code == 422
    assert 'id="title-error"' in no_title.text
    assert 'href="#title"' in no_title.text  # the summary links to the field
    assert 'value="25"' in no_title.text
    assert "Două mese" in no_title.text
    assert hidden(no_title.text, "room", "X-1")
    no_email = await post(browser, 3, "next", **slot(), **EVENT, organiser_name="Ana")
    assert no_email.status_code == 422
    assert 'id="contact_email-error"' in no_email.text
    assert 'value="Ana"' in no_email.text
    assert hidden(no_email.text, "title", EVENT["title"])


async def test_a_single_booking_through_every_step(
    world: World, open_client: Callable[..., httpx.AsyncClient]
) -> None:
    browser = await signed_in(open_client, "a@upt.ro")
    fields = slot()
    step2 = await post(browser, 1, "next", **fields)
    assert step2.status_code == 200
    assert 'name="title"' in step2.text
    step3 = await post(browser, 2, "next", **fields, **EVENT)
    assert step3.status_code == 200
    assert 'name="organiser_name"' in step3.text
    step4 = await post(browser, 3, "next", **fields, **EVENT, **ORGANISER)
    assert step4.status_code == 200
    assert 'data-testid="send"' in step4.text
    assert EVENT["title"] in step4.text
    assert "room manager" in step4.text
    sent = await post(browser, 4, "send", **fields, **EVENT, **ORGANISER)
    assert sent.status_code == 303
    confirmation = await browser.get(sent.headers["location"])
    assert confirmation.status_code == 200
    assert 'data-testid="tiers"' in confirmation.text
    assert "room manager" in confirmation.text
    assert "ana@upt.ro" in confirmation.text
    assert f"{world.room_x['name']} (X-1)" in confirmation.text  # the room by its name
    mine = (await world.requester_a.client.get("/api/bookings?mine=true")).json()
    (created,) = mine
    assert created["title"] == EVENT["title"]
    assert created["status"] == "pending"
    assert created["required_tiers"] == ["room_manager"]
    assert created["is_public"] is True
    assert sent.headers["location"] == f"/book/sent/{created['id']}"


async def test_a_taken_slot_offers_another_room_taken_in_one_click(
    world: World, open_client: Callable[..., httpx.AsyncClient]
) -> None:
    await approved(world, world.room_x)
    browser = await signed_in(open_client, "a@upt.ro")
    fields = slot()
    taken = await post(browser, 1, "next", **fields)
    assert taken.status_code == 422
    assert 'data-check="taken"' in taken.text
    assert "Consiliul facultății" in taken.text
    assert f"{world.room_x['name']} (X-1)" in taken.text  # what holds which room, by name
    assert 'value="room:X-1:X-2"' in taken.text
    assert 'value="time:11:00-12:00"' in taken.text
    moved = await post(browser, 1, "next", **fields, take="room:X-1:X-2")
    assert checked(moved.text, "room", "X-2")
    assert not checked(moved.text, "room", "X-1")
    assert 'data-check="free"' in moved.text
    fields["room"] = ["X-2"]
    sent = await post(browser, 4, "send", **fields, **EVENT, **ORGANISER)
    assert sent.status_code == 303
    room = world.room_x2["id"]
    mine = (await world.requester_a.client.get(f"/api/bookings?mine=true&room={room}")).json()
    assert [b["title"] for b in mine] == [EVENT["title"]]


async def test_a_slot_taken_meanwhile_comes_back_with_everything_kept(
    world: World, open_client: Callable[..., httpx.AsyncClient]
) -> None:
    browser = await signed_in(open_client, "a@upt.ro")
    await approved(world, world.room_x)
    refused = await post(browser, 4, "send", **slot(), **EVENT, **ORGANISER)
    assert refused.status_code == 422
    assert 'id="start-error"' in refused.text
    assert 'data-check="taken"' in refused.text
    assert hidden(refused.text, "title", EVENT["title"])
    assert hidden(refused.text, "contact_email", ORGANISER["contact_email"])


async def test_a_weekly_series_leaves_out_a_taken_date(
    world: World, open_client: Callable[..., httpx.AsyncClient]
) -> None:
    await approved(world, world.room_x, offset=7)
    browser = await signed_in(open_client, "a@upt.ro")
    series = slot() | {"repeat": "weekly", "interval": "1", "ends": "count", "count": "3"}
    listed = await post(browser, 1, "next", **series)
    assert listed.status_code == 422
    assert 'id="skip-error"' in listed.text
    assert listed.text.count('class="series-date ') == 3
    taken = day(7).isoformat()
    assert f'value="{taken}"' in listed.text
    assert f'data-date="{day(14).isoformat()}"' in listed.text
    series["skip"] = [taken]
    step2 = await post(browser, 1, "next", **series)
    assert step2.status_code == 200
    assert hidden(step2.text, "skip", taken)
    review = await post(browser, 3, "next", **series, **EVENT, **ORGANISER)
    assert review.status_code == 200
    assert "<s>" in review.text
    sent = await post(browser, 4, "send", **series, **EVENT, **ORGANISER)
    assert sent.status_code == 303, sent.text
    (created,) = (
        await world.requester_a.client.get("/api/bookings?mine=true&status=pending")
    ).json()
    dates = [o["start"][:10] for o in created["occurrences"]]
    assert dates == [day(0).isoformat(), day(14).isoformat()]
    assert [s["date"] for s in created["skipped_dates"]] == [taken]


async def test_the_live_check_answers_with_a_fragment(
    world: World, open_client: Callable[..., httpx.AsyncClient]
) -> None:
    await approved(world, world.room_x)
    browser = await signed_in(open_client, "a@upt.ro")
    data = {"csrf_token": await token(browser)} | slot()
    fragment = await browser.post("/book/check", data=data, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert 'data-check="taken"' in fragment.text
    assert 'value="room:X-1:X-2"' in fragment.text


async def test_a_form_without_its_token_is_refused(
    world: World, open_client: Callable[..., httpx.AsyncClient]
) -> None:
    browser = await signed_in(open_client, "a@upt.ro")
    answer = await browser.post(
        "/book", data={"step": "4", "go": "send"} | slot() | EVENT | ORGANISER
    )
    assert answer.status_code == 403
    assert (await world.requester_a.client.get("/api/bookings?mine=true")).json() == []


async def test_a_member_of_two_organisations_chooses_one(
    world: World, open_client: Callable[..., httpx.AsyncClient]
) -> None:
    await Membership.insert(
        Membership(user=world.requester_a.id, organisation=world.organisation_b["id"])
    )
    browser = await signed_in(open_client, "a@upt.ro")
    unchosen = await post(browser, 3, "next", **slot(), **EVENT, **ORGANISER)
    assert unchosen.status_code == 422
    assert 'id="organisation-error"' in unchosen.text
    chosen = await post(browser, 4, "send", **slot(), **EVENT, **ORGANISER, organisation="B")
    assert chosen.status_code == 303
    confirmation = await browser.get(chosen.headers["location"])
    assert "finance" in confirmation.text  # an outside organiser's request goes to finance too


async def test_the_preview_api_lists_conflicts_and_alternatives(world: World) -> None:
    await approved(world, world.room_x)
    body = {"rooms": [world.room_x["id"]], "start": local(0, "10:00"), "end": local(0, "11:00")}
    answer = await world.requester_a.client.post("/api/bookings/preview", json=body)
    assert answer.status_code == 200, answer.text
    preview = answer.json()
    assert preview["clear"] is False
    assert preview["required_tiers"] == ["room_manager"]
    (date,) = preview["dates"]
    assert date["state"] == "taken"
    assert date["conflicts"][0]["room_code"] == "X-1"
    assert "X-2" in [room["code"] for room in date["alternatives"]["rooms"]]
    assert date["alternatives"]["slots"]
    free = body | {"rooms": [world.room_x2["id"]]}
    clear = (await world.requester_a.client.post("/api/bookings/preview", json=free)).json()
    assert clear["clear"] is True
    assert clear["dates"][0]["state"] == "free"
    series = body | {
        "recurrence": {"frequency": "weekly", "weekdays": [day(0).weekday()], "count": 2}
    }
    dated = (await world.requester_a.client.post("/api/bookings/preview", json=series)).json()
    assert [d["state"] for d in dated["dates"]] == ["taken", "free"]
    past = body | {"start": "2020-01-01T10:00:00", "end": "2020-01-01T11:00:00"}
    refused = (await world.requester_a.client.post("/api/bookings/preview", json=past)).json()
    assert refused["problems"][0]["field"] == "start"
    assert refused["dates"] == []
