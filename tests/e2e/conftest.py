"""End-to-end: the real `booking serve` with the demo data, driven by Debian's chromium through
Playwright, on each engine.

`look(page, name)` is called on every page a test reaches: axe-core (from npm) must report no
serious or critical violation, the page must fit 360 px without sideways scrolling, and
screenshots at 1280 and 360 px are saved under tests/e2e/screenshots/<engine>/ (ignored by git).
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from booking.settings import Settings
from tests.conftest import (
    POSTGRES_ADMIN_URL,
    ROOT,
    TEST_SECRET,
    _database_url,
    free_port,
    run_booking,
    start_booking_server,
)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
WIDE, NARROW = 1280, 360


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    name: str


@dataclass(frozen=True)
class Site:
    url: str
    engine: str
    accounts: dict[str, Account]  # by e-mail, the demo accounts of the seeded service
    var_dir: Path  # its VAR_DIR: with no SMTP server, its e-mail is written under mail/

    def account(self, email: str) -> Account:
        return self.accounts[email]


def _demo_accounts(var_dir: Path) -> dict[str, Account]:
    accounts = {}
    for line in (var_dir / "demo-accounts.txt").read_text().splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and "@" in parts[0]:
            accounts[parts[0]] = Account(*parts)
    return accounts


@pytest.fixture(scope="session")
async def site(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    """A service of its own (its own database, seeded with the demo data) on the engine of
    `settings`, served by the real command on a free port."""
    engine = settings.database.engine
    var_dir = tmp_path_factory.mktemp(f"e2e-{engine}")
    admin = None
    name = f"booking_e2e_{uuid.uuid4().hex[:12]}"
    if engine == "sqlite":
        env = {"DATABASE_URL": f"sqlite:///{var_dir}/booking.sqlite3", "VAR_DIR": str(var_dir)}
    else:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        await admin.execute(f'CREATE DATABASE "{name}"')
        env = {
            "DATABASE_URL": _database_url(POSTGRES_ADMIN_URL, name),
            "SECRET_KEY": TEST_SECRET,
            "VAR_DIR": str(var_dir),
        }
    try:
        run_booking(env, "migrate")
        run_booking(env, "seed")
        # The service knows its own address, as in production: the links it gives (a calendar
        # feed's) lead back to it.
        port = free_port()
        env["BASE_URL"] = f"http://127.0.0.1:{port}"
        server, url = start_booking_server(env, port=port)
        try:
            yield Site(url, engine, _demo_accounts(var_dir), var_dir)
        finally:
            server.terminate()
            server.communicate(timeout=30)
    finally:
        if admin is not None:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    # axe is injected as a script tag, which the pages' strict CSP would refuse.
    made = await browser.new_context(
        viewport={"width": WIDE, "height": 900}, bypass_csp=True, locale="ro-RO"
    )
    made.set_default_timeout(15_000)
    try:
        yield made
    finally:
        await made.close()


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    opened = await context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    # A page answered with 422 (a form with errors) is expected; a script, style or data
    # request that fails is not.
    opened.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )
    opened.script_errors = problems  # type: ignore[attr-defined]
    return opened


SERIOUS = ("serious", "critical")


async def look(page: Page, name: str, site: Site) -> None:
    """Check the page as a person meets it, and keep its pictures."""
    errors = getattr(page, "script_errors", [])
    assert not errors, f"{name}: the page's scripts failed: {errors}"
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']})"
    )
    violations = [v for v in result["violations"] if v["impact"] in SERIOUS]
    assert not violations, f"{name}: axe found " + json.dumps(
        [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in violations
        ],
        indent=1,
    )
    folder = SCREENSHOTS / site.engine
    folder.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(folder / f"{name}-{WIDE}.png"), full_page=True)
    await page.set_viewport_size({"width": NARROW, "height": 800})
    try:
        overflow = await page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= NARROW, f"{name}: {overflow} px wide at {NARROW} px"
        await page.screenshot(path=str(folder / f"{name}-{NARROW}.png"), full_page=True)
    finally:
        await page.set_viewport_size({"width": WIDE, "height": 900})


async def sign_in(page: Page, site: Site, email: str) -> None:
    account = site.account(email)
    await page.goto(f"{site.url}/sign-in")
    await page.fill("#email", account.email)
    await page.fill("#password", account.password)
    await page.click("form[action='/sign-in'] button[type=submit]")
    await page.wait_for_load_state("load")
    assert "/sign-in" not in page.url, f"could not sign in as {email}"


def working_day(weeks: int, weekday: int, series: int = 1) -> date:
    """A date `weeks` ahead on `weekday` (0 = Monday) that the demo rooms are open on, and the
    same weekday of the `series` - 1 weeks after it: a later week's when one of them is a public
    holiday, which the demo data closes."""
    from booking.seed import PUBLIC_HOLIDAYS

    closed = {holiday.day for holiday in PUBLIC_HOLIDAYS}
    today = date.today()
    day = today + timedelta(days=7 * weeks - today.weekday() + weekday)
    while any(day + timedelta(weeks=n) in closed for n in range(series)):
        day += timedelta(days=7)
    return day


async def tab_to(page: Page, selector: str, presses: int = 120) -> None:
    """Press Tab until the element matching `selector` has the focus, as a keyboard user would
    reach it; it must show that it has the focus."""
    target = page.locator(selector)
    for _ in range(presses):
        await page.keyboard.press("Tab")
        if await target.evaluate("element => element === document.activeElement"):
            outline = await target.evaluate(
                "element => getComputedStyle(element).outlineStyle"
                " + ' ' + getComputedStyle(element).boxShadow"
            )
            assert outline != "none none", f"{selector} has the focus but does not show it"
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")
