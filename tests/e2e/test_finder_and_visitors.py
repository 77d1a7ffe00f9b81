"""A requester finds a free room from the home page; a visitor reads a room's week."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from tests.e2e.conftest import Site, look, working_day


async def test_a_requester_finds_a_free_room_and_goes_to_the_form(page: Page, site: Site) -> None:
    await page.goto(f"{site.url}/")
    await look(page, "finder-empty", site)
    day = working_day(3, 1).isoformat()
    await page.get_by_label("Data").fill(day)
    await page.get_by_label("Început").fill("14:00")
    await page.get_by_label("Sfârșit").fill("16:00")
    await page.get_by_label("Persoane").fill("40")
    await page.get_by_role("button", name="Caută săli libere").click()
    await expect(page.locator(".finder__rooms .room-card").first).to_be_visible()
    assert f"date={day}" in page.url
    first = page.locator(".finder__rooms .room-card").first
    await expect(first).to_contain_text("40")  # the smallest room that fits comes first
    link = await first.get_by_role("link", name="Rezervă această sală").get_attribute("href")
    assert link is not None
    assert f"date={day}&start=14:00&end=16:00&people=40" in link.replace("&amp;", "&")
    await look(page, "finder-results", site)
    # Live: choosing a building updates the answer and the address.
    await page.get_by_label("Clădirea").select_option("REC")
    await expect(page).to_have_url(re.compile(r"building=REC"))
    await expect(page.locator(".finder__rooms")).to_contain_text("REC-")
    await expect(page.locator(".finder__rooms")).not_to_contain_text("CC-")


async def test_a_visitor_reads_a_room_week(page: Page, site: Site) -> None:
    await page.goto(f"{site.url}/rooms")
    await page.get_by_role("link", name="Sala de conferințe 2").first.click()
    await expect(page.locator("h1")).to_contain_text("Sala de conferințe 2")
    await expect(page.locator(".week__day")).to_have_count(7)
    await look(page, "room-week", site)
    await page.get_by_role("link", name="Săptămâna următoare").click()
    await expect(page.locator(".week__day")).to_have_count(7)
    assert "week=" in page.url
    await page.goto(f"{site.url}/events")
    await look(page, "events", site)
