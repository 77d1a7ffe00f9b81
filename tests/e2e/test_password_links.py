"""Passwords set through e-mailed links, in a browser: an invited user chooses a password, and a
forgotten password is set again. With no SMTP server the service writes each e-mail to
VAR_DIR/mail as an .eml file; the tests read the link there, as a person reads it in their mail.

The accounts are made here by the administrator (the demo accounts keep their passwords)."""

from __future__ import annotations

import asyncio
import re
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import httpx
from playwright.async_api import Page, expect

from tests.e2e.conftest import NARROW, SCREENSHOTS, WIDE, Site, look

ADMIN = "admin.demo@upt.ro"
LINK = re.compile(r"https?://\S+/reset-password/[A-Za-z0-9_-]{43}")


async def _invite(site: Site, email: str, name: str) -> None:
    """The administrator makes an account, as a script would: POST /api/users."""
    admin = site.account(ADMIN)
    async with httpx.AsyncClient(base_url=site.url, timeout=15) as http:
        signed = await http.post(
            "/api/auth/login", json={"email": admin.email, "password": admin.password}
        )
        assert signed.status_code == 200, signed.text
        created = await http.post(
            "/api/users",
            json={"email": email, "display_name": name, "language": "ro"},
            headers={"X-CSRF-Token": signed.json()["csrf_token"]},
        )
        assert created.status_code == 201, created.text


def _read(path: Path) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


async def _mail_to(site: Site, address: str, seen: set[Path]) -> EmailMessage:
    """The next e-mail to `address` the service writes, not among `seen`."""
    folder = site.var_dir / "mail"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
            if path in seen:
                continue
            message = _read(path)
            if address in str(message["To"]):
                seen.add(path)
                return message
        await asyncio.sleep(0.2)
    raise AssertionError(f"no e-mail to {address} was written to {folder}")


def _link(message: EmailMessage) -> str:
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    found = LINK.search(text.get_content())
    assert found, text.get_content()
    return found.group(0)


async def _picture(page: Page, message: EmailMessage, name: str, site: Site) -> None:
    """Pictures of the e-mail's HTML as a mail client shows it, wide and on a phone."""
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    folder = SCREENSHOTS / site.engine
    folder.mkdir(parents=True, exist_ok=True)
    for width in (WIDE, NARROW):
        await page.set_viewport_size({"width": width, "height": 800})
        await page.set_content(html.get_content())
        await page.screenshot(path=str(folder / f"mail-{name}-{width}.png"), full_page=True)
    await page.set_viewport_size({"width": WIDE, "height": 900})


def _sent_so_far(site: Site) -> set[Path]:
    return set((site.var_dir / "mail").glob("*.eml"))


async def _set_password(page: Page, link: str, password: str) -> None:
    await page.goto(link)
    await page.fill("#password", password)
    await page.click("main form button[type=submit]")
    await page.wait_for_url("**/sign-in?password=set")


async def _sign_in_as(page: Page, site: Site, email: str, password: str) -> None:
    await page.goto(f"{site.url}/sign-in")
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.click("form[action='/sign-in'] button[type=submit]")
    await page.wait_for_load_state("load")


async def test_an_invited_user_chooses_a_password(page: Page, site: Site) -> None:
    email = f"invitat.{site.engine}@upt.ro"
    seen = _sent_so_far(site)
    await _invite(site, email, "Ioana Invitată")
    mail = await _mail_to(site, email, seen)
    assert "Administrator (demo)" in str(mail["Subject"])
    await _picture(page, mail, "invitation", site)
    link = _link(mail)
    assert link.startswith(site.url)

    await page.goto(link)
    await expect(page.locator("h1")).to_have_text("Bun venit! Alegeți o parolă")
    await expect(page.locator("main")).to_contain_text(email)
    await look(page, "invitation", site)
    await page.fill("#password", "scurtă")
    await page.click("main form button[type=submit]")
    await expect(page.locator(".error-summary")).to_contain_text(
        "Parola nouă: trebuie să aibă cel puțin 10 caractere"
    )
    await look(page, "invitation-short-password", site)
    await page.fill("#password", "parola mea lungă de invitată")
    await page.click("main form button[type=submit]")
    await page.wait_for_url("**/sign-in?password=set")
    await expect(page.locator("[role=status]")).to_contain_text("Parola a fost stabilită")
    await look(page, "sign-in-after-password", site)

    await _sign_in_as(page, site, email, "parola mea lungă de invitată")
    await expect(page.locator(".site-header")).to_contain_text("Ioana Invitată")
    # The link was for once.
    await page.goto(link)
    await expect(page.locator("h1")).to_have_text("Această legătură nu poate fi folosită")
    await expect(page.locator("main")).to_contain_text("a fost deja folosită")


async def test_a_forgotten_password_is_set_again(page: Page, site: Site) -> None:
    email = f"uituc.{site.engine}@upt.ro"
    old, new = "parola veche și lungă", "parola nouă și lungă"
    seen = _sent_so_far(site)
    await _invite(site, email, "Radu Uituc")
    await _set_password(page, _link(await _mail_to(site, email, seen)), old)

    await page.goto(f"{site.url}/sign-in")
    await page.get_by_role("link", name="Ați uitat parola?").click()
    await page.wait_for_url("**/forgot-password")
    await look(page, "forgot-password", site)
    await page.fill("#email", email)
    await page.get_by_role("button", name="Trimiteți-mi o legătură").click()
    await page.wait_for_url("**/forgot-password/sent")
    await expect(page.locator("h1")).to_have_text("Verificați-vă e-mailul")
    await look(page, "forgot-password-sent", site)

    mail = await _mail_to(site, email, seen)
    assert "parolă nouă" in str(mail["Subject"])
    text = mail.get_body(preferencelist=("plain",))
    assert text is not None
    assert "ignorați acest e-mail" in text.get_content()
    await _picture(page, mail, "password-reset", site)
    link = _link(mail)
    await page.goto(link)
    await expect(page.locator("h1")).to_have_text("Alegeți o parolă nouă")
    await look(page, "set-password", site)
    await page.fill("#password", new)
    await page.click("main form button[type=submit]")
    await page.wait_for_url("**/sign-in?password=set")

    await _sign_in_as(page, site, email, old)
    await expect(page.locator(".error-summary")).to_be_visible()
    assert "/sign-in" in page.url
    await _sign_in_as(page, site, email, new)
    await expect(page.locator(".site-header")).to_contain_text("Radu Uituc")

    await page.goto(link)
    await expect(page.locator("h1")).to_have_text("Această legătură nu poate fi folosită")
    await look(page, "link-used", site)


async def test_an_address_without_an_account_is_told_the_same(page: Page, site: Site) -> None:
    await page.goto(f"{site.url}/forgot-password")
    await page.fill("#email", f"nimeni.{site.engine}@upt.ro")
    await page.get_by_role("button", name="Trimiteți-mi o legătură").click()
    await page.wait_for_url("**/forgot-password/sent")
    await expect(page.locator("h1")).to_have_text("Verificați-vă e-mailul")
