"""Calendar feeds on the pages: the account page makes a private feed (its link shown once),
gives it a new link and stops it, each after a confirmation and only for its owner; a room, a
building and the public events offer their feed's links. The links shown answer a calendar."""

from __future__ import annotations

import html as markup
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import pytest

from tests.factories import (
    booking_body,
    local,
    make_building,
    make_organisation,
    make_room,
    make_token,
    make_user,
)
from tests.integration.browsing import form_token, post_form, signed_in

ENGLISH_PAGE = {"Cookie": "upt_lang=en"}
TITLE = "Atelierul de robotică al Anei"


@pytest.fixture
async def ana(open_client) -> dict:
    organisation = await make_organisation(code="DCI", name="Departamentul de Comunicare")
    return await make_user("ana@upt.ro", organisations=[organisation["id"]], name="Ana Pop")


def _field(html: str, field_id: str) -> str:
    """The value of the read-only field `field_id` (a feed's link)."""
    found = re.search(rf'id="{field_id}" type="text" value="([^"]+)"', html)
    assert found, f"no field {field_id}"
    return markup.unescape(found.group(1))


def _where(link: str) -> str:
    """The path and query of a link: the tests' app answers whatever its base URL says."""
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def _calendar(client: httpx.AsyncClient, link: str) -> httpx.Response:
    answer = await client.get(_where(link))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    return answer


def _unfolded(answer: httpx.Response) -> str:
    return answer.text.replace("\r\n ", "")


async def _make_feed(browser: httpx.AsyncClient, **form: str) -> httpx.Response:
    made = await post_form(browser, "/account/feeds", {"kind": "personal", **form})
    assert made.status_code == 200, made.text
    return made


async def _feeds(browser: httpx.AsyncClient) -> list[dict]:
    listed: list[dict] = (await browser.get("/api/feeds")).json()["private"]
    return listed


