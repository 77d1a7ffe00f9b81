"""Calendar feeds in a browser: a requester makes their personal feed on the account page,
copies its link and a calendar client reads their request from it; the link is renewed and the
feed stopped after their confirmations. A visitor finds a room's feed on the room's page."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import BrowserContext, Page, expect

from tests.e2e.conftest import Site, look, sign_in, working_day

REQUESTER = "solicitant.ac.demo@upt.ro"
TITLE = "Atelier de calendar (e2e)"


async def _request(page: Page, site: Site) -> None:
    """One date in CC-S2, sent through the API as the signed-in requester."""
    token = await page.get_attribute("input[name=csrf_token]", "value")
    assert token
    rooms = await (await page.request.get(f"{site.url}/api/rooms")).json()
    room = next(r["id"] for r in rooms if r["code"] == "CC-S2")
    day = working_day(5, 2)
    answer = await page.request.post(
        f"{site.url}/api/bookings",
        headers={"X-CSRF-Token": token},
        data={
            "title": TITLE,
            "rooms": [room],
            "start": f"{day}T14:00:00",
            "end": f"{day}T15:00:00",
            "expected_attendance": 12,
            "organiser_name": "Ana Popescu",
            "contact_email": "ana.popescu@upt.ro",
        },
    )
    assert answer.status == 201, await answer.text()


async def _fetch(link: str) -> httpx.Response:
    """`link` as a calendar client fetches it: no cookies, no session."""
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(link)


async def _calendar(link: str) -> str:
    """The calendar at `link`, its lines unfolded."""
    answer = await _fetch(link)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    return answer.text.replace("\r\n ", "")


async def test_a_requester_subscribes_to_their_requests(
    page: Page, context: BrowserContext, site: Site
) -> None:
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    await sign_in(page, site, REQUESTER)
    await page.goto(f"{site.url}/account")
    await _request(page, site)
    feeds = page.locator("#feeds")
    assert "Nu aveți încă fluxuri private." in await feeds.inner_text()
    await page.get_by_role("button", name="Creează fluxul „Cererile mele”").click()
    await page.wait_for_load_state("load")
    notice = page.locator(".account__new-feed")
    await expect(notice).to_contain_text("doar de această dată")
    await expect(notice).to_contain_text("oricine o are vede aceste cereri")
    await expect(notice).to_contain_text("Alte calendare → Din adresa URL")
    await look(page, "account-feed-new", site)

    link = await page.input_value("#new-feed-https")
    assert link.startswith(f"{site.url}/feeds/private/cal_")
    webcal = await page.input_value("#new-feed-webcal")
    assert webcal == "webcal://" + link.split("://", 1)[1]
    await notice.get_by_role("button", name=re.compile(r"^Copiază legătura \(https")).click()
    await expect(page.locator("#announcer")).to_have_text("Legătura a fost copiată")
    assert await page.evaluate("navigator.clipboard.readText()") == link
    assert f"SUMMARY:{TITLE}" in await _calendar(link)

    # The account lists the feed by its prefix only, with its two actions.
    await page.goto(f"{site.url}/account#feeds")
    row = page.locator(".account__feeds tbody tr")
    await expect(row).to_have_count(1)
    assert link not in await page.content()
    await row.get_by_role("link", name="Obține o legătură nouă (Cererile mele)").click()
    await page.wait_for_load_state("load")
    await expect(page.locator("h1")).to_contain_text("„Cererile mele”")
    await look(page, "account-feed-rotate", site)
    await page.get_by_role("button", name="Obține o legătură nouă").click()
    await page.wait_for_load_state("load")
    renewed = await page.input_value("#new-feed-https")
    assert renewed != link
    assert (await _fetch(link)).status_code == 410
    assert f"SUMMARY:{TITLE}" in await _calendar(renewed)

    # Stopped after its confirmation: the page is as it was, the link answers 410.
    await page.goto(f"{site.url}/account#feeds")
    await page.get_by_role("link", name="Oprește fluxul (Cererile mele)").click()
    await page.wait_for_load_state("load")
    await look(page, "account-feed-revoke", site)
    await page.get_by_role("button", name="Oprește fluxul").click()
    await page.wait_for_url(f"{site.url}/account?saved=feed_stopped#feeds")
    assert "Fluxul a fost oprit" in await page.locator("[role=status]").first.inner_text()
    assert "Nu aveți încă fluxuri private." in await feeds.inner_text()
    assert (await _fetch(renewed)).status_code == 410


async def test_a_visitor_finds_a_rooms_feed(page: Page, site: Site) -> None:
    await page.goto(f"{site.url}/rooms")
    building = page.locator("#subscribe-CC")
    await building.locator("summary").click()
    await expect(building.locator("#feed-CC-https")).to_be_visible()
    await look(page, "rooms-subscribe", site)
    await page.get_by_role("link", name="Sala de conferințe 2").first.click()
    await expect(page.locator("h1")).to_contain_text("Sala de conferințe 2")
    code = page.url.rsplit("/", 1)[1]
    await page.get_by_role("link", name="Abonați-vă la acest calendar").click()
    field = page.locator("#subscribe-https")
    await expect(field).to_be_visible()
    await expect(page.locator("#subscribe").get_by_role("button").first).to_be_visible()
    link = await field.input_value()
    assert link == f"{site.url}/feeds/rooms/{code}.ics"
    await look(page, "room-subscribe", site)
    assert "BEGIN:VCALENDAR" in await _calendar(link)
    # Focused, the field selects its whole link, ready to be copied by hand.
    await field.focus()
    selected = await page.evaluate(
        "(field => field.value.slice(field.selectionStart, field.selectionEnd))"
        "(document.activeElement)"
    )
    assert selected == link
