"""The layout every page shares: reachable by keyboard, in Romanian first, English on request,
and signing in and out."""

from __future__ import annotations

from playwright.async_api import Page

from tests.e2e.conftest import Site, look, sign_in

REQUESTER = "solicitant.ac.demo@upt.ro"


async def test_a_visitor_meets_romanian_and_can_switch_to_english(page: Page, site: Site) -> None:
    await page.goto(f"{site.url}/rooms")
    assert await page.get_attribute("html", "lang") == "ro"
    assert await page.locator("h1").inner_text() == "Clădiri și săli"
    await look(page, "rooms-ro", site)
    await page.get_by_role("button", name="English").click()
    await page.wait_for_url(f"{site.url}/rooms")
    assert await page.get_attribute("html", "lang") == "en"
    assert await page.locator("h1").inner_text() == "Buildings and rooms"
    await look(page, "rooms-en", site)


async def test_the_skip_link_is_the_first_stop_of_the_keyboard(page: Page, site: Site) -> None:
    await page.goto(f"{site.url}/rooms")
    await page.keyboard.press("Tab")
    focused = await page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"


async def test_signing_in_and_out(page: Page, site: Site) -> None:
    await page.goto(f"{site.url}/sign-in")
    await page.fill("#email", REQUESTER)
    await page.fill("#password", "not the password")
    await page.click("form[action='/sign-in'] button[type=submit]")
    summary = page.locator(".error-summary")
    assert "nu este corectă" in await summary.inner_text()
    assert await page.input_value("#email") == REQUESTER
    await look(page, "sign-in-error", site)
    await sign_in(page, site, REQUESTER)
    name = site.account(REQUESTER).name
    assert name in await page.locator(".site-header").inner_text()
    await page.get_by_role("button", name="Ieșire").click()
    await page.wait_for_load_state("load")
    assert name not in await page.locator(".site-header").inner_text()


async def test_a_page_that_does_not_exist_says_so_and_leads_home(page: Page, site: Site) -> None:
    answer = await page.goto(f"{site.url}/rooms/NU-EXISTA")
    assert answer is not None
    assert answer.status == 404
    assert await page.locator("h1").inner_text() == "Pagina nu a fost găsită"
    await look(page, "not-found", site)
    await page.get_by_role("link", name="Mergi la pagina principală").click()
    await page.wait_for_url(f"{site.url}/")
