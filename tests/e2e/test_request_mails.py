"""A request's e-mails on the embedded service, as people read them: the service, with no SMTP
server and no Redis, writes each one to VAR_DIR/mail after the change that caused it; the
requester, the contact and the library's approver each find theirs, the approval carries its
calendar invitation, and its link opens the request. Pictures of each e-mail's HTML as a mail
client shows it, wide and on a phone, checked by axe-core."""

from __future__ import annotations

import asyncio
import json
import re
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from icalendar import Calendar
from playwright.async_api import Page

from tests.e2e.conftest import AXE, NARROW, SCREENSHOTS, SERIOUS, WIDE, Site, sign_in, working_day

REQUESTER = "solicitant.ac.demo@upt.ro"
APPROVER = "aprobator.bupt.demo@upt.ro"
CONTACT = "ioana.marin@upt.ro"
TITLE = "Atelier de scriere academică (e2e mail)"


def _read(path: Path) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    return message


async def _mail(site: Site, address: str, kind: str) -> EmailMessage:
    """The e-mail of `kind` to `address` about this test's request, once the service wrote it."""
    folder = site.var_dir / "mail"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.eml")) if folder.exists() else []:
            message = _read(path)
            if (
                address in str(message["To"])
                and message["X-Booking-Kind"] == kind
                and TITLE in str(message["Subject"])
            ):
                return message
        await asyncio.sleep(0.2)
    raise AssertionError(f"no {kind} e-mail to {address} in {folder}")


async def _csrf(page: Page) -> str:
    token = await page.get_attribute("input[name=csrf_token]", "value")
    assert token
    return token


async def _request(page: Page, site: Site) -> dict[str, Any]:
    await page.goto(f"{site.url}/requests")
    rooms = await (await page.request.get(f"{site.url}/api/rooms")).json()
    room = next(r["id"] for r in rooms if r["code"] == "BUPT-MULTIMEDIA")
    day = working_day(3, 2)
    answer = await page.request.post(
        f"{site.url}/api/bookings",
        headers={"X-CSRF-Token": await _csrf(page)},
        data={
            "title": TITLE,
            "rooms": [room],
            "start": f"{day}T14:00:00",
            "end": f"{day}T16:00:00",
            "expected_attendance": 25,
            "organiser_name": "Ioana Marin",
            "contact_email": CONTACT,
        },
    )
    assert answer.status == 201, await answer.text()
    body: dict[str, Any] = await answer.json()
    return body


async def _picture(page: Page, message: EmailMessage, name: str, site: Site) -> None:
    """The e-mail's HTML as a mail client shows it: no serious accessibility fault, no
    sideways scrolling on a phone, and its pictures at both widths."""
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    folder = SCREENSHOTS / site.engine
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for width in (WIDE, NARROW):
            await page.set_viewport_size({"width": width, "height": 800})
            await page.set_content(html.get_content())
            overflow = await page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= width, f"{name}: {overflow} px wide at {width} px"
            await page.screenshot(path=str(folder / f"mail-{name}-{width}.png"), full_page=True)
        await page.add_script_tag(path=str(AXE))
        result = await page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})")
        violations = [v for v in result["violations"] if v["impact"] in SERIOUS]
        assert not violations, f"{name}: " + json.dumps([v["id"] for v in violations])
    finally:
        await page.set_viewport_size({"width": WIDE, "height": 900})


async def test_a_request_s_e_mails_reach_each_person_and_the_approval_invites(
    page: Page, site: Site
) -> None:
    await sign_in(page, site, REQUESTER)
    booking = await _request(page, site)

    received = await _mail(site, REQUESTER, "submitted")
    assert received["Content-Language"] == "ro"
    text = received.get_body(("plain",))
    assert text is not None
    assert "Sala multimedia" in text.get_content()
    await _picture(page, received, "submitted", site)
    to_contact = await _mail(site, CONTACT, "submitted")
    assert "Ioana Marin" in str(to_contact["To"])
    asked = await _mail(site, APPROVER, "awaiting_decision")
    await _picture(page, asked, "awaiting-decision", site)

    await page.context.clear_cookies()
    await sign_in(page, site, APPROVER)
    await page.goto(f"{site.url}/requests/{booking['id']}")
    answer = await page.request.post(
        f"{site.url}/api/bookings/{booking['id']}/approve",
        headers={"X-CSRF-Token": await _csrf(page)},
        data={"version": booking["version"], "comment": "Sala este pregătită."},
    )
    assert answer.status == 200, await answer.text()

    approved = await _mail(site, REQUESTER, "approved")
    parts = {p.get_content_type(): p for p in approved.walk() if not p.is_multipart()}
    assert parts["text/calendar"].get_param("method") == "REQUEST"
    invitation = Calendar.from_ical(parts["text/calendar"].get_content())
    (event,) = invitation.walk("VEVENT")
    assert str(event["UID"]).startswith(f"booking-{booking['id']}@")
    assert str(event["ATTENDEE"]).lower() == f"mailto:{REQUESTER}"
    await _picture(page, approved, "approved", site)

    # The link in the e-mail opens the request's page for whoever may see it.
    plain = approved.get_body(("plain",))
    assert plain is not None
    link = re.search(r"https?://\S+/requests/\d+", plain.get_content())
    assert link, plain.get_content()
    await page.goto(link.group(0))
    assert TITLE in await page.locator("h1").inner_text()
