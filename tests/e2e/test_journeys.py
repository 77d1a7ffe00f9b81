"""Whole journeys across the pages: a requester finds a free room and books it (in Romanian,
and the same in English), and the same booking made with the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.e2e.conftest import Site, look, sign_in, tab_to, working_day

# (the account, the word for "pending" in its language, a weekday of its own)
JOURNEYS = {
    "ro": ("solicitant.osut.demo@upt.ro", "în așteptare", 3),
    "en": ("extern.demo@example.org", "pending", 2),
}


@pytest.mark.parametrize("language", ["ro", "en"])
async def test_a_requester_finds_a_free_room_and_books_it(
    page: Page, site: Site, language: str
) -> None:
    email, pending, weekday = JOURNEYS[language]
    await sign_in(page, site, email)
    if language == "en":
        # The language is the account's from now on.
        await page.get_by_role("button", name="English").click()
        await expect(page.locator("html")).to_have_attribute("lang", "en")
    day = working_day(5, weekday)
    await page.goto(f"{site.url}/")
    await page.fill("#date", day.isoformat())
    await page.fill("#start", "14:00")
    await page.fill("#end", "16:00")
    await page.fill("#people", "30")
    await page.select_option("#building", "CC")
    await page.click(".finder__form button[type=submit]")
    first = page.locator(".finder__rooms .room-card").first
    await expect(first).to_be_visible()
    building = {"ro": "Centrul de Conferințe", "en": "Conference Centre"}[language]
    await expect(first).to_contain_text(building)
    await look(page, f"journey-{language}-finder", site)
    room = (await first.locator("code").inner_text()).strip()
    await first.locator("a[href^='/book']").click()

    await page.wait_for_selector("#live-check [data-check='free']")
    assert await page.locator(f"#room-{room}").is_checked()
    assert await page.input_value("#start") == "14:00"
    await look(page, f"journey-{language}-form", site)
    await page.click("[data-testid=next]")
    await page.fill("#title", f"Atelier {language}")
    await page.fill("#attendance", "30")
    await page.click("[data-testid=next]")
    await page.fill("#contact_phone", "0256 403 000")
    await page.click("[data-testid=next]")
    await page.click("[data-testid=send]")
    await page.wait_for_url("**/book/sent/*")
    await expect(page.locator("[data-testid=tiers]")).to_be_visible()
    await look(page, f"journey-{language}-sent", site)

    await page.goto(f"{site.url}/requests")
    row = page.locator("#requests tr", has_text=f"Atelier {language}")
    await expect(row).to_contain_text(pending)
    await expect(row).to_contain_text(room)
    await look(page, f"journey-{language}-my-requests", site)


async def test_a_booking_made_with_the_keyboard_alone(page: Page, site: Site) -> None:
    account = site.account("solicitant.ac.demo@upt.ro")
    await page.goto(f"{site.url}/sign-in")
    await tab_to(page, "#email")
    await page.keyboard.type(account.email)
    await tab_to(page, "#password")
    await page.keyboard.type(account.password)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{site.url}/")

    day = working_day(6, 1)
    await page.goto(f"{site.url}/book?room=CC-S3&date={day}&start=09:00&end=10:00&people=12")
    await page.wait_for_selector("#live-check [data-check='free']")
    await tab_to(page, "[data-testid=next]")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#title")
    await tab_to(page, "#title")
    await page.keyboard.type("Seminar de doctorat")
    await tab_to(page, "#attendance")
    await page.keyboard.type("12")
    await tab_to(page, "[data-testid=next]")
    await page.keyboard.press("Enter")
    await page.wait_for_selector("#contact_phone")
    await tab_to(page, "#contact_phone")
    await page.keyboard.type("0256 403 001")
    await tab_to(page, "[data-testid=next]")
    await page.keyboard.press("Enter")
    await tab_to(page, "[data-testid=send]")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/book/sent/*")
    assert "Seminar de doctorat" in await page.locator("main").inner_text()
