"""The booking form in a browser: a requester books a room, meets a conflict and takes a
suggested time, and books a weekly series leaving out its one taken date.

CC-SEDINTE books at once (an instant-book room): a request there holds the room as soon as it
is sent, so each test makes the conflict it needs through the form itself. Each test uses
dates of its own, some weeks ahead.
"""

from __future__ import annotations

from datetime import date, timedelta

from playwright.async_api import Page, expect

from tests.e2e.conftest import Site, look, sign_in, working_day

REQUESTER = "solicitant.ac.demo@upt.ro"
ROOM = "CC-SEDINTE"


async def live_check(page: Page, state: str) -> None:
    """Wait for the live check (htmx, after the user stops typing) to say `state`."""
    await page.wait_for_selector(f"#live-check [data-check='{state}']")


async def through_the_steps(page: Page, site: Site, title: str, shots: str = "") -> None:
    """From step 1, answered and free, to the confirmation page."""
    await page.click("[data-testid=next]")
    await page.wait_for_selector("#title")
    if shots:
        await look(page, f"{shots}-2-event", site)
    await page.fill("#title", title)
    await page.fill("#attendance", "10")
    await page.click("[data-testid=next]")
    await page.wait_for_selector("#organiser_name")
    if shots:
        await look(page, f"{shots}-3-organiser", site)
    await page.fill("#contact_phone", "0256 403 000")
    await page.click("[data-testid=next]")
    await page.wait_for_selector("[data-testid=send]")
    if shots:
        await look(page, f"{shots}-4-check", site)
    await page.click("[data-testid=send]")
    await page.wait_for_url("**/book/sent/*")


async def book(page: Page, site: Site, day: date, start: str, end: str, title: str) -> None:
    await page.goto(f"{site.url}/book?room={ROOM}&date={day}&start={start}&end={end}&people=10")
    await live_check(page, "free")
    await through_the_steps(page, site, title)


async def test_a_requester_books_a_room(page: Page, site: Site) -> None:
    await sign_in(page, site, REQUESTER)
    day = working_day(3, 1)
    await page.goto(f"{site.url}/book?room={ROOM}&date={day}&people=10")
    await look(page, "form-1-when-empty", site)
    # The live check answers as the times are typed, without sending the form.
    await page.fill("#start", "10:00")
    await page.fill("#end", "11:00")
    await live_check(page, "free")
    await look(page, "form-1-when", site)
    await through_the_steps(page, site, "Ședința catedrei", shots="form")
    assert "Ședința catedrei" in await page.locator("main").inner_text()
    await look(page, "form-5-sent", site)


async def test_a_conflict_and_a_suggested_time_taken_in_one_click(page: Page, site: Site) -> None:
    await sign_in(page, site, REQUESTER)
    day = working_day(4, 2)
    await book(page, site, day, "10:00", "11:00", "Consiliul departamentului")
    await page.goto(f"{site.url}/book?room={ROOM}&date={day}&start=10:00&end=11:00&people=10")
    await live_check(page, "taken")
    await look(page, "form-1-taken", site)
    await page.click("#live-check [data-take='time:11:00-12:00']")
    await page.wait_for_load_state("load")
    assert await page.input_value("#start") == "11:00"
    assert await page.input_value("#end") == "12:00"
    await live_check(page, "free")
    await through_the_steps(page, site, "Seminar mutat")
    assert "11:00" in await page.locator("main").inner_text()


async def test_a_weekly_series_leaving_out_a_taken_date(page: Page, site: Site) -> None:
    await sign_in(page, site, REQUESTER)
    first = working_day(5, 3, series=3)
    taken = first + timedelta(days=7)
    await book(page, site, taken, "10:00", "11:00", "Examen")
    await page.goto(f"{site.url}/book?room={ROOM}&date={first}&start=10:00&end=11:00&people=10")
    await page.click(".series-fields > summary")
    await page.select_option("#repeat", "weekly")
    await page.check("#ends-count")
    await page.fill("#count", "3")
    await live_check(page, "series")
    dates = page.locator("#live-check .series-date")
    assert await dates.count() == 3
    assert await page.locator(f"[data-date='{taken}'].series-date--taken").count() == 1
    await look(page, "form-1-series", site)
    # Without leaving the taken date out, the form does not go on.
    await page.click("[data-testid=next]")
    await page.wait_for_selector("#skip-error")
    await page.check(f"#skip-{taken}")
    # Once the date is left out, the live check takes back what the last sending said.
    await page.wait_for_selector("#skip-error", state="detached")
    await expect(page.locator(".error-summary")).to_have_count(0)
    await through_the_steps(page, site, "Curs săptămânal")
    text = await page.locator("main").inner_text()
    assert "(2)" in text  # two dates requested
    assert "(1)" in text  # one left out
    await look(page, "form-5-series-sent", site)
