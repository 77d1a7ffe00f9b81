"""Which e-mails a user gets: the daily digest and the event reminders may be turned off, in
the API (GET and PATCH /api/auth/me) and on the account page's notifications section."""

from __future__ import annotations

import pytest

from tests.factories import make_user, person
from tests.integration.browsing import post_form, signed_in


@pytest.fixture
async def ana(open_client):
    return await person(open_client, "ana@upt.ro", roles=[("finance", None, None)], name="Ana")


async def _settings(client) -> dict[str, bool]:
    user = (await client.get("/api/auth/me")).json()["user"]
    return {name: user[name] for name in ("daily_digest", "event_reminders")}


async def test_both_are_on_until_turned_off(ana) -> None:
    assert await _settings(ana.client) == {"daily_digest": True, "event_reminders": True}


async def test_each_is_turned_off_and_on_by_itself(ana) -> None:
    response = await ana.client.patch("/api/auth/me", json={"event_reminders": False})
    assert response.status_code == 200, response.text
    assert response.json()["event_reminders"] is False
    assert response.json()["daily_digest"] is True
    assert await _settings(ana.client) == {"daily_digest": True, "event_reminders": False}

    response = await ana.client.patch(
        "/api/auth/me", json={"daily_digest": False, "event_reminders": True}
    )
    assert response.status_code == 200, response.text
    assert await _settings(ana.client) == {"daily_digest": False, "event_reminders": True}
    # a change of something else leaves them as they are
    await ana.client.patch("/api/auth/me", json={"display_name": "Ana Pop"})
    assert await _settings(ana.client) == {"daily_digest": False, "event_reminders": True}


@pytest.mark.parametrize("value", ["no", 0, None])
async def test_only_true_or_false_is_taken(ana, value) -> None:
    response = await ana.client.patch("/api/auth/me", json={"daily_digest": value})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["daily_digest"]
    assert await _settings(ana.client) == {"daily_digest": True, "event_reminders": True}


async def test_an_administrator_sees_them_and_cannot_change_them_for_the_user(api, ana) -> None:
    await ana.client.patch("/api/auth/me", json={"event_reminders": False})
    shown = (await api.get(f"/api/users/{ana.id}")).json()
    assert (shown["daily_digest"], shown["event_reminders"]) == (True, False)
    response = await api.patch(f"/api/users/{ana.id}", json={"event_reminders": True})
    assert response.status_code == 400


async def test_the_account_page_has_a_notifications_section(open_client) -> None:
    await make_user("ioana@upt.ro", name="Ioana")
    browser = await signed_in(open_client, "ioana@upt.ro")
    html = (await browser.get("/account")).text
    assert '<section class="account__section" id="notifications"' in html
    assert 'action="/account/notifications"' in html
    assert 'id="event_reminders" name="event_reminders" type="checkbox" value="1" checked' in html
    assert 'id="daily_digest" name="daily_digest" type="checkbox" value="1" checked' in html
    assert "Decisions on your own requests" in html


async def test_a_box_left_unticked_turns_its_e_mail_off(open_client) -> None:
    await make_user("ioana@upt.ro", name="Ioana")
    browser = await signed_in(open_client, "ioana@upt.ro")
    response = await post_form(
        browser, "/account/notifications", {"event_reminders": "1"}, page="/account"
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account?saved=notifications#notifications"
    assert await _settings(browser) == {"daily_digest": False, "event_reminders": True}

    html = (await browser.get("/account?saved=notifications")).text
    assert 'id="daily_digest" name="daily_digest" type="checkbox" value="1" aria-' in html
    assert 'id="event_reminders" name="event_reminders" type="checkbox" value="1" checked' in html
    # said in the section the form sent the user back to, not at the top of the page
    section = html[html.index('id="notifications"') :]
    assert "Your notification settings have been saved." in section
    assert html.count("Your notification settings have been saved.") == 1

    await post_form(browser, "/account/notifications", {}, page="/account")
    assert await _settings(browser) == {"daily_digest": False, "event_reminders": False}
    await post_form(
        browser,
        "/account/notifications",
        {"daily_digest": "1", "event_reminders": "1"},
        page="/account",
    )
    assert await _settings(browser) == {"daily_digest": True, "event_reminders": True}


async def test_the_form_needs_the_session_s_token(open_client) -> None:
    await make_user("ioana@upt.ro", name="Ioana")
    browser = await signed_in(open_client, "ioana@upt.ro")
    response = await browser.post("/account/notifications", data={"daily_digest": "1"})
    assert response.status_code == 403
    assert await _settings(browser) == {"daily_digest": True, "event_reminders": True}