async def test_the_account_offers_the_feeds_its_user_may_have(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    page = (await browser.get("/account")).text
    assert "Calendar feeds" in page
    assert "You have no private feeds yet." in page
    assert "Make the feed “My requests”" in page
    assert "Make the feed “Requests of Departamentul de Comunicare”" in page
    assert "Waiting for my decision" not in page  # Ana decides on nothing
    assert 'name="organisation" value="DCI"' in page
    # The public feeds, in the reader's language.
    assert "UPT public events" in page
    assert _field(page, "public-feed-1-https").endswith("/feeds/events.ics?lang=en")
    assert _field(page, "public-feed-1-webcal").startswith("webcal://")
    assert "Other calendars → From URL" in page
    building = await make_building()
    await make_user("aprobator@upt.ro", roles=[("approver", building["id"], None)])
    theirs = await signed_in(open_client, "aprobator@upt.ro")
    assert "Make the feed “Waiting for my decision”" in (await theirs.get("/account")).text


async def test_a_personal_feed_shows_its_link_once_and_serves_the_requests(
    open_client: Callable[..., httpx.AsyncClient], ana
) -> None:
    room = await make_room(code="F-1")
    api = open_client(await make_token(ana["id"]))
    sent = await api.post(
        "/api/bookings",
        json=booking_body([room["id"]], local(2, "10:00"), local(2, "12:00"), title=TITLE),
    )
    assert sent.status_code == 201, sent.text
    browser = await signed_in(open_client, "ana@upt.ro")
    made = await _make_feed(browser)
    html = made.text
    assert "The link of your feed “My requests”" in html
    assert "it is shown only this once" in html
    assert "anyone who has it sees these requests" in html
    for hint in ("Other calendars → From URL", "Add calendar → Subscribe from web", "webcal"):
        assert hint in html
    https, webcal = _field(html, "new-feed-https"), _field(html, "new-feed-webcal")
    assert re.fullmatch(r"https?://[^/]+/feeds/private/cal_[\w-]{43}\.ics", https)
    assert webcal == "webcal://" + https.split("://", 1)[1]
    assert f'href="{webcal}"' in html  # Apple Calendar and Thunderbird subscribe on opening it
    # Without a script the links are read-only text to select; the copy buttons need one.
    assert 'id="new-feed-https" type="text" value="' in html
    assert len(re.findall(r"readonly[^>]*data-select-on-focus>", html)) >= 2
    assert len(re.findall(r'data-copy-from="new-feed-\w+"[^>]*hidden>', html)) == 2
    # Anyone with the link reads the requests, without signing in.
    feed = await _calendar(open_client(), https)
    assert f"SUMMARY:{TITLE}" in _unfolded(feed)
    # The link is never shown again; the feed is listed by its prefix and not offered again.
    again = (await browser.get("/account")).text
    secret = https.rsplit("/", 1)[1].removesuffix(".ics")
    assert secret not in again
    assert f"…/{secret[:10]}…" in again
    assert "Make the feed “My requests”" not in again
    assert "Make the feed “Requests of Departamentul de Comunicare”" in again
    assert [f["name"] for f in await _feeds(browser)] == ["My requests"]


async def test_an_organisations_feed_is_its_members_only(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    made = await _make_feed(browser, kind="organisation", organisation="DCI")
    assert "The link of your feed “Requests of Departamentul de Comunicare”" in made.text
    await make_organisation(code="OTHER", name="Alt departament")
    for form, status in (
        ({"kind": "organisation", "organisation": "OTHER"}, 403),  # not a member
        ({"kind": "organisation", "organisation": "NOPE"}, 404),
        ({"kind": "approvals"}, 403),
        ({"kind": "room"}, 404),  # a public feed has no private link
    ):
        answer = await post_form(browser, "/account/feeds", form)
        assert answer.status_code == status, form
        assert answer.headers["content-type"].startswith("text/html")
    assert len(await _feeds(browser)) == 1


async def test_a_new_link_after_a_confirmation_ends_the_old_one(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    old = _field((await _make_feed(browser)).text, "new-feed-https")
    (feed,) = await _feeds(browser)
    account = (await browser.get("/account")).text
    assert f'href="/account/feeds/{feed["id"]}/rotate"' in account
    confirm = await browser.get(f"/account/feeds/{feed['id']}/rotate")
    assert confirm.status_code == 200
    assert "Get a new link for “My requests”?" in confirm.text
    assert "The current link stops working at once" in confirm.text
    # opening the confirmation changes nothing
    visitor = open_client()
    await _calendar(visitor, old)
    rotated = await browser.post(
        f"/account/feeds/{feed['id']}/rotate", data={"csrf_token": form_token(confirm.text)}
    )
    assert rotated.status_code == 200
    assert "it is shown only this once" in rotated.text
    new = _field(rotated.text, "new-feed-https")
    assert new != old
    assert (await visitor.get(_where(old))).status_code == 410
    await _calendar(visitor, new)
    (renewed,) = await _feeds(browser)
    assert renewed["id"] != feed["id"]
    assert (await browser.get(f"/account/feeds/{feed['id']}/rotate")).status_code == 404


async def test_a_feed_is_stopped_after_a_confirmation(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    link = _field((await _make_feed(browser)).text, "new-feed-https")
    (feed,) = await _feeds(browser)
    confirm = await browser.get(f"/account/feeds/{feed['id']}/revoke")
    assert confirm.status_code == 200
    assert "Stop the feed “My requests”?" in confirm.text
    visitor = open_client()
    await _calendar(visitor, link)
    response = await browser.post(
        f"/account/feeds/{feed['id']}/revoke", data={"csrf_token": form_token(confirm.text)}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account?saved=feed_stopped#feeds"
    page = (await browser.get("/account?saved=feed_stopped")).text
    assert "The feed has been stopped: its link no longer works." in page
    assert "You have no private feeds yet." in page
    assert "Make the feed “My requests”" in page  # it may be made again
    assert (await visitor.get(_where(link))).status_code == 410
    assert (await browser.get(f"/account/feeds/{feed['id']}/revoke")).status_code == 404
    assert await _feeds(browser) == []


async def test_feed_forms_without_their_token_change_nothing(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    link = _field((await _make_feed(browser)).text, "new-feed-https")
    (feed,) = await _feeds(browser)
    for path, data in (
        ("/account/feeds", {"kind": "personal"}),
        (f"/account/feeds/{feed['id']}/rotate", {}),
        (f"/account/feeds/{feed['id']}/revoke", {}),
    ):
        response = await browser.post(path, data=data)
        assert response.status_code == 403, path
        assert response.headers["content-type"].startswith("text/html")
        assert "/feeds/private/" not in response.text
    assert [f["id"] for f in await _feeds(browser)] == [feed["id"]]
    await _calendar(open_client(), link)


async def test_someone_elses_feed_cannot_be_renewed_or_stopped(open_client, ana) -> None:
    await make_user("bogdan@extern.ro")
    bogdan = await signed_in(open_client, "bogdan@extern.ro")
    link = _field((await _make_feed(bogdan)).text, "new-feed-https")
    (feed,) = await _feeds(bogdan)
    browser = await signed_in(open_client, "ana@upt.ro")
    for action in ("rotate", "revoke"):
        page = await browser.get(f"/account/feeds/{feed['id']}/{action}")
        assert page.status_code == 404
        answer = await post_form(browser, f"/account/feeds/{feed['id']}/{action}")
        assert answer.status_code == 404
        assert "/feeds/private/" not in answer.text
    assert [f["id"] for f in await _feeds(bogdan)] == [feed["id"]]
    await _calendar(open_client(), link)


async def test_a_room_a_building_and_the_events_offer_their_feeds(client) -> None:
    building = await make_building(code="S", name="Clădirea Sud", name_en="South Building")
    await make_room(building, code="S-1", name="Sala S")
    page = (await client.get("/rooms/S-1")).text
    assert "Abonați-vă la acest calendar" in page
    assert 'href="#subscribe"' in page
    https = _field(page, "subscribe-https")
    assert https.endswith("/feeds/rooms/S-1.ics")  # Romanian: the feeds' own default
    assert _field(page, "subscribe-webcal") == "webcal://" + https.split("://", 1)[1]
    assert "Alte calendare → Din adresa URL" in page
    assert 'data-copy-from="subscribe-https"' in page
    assert "Clădirea Sud" in _unfolded(await _calendar(client, https))
    english = (await client.get("/rooms/S-1", headers=ENGLISH_PAGE)).text
    assert "Subscribe to this calendar" in english
    in_english = _field(english, "subscribe-https")
    assert in_english.endswith("/feeds/rooms/S-1.ics?lang=en")
    assert "South Building" in _unfolded(await _calendar(client, in_english))

    # /buildings/S leads to the building's part of the rooms' page, and its feed is there.
    moved = await client.get("/buildings/S", follow_redirects=False)
    assert moved.headers["location"] == "/rooms#building-S"
    rooms = (await client.get("/rooms")).text
    assert 'id="subscribe-S"' in rooms
    link = _field(rooms, "feed-S-https")
    assert link.endswith("/feeds/buildings/S.ics")
    await _calendar(client, link)
    calendar = (await client.get("/calendar/S")).text
    assert _field(calendar, "subscribe-https") == link

    events = (await client.get("/events")).text
    everything = _field(events, "subscribe-https")
    assert everything.endswith("/feeds/events.ics")
    in_building = _field(events, "events-feed-S-https")
    assert in_building.endswith("/feeds/events/S.ics")
    for each in (everything, in_building):
        await _calendar(client, each)
