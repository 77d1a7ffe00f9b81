"""The building calendar in a browser: a visitor chooses a building and moves between days and
the week; a requester selects a free span on the drawn calendar and lands on the booking form
with that room and time; on a phone the list by room is what shows."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from playwright.async_api import Page

from tests.e2e.conftest import NARROW, Site, look, sign_in

REQUESTER = "solicitant.ac.demo@upt.ro"


def _next_monday() -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


async def test_a_visitor_moves_through_a_buildings_days_and_week(page: Page, site: Site) -> None:
    await page.goto(f"{site.url}/calendar")
    await look(page, "calendar-buildings", site)
    await page.get_by_role("link", name="Centrul de Conferințe").click()
    await page.wait_for_url(re.compile(r"/calendar/CC$"))
    # The drawing appears once its script has run; the list by room is there regardless.
    await page.locator(".ec-col-head").first.wait_for()
    assert await page.locator("#room-list .cal-room").count() >= 2
    await look(page, "calendar-day", site)

    await page.get_by_role("link", name="Ziua următoare").click()
    await page.wait_for_url(re.compile(r"view=day"))
    await page.fill("#cal-date", _next_monday().isoformat())
    await page.get_by_role("button", name="Arată").click()
    await page.wait_for_url(re.compile(f"date={_next_monday().isoformat()}"))
    await page.get_by_role("link", name="Săptămână", exact=True).click()
    await page.wait_for_url(re.compile(r"view=week"))
    await page.locator(".ec-timeline").wait_for()
    assert await page.locator("#room-list .cal-day").count() >= 7
    await look(page, "calendar-week", site)


async def test_selecting_a_free_span_starts_a_request_there(page: Page, site: Site) -> None:
    await sign_in(page, site, REQUESTER)
    monday = _next_monday()
    await page.goto(f"{site.url}/calendar/CC?date={monday.isoformat()}")
    await page.locator(".ec-col-head").first.wait_for()
    pane = page.locator(".ec-body")
    await pane.scroll_into_view_if_needed()
    column = await page.locator(".ec-col-head").nth(1).bounding_box()
    body = await pane.bounding_box()
    assert column is not None
    assert body is not None
    x = column["x"] + column["width"] / 2
    top = body["y"] + 4 * 28 + 4  # the view starts at the working day: two hours in
    await page.mouse.move(x, top)
    await page.mouse.down()
    await page.mouse.move(x, top + 20)
    await page.mouse.move(x, top + 2 * 28 + 10)
    await page.mouse.up()
    await page.wait_for_url(re.compile(r"/book\?"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["room"] == ["CC-FOAIER"]
    assert query["date"] == [monday.isoformat()]
    start, end = query["start"][0], query["end"][0]
    assert re.fullmatch(r"\d\d:\d\d", start)
    assert re.fullmatch(r"\d\d:\d\d", end)
    assert start < end


async def test_on_a_phone_the_list_by_room_offers_the_free_periods(page: Page, site: Site) -> None:
    await page.set_viewport_size({"width": NARROW, "height": 800})
    monday = _next_monday()
    await page.goto(f"{site.url}/calendar/CC?date={monday.isoformat()}")
    assert not await page.locator(".cal-graphic").is_visible()
    book = page.locator("#room-list a.cal-item__action").first
    assert await book.is_visible()
    href = await book.get_attribute("href")
    assert href is not None
    assert href.startswith("/book?room=CC-")
    assert f"date={monday.isoformat()}" in href
