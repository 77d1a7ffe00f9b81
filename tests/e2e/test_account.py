"""The account page in a browser: the name, the language, a refused password change, an API
token made (shown once) and revoked after its confirmation. It uses the finance demo account,
and puts back what it changes, so other tests meet the demo data as seeded."""

from __future__ import annotations

from playwright.async_api import Page

from tests.e2e.conftest import Site, look, sign_in

WHO = "financiar.demo@upt.ro"


async def _open_account(page: Page, site: Site) -> None:
    await sign_in(page, site, WHO)
    await page.goto(f"{site.url}/account")
    assert await page.locator("h1").inner_text() == "Contul meu"


async def test_the_name_and_the_language(page: Page, site: Site) -> None:
    await _open_account(page, site)
    await look(page, "account", site)
    name = site.account(WHO).name
    assert await page.input_value("#display_name") == name
    await page.fill("#display_name", "Ioana Financiar")
    await page.get_by_role("button", name="Salvează numele").click()
    await page.wait_for_url(f"{site.url}/account?saved=name")
    assert "Numele a fost salvat." in await page.locator("[role=status]").inner_text()
    assert "Ioana Financiar" in await page.locator(".site-header").inner_text()

    await page.select_option("#language", "en")
    await page.get_by_role("button", name="Salvează limba").click()
    await page.wait_for_url(f"{site.url}/account?saved=language")
    assert await page.get_attribute("html", "lang") == "en"
    assert await page.locator("h1").inner_text() == "Your account"
    await look(page, "account-en", site)

    # back as seeded
    await page.fill("#display_name", name)
    await page.get_by_role("button", name="Save the name").click()
    await page.wait_for_url(f"{site.url}/account?saved=name")
    await page.select_option("#language", "ro")
    await page.get_by_role("button", name="Save the language").click()
    await page.wait_for_url(f"{site.url}/account?saved=language")
    assert await page.get_attribute("html", "lang") == "ro"


async def test_a_refused_password_change(page: Page, site: Site) -> None:
    await _open_account(page, site)
    await page.fill("#current_password", "not my password at all")
    await page.fill("#new_password", "short")
    await page.get_by_role("button", name="Schimbă parola").click()
    await page.wait_for_load_state("load")
    summary = page.locator(".error-summary")
    assert "Parola actuală: nu este parola dumneavoastră actuală" in await summary.inner_text()
    # the summary has the focus, and its link leads to the field
    assert await page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert await page.get_attribute("#current_password", "aria-describedby") == (
        "current_password-error"
    )
    assert await page.input_value("#current_password") == ""
    assert await page.input_value("#new_password") == ""
    await look(page, "account-password-error", site)
    await summary.get_by_role("link").first.click()
    assert await page.evaluate("document.activeElement.id") == "current_password"


async def test_a_token_is_shown_once_then_revoked(page: Page, site: Site) -> None:
    await _open_account(page, site)
    await page.fill("#token_name", "script orar e2e")
    await page.get_by_role("button", name="Creează tokenul").click()
    await page.wait_for_load_state("load")
    token = await page.input_value("#new-token")
    assert token.startswith("upt_")
    assert "doar de această dată" in await page.locator(".account__new-token").inner_text()
    assert await page.get_by_role("button", name="Copiază").is_visible()
    await look(page, "account-token", site)

    await page.get_by_role("link", name="Revocă script orar e2e").click()
    await page.wait_for_load_state("load")
    assert "script orar e2e" in await page.locator("h1").inner_text()
    await look(page, "account-revoke", site)
    await page.get_by_role("button", name="Revocă tokenul").click()
    await page.wait_for_url(f"{site.url}/account?saved=revoked")
    assert "Tokenul a fost revocat." in await page.locator("[role=status]").inner_text()
    assert "script orar e2e" not in await page.locator("main").inner_text()
    assert token not in await page.content()


async def test_the_notifications_are_turned_off_and_on(page: Page, site: Site) -> None:
    await _open_account(page, site)
    section = page.locator("#notifications")
    assert await section.get_by_role("heading", level=2).inner_text() == "Notificări"
    assert "întotdeauna" in await section.inner_text()
    reminders = section.get_by_label("Memento cu o zi înainte de eveniment")
    digest = section.get_by_label("Rezumatul zilnic al cererilor care așteaptă decizia")
    assert await reminders.is_checked()
    assert await digest.is_checked()

    await reminders.uncheck()
    await digest.uncheck()
    await section.get_by_role("button", name="Salvează notificările").click()
    await page.wait_for_url(f"{site.url}/account?saved=notifications#notifications")
    assert "Notificările au fost salvate." in await section.locator("[role=status]").inner_text()
    assert not await reminders.is_checked()
    assert not await digest.is_checked()
    await look(page, "account-notifications", site)
    # it sticks: the page read afresh says the same
    await page.goto(f"{site.url}/account")
    assert not await reminders.is_checked()
    assert not await digest.is_checked()

    # with the keyboard, as seeded again
    await reminders.focus()
    await page.keyboard.press("Space")
    await digest.focus()
    await page.keyboard.press("Space")
    await section.get_by_role("button", name="Salvează notificările").press("Enter")
    await page.wait_for_url(f"{site.url}/account?saved=notifications#notifications")
    assert await reminders.is_checked()
    assert await digest.is_checked()
    await page.goto(f"{site.url}/account")
    assert await reminders.is_checked()
    assert await digest.is_checked()
