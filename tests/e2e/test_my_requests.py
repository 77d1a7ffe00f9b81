"""A requester's own requests in the browser: the list, a series' page, cancelling one date and
editing the request from it, and the history that says what happened."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from tests.e2e.conftest import Site, look, sign_in, working_day

REQUESTER = "solicitant.ac.demo@upt.ro"


async def _series(page: Page, site: Site, title: str) -> dict[str, Any]:
    """A weekly series of four Tuesdays in CC-S2, sent through the API as the signed-in user
    (none of them a public holiday)."""
    token = await page.get_attribute("input[name=csrf_token]", "value")
    assert token
    rooms = await (await page.request.get(f"{site.url}/api/rooms")).json()
    room = next(r["id"] for r in rooms if r["code"] == "CC-S2")
    first = working_day(4, 1, series=4)
    answer = await page.request.post(
        f"{site.url}/api/bookings",
        headers={"X-CSRF-Token": token},
        data={
            "title": title,
            "rooms": [room],
            "start": f"{first}T10:00:00",
            "end": f"{first}T12:00:00",
            "expected_attendance": 20,
            "organiser_name": "Ana Popescu",
            "contact_email": "ana.popescu@upt.ro",
            "recurrence": {"frequency": "weekly", "weekdays": [1], "count": 4},
            "on_conflict": "skip",
        },
    )
    assert answer.status == 201, await answer.text()
    body: dict[str, Any] = await answer.json()
    return body


async def test_a_requester_edits_cancels_one_date_and_sees_the_history(
    page: Page, site: Site
) -> None:
    await sign_in(page, site, REQUESTER)
    await page.goto(f"{site.url}/requests")
    booking = await _series(page, site, "Curs de robotică (e2e)")
    await page.goto(f"{site.url}/requests")
    row = page.locator(f"#requests tr[data-request='{booking['id']}']")
    assert "în așteptare" in await row.inner_text()
    await look(page, "my-requests", site)

    await row.get_by_role("link", name="Curs de robotică (e2e)").click()
    await page.wait_for_url(f"{site.url}/requests/{booking['id']}")
    assert await page.locator("#dates tbody tr").count() >= 2
    await look(page, "my-request", site)

    # Cancel the second date, after the confirmation step.
    second = page.locator("#dates tbody tr").nth(1)
    day = await second.get_attribute("data-date")
    await second.locator("a.cancel-date").click()
    await look(page, "my-request-cancel-date", site)
    await page.fill("#comment", "zi liberă")
    await page.click("#confirm-form button[type=submit]")
    await page.wait_for_url(f"{site.url}/requests/{booking['id']}?done=date_cancelled")
    assert "anulată" in await page.locator(f"#dates tr[data-date='{day}']").inner_text()
    assert await page.locator("#done").is_visible()

    # Edit the title.
    await page.click("#edit-request")
    await look(page, "my-request-edit", site)
    await page.fill("#title", "Curs de robotică avansată (e2e)")
    await page.click("#edit-form button[type=submit]")
    await page.wait_for_url(f"{site.url}/requests/{booking['id']}?done=edited")
    assert await page.locator("h1").inner_text() == "Curs de robotică avansată (e2e) #" + str(
        booking["id"]
    )

    # The history says it in words, newest first.
    history = page.locator("#history .history__entry")
    assert await history.count() == 3
    newest = await history.nth(0).inner_text()
    assert "a modificat cererea" in newest
    assert "Titlu" in newest
    cancelled = await history.nth(1).inner_text()
    assert "a anulat data" in cancelled
    assert "zi liberă" in cancelled
    assert "a creat cererea" in await history.nth(2).inner_text()
    assert "date_cancelled" not in await page.locator("#history").inner_text()
    await look(page, "my-request-history", site)
