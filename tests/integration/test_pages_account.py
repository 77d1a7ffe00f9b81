"""The account page: name, language, password and API tokens, each a small form with its
token; a refused form keeps what was typed (never a password) and says why beside the field."""

from __future__ import annotations

import re

import pytest

from booking.accounts.throttle import ACCOUNT_LIMIT
from tests.factories import PASSWORD, make_organisation, make_user
from tests.integration.browsing import form_token, post_form, sign_in_by_form, signed_in, visitor

NEW_PASSWORD = "a brand new long password"


@pytest.fixture
async def ana(open_client):
    organisation = await make_organisation(code="DCI", name="Departamentul de Comunicare")
    return await make_user("ana@upt.ro", organisations=[organisation["id"]], name="Ana Pop")


async def test_the_account_page_needs_a_sign_in(open_client) -> None:
    response = await open_client().get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Faccount"


async def test_the_page_shows_the_account(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    response = await browser.get("/account")
    assert response.status_code == 200
    html = response.text
    assert "Your account" in html  # the account speaks English (the tests' users do)
    assert "ana@upt.ro" in html
    assert "Departamentul de Comunicare" in html
    assert 'value="Ana Pop"' in html
    assert "You have no API tokens." in html
    for action in ("/account/name", "/language", "/account/password", "/account/tokens#tokens"):
        assert f'action="{action}"' in html
    # every form carries the session's token
    assert html.count('name="csrf_token"') >= 6


async def test_the_name_changes(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    response = await post_form(browser, "/account/name", {"display_name": " Ana Popescu "})
    assert response.status_code == 303
    assert response.headers["location"] == "/account?saved=name"
    page = await browser.get("/account?saved=name")
    assert "Your name has been saved." in page.text
    assert 'value="Ana Popescu"' in page.text
    assert (await browser.get("/api/auth/me")).json()["user"]["display_name"] == "Ana Popescu"


@pytest.mark.parametrize(
    ("typed", "said"), [("   ", "Enter your name"), ("x" * 201, "at most 200 characters")]
)
async def test_a_refused_name_is_said_beside_the_field_and_kept(
    open_client, ana, typed, said
) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    response = await post_form(browser, "/account/name", {"display_name": typed})
    assert response.status_code == 422
    assert said in response.text
    assert 'id="display_name-error"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert f'value="{typed}"' in response.text
    assert 'href="#display_name"' in response.text  # the summary links to the field
    assert (await browser.get("/api/auth/me")).json()["user"]["display_name"] == "Ana Pop"


async def test_the_language_is_chosen_on_the_account_page(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    page = await browser.get("/account")
    assert '<option value="en" selected>' in page.text
    response = await browser.post(
        "/language",
        data={
            "language": "ro",
            "next": "/account?saved=language",
            "csrf_token": form_token(page.text),
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account?saved=language"
    page = await browser.get("/account?saved=language")
    assert "Limba a fost salvată." in page.text
    assert '<html lang="ro">' in page.text
    assert '<option value="ro" selected>' in page.text


async def test_the_password_changes_and_this_session_stays(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    elsewhere = await signed_in(open_client, "ana@upt.ro")
    response = await post_form(
        browser,
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account?saved=password"
    page = await browser.get("/account?saved=password")
    assert page.status_code == 200
    assert "You were signed out everywhere else." in page.text
    # the other session has ended; the new password signs in, the old one no longer does
    assert (await elsewhere.get("/account")).status_code == 303
    fresh = await visitor(open_client)
    assert (await sign_in_by_form(fresh, "ana@upt.ro", PASSWORD)).status_code == 422
    assert (await sign_in_by_form(fresh, "ana@upt.ro", NEW_PASSWORD)).status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "field", "said"),
    [
        ("not my password", NEW_PASSWORD, "current_password", "is not your current password"),
        (PASSWORD, "short", "new_password", "at least 10 characters"),
        ("", "", "current_password", "Enter your current password"),
    ],
)
async def test_a_refused_password_change_keeps_no_password(
    open_client, ana, current, new, field, said
) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    response = await post_form(
        browser, "/account/password", {"current_password": current, "new_password": new}
    )
    assert response.status_code == 422
    assert said in response.text
    assert f'id="{field}-error"' in response.text
    for typed in {current, new} - {""}:
        assert typed not in response.text
    fresh = await visitor(open_client)
    assert (await sign_in_by_form(fresh, "ana@upt.ro", PASSWORD)).status_code == 303


async def test_wrong_current_passwords_are_throttled_as_sign_ins(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    wrong = {"current_password": "guess number one", "new_password": NEW_PASSWORD}
    for _ in range(ACCOUNT_LIMIT):
        assert (await post_form(browser, "/account/password", wrong)).status_code == 422
    right = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    response = await post_form(browser, "/account/password", right)
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "Too many attempts: try again in" in response.text
    assert 'id="current_password-error"' in response.text
    # the same counter as the sign-in form's
    fresh = await visitor(open_client)
    refused = await sign_in_by_form(fresh, "ana@upt.ro", PASSWORD)
    assert "Prea multe încercări" in refused.text  # a visitor reads Romanian


async def test_a_token_is_shown_once_and_listed(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    response = await post_form(browser, "/account/tokens", {"token_name": "timetable script"})
    assert response.status_code == 200
    secret = re.search(r'id="new-token" type="text" value="([^"]+)"', response.text)
    assert secret, response.text
    assert "it is shown only this once" in response.text
    me = await open_client(secret.group(1)).get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "ana@upt.ro"
    page = await browser.get("/account")
    assert "timetable script" in page.text
    assert secret.group(1) not in page.text
    assert "Never" not in page.text  # it has been used just now
    rows = (await browser.get("/api/auth/tokens")).json()
    assert [row["name"] for row in rows] == ["timetable script"]


async def test_a_token_needs_a_name(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    response = await post_form(browser, "/account/tokens", {"token_name": "  "})
    assert response.status_code == 422
    assert "Enter a name for the token" in response.text
    assert 'id="token_name-error"' in response.text
    long_name = "n" * 101
    response = await post_form(browser, "/account/tokens", {"token_name": long_name})
    assert response.status_code == 422
    assert f'value="{long_name}"' in response.text
    assert (await browser.get("/api/auth/tokens")).json() == []


async def test_a_token_is_revoked_after_a_confirmation(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    made = await post_form(browser, "/account/tokens", {"token_name": "old script"})
    secret = re.search(r'id="new-token" type="text" value="([^"]+)"', made.text)
    assert secret
    (token,) = (await browser.get("/api/auth/tokens")).json()
    confirm = await browser.get(f"/account/tokens/{token['id']}/revoke")
    assert confirm.status_code == 200
    assert "Revoke the token “old script”?" in confirm.text
    # opening the confirmation changes nothing
    assert (await open_client(secret.group(1)).get("/api/auth/me")).status_code == 200
    response = await browser.post(
        f"/account/tokens/{token['id']}/revoke", data={"csrf_token": form_token(confirm.text)}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account?saved=revoked"
    page = await browser.get("/account?saved=revoked")
    assert "The token has been revoked." in page.text
    assert "old script" not in page.text
    assert (await open_client(secret.group(1)).get("/api/auth/me")).status_code == 401
    assert (await browser.get(f"/account/tokens/{token['id']}/revoke")).status_code == 404


async def test_someone_elses_token_cannot_be_revoked(open_client, ana) -> None:
    await make_user("bogdan@extern.ro")
    bogdan = await signed_in(open_client, "bogdan@extern.ro")
    made = await post_form(bogdan, "/account/tokens", {"token_name": "bogdan's"})
    secret = re.search(r'id="new-token" type="text" value="([^"]+)"', made.text)
    assert secret
    (token,) = (await bogdan.get("/api/auth/tokens")).json()
    browser = await signed_in(open_client, "ana@upt.ro")
    page = await browser.get(f"/account/tokens/{token['id']}/revoke")
    assert page.status_code == 404
    assert "bogdan's" not in page.text
    response = await post_form(browser, f"/account/tokens/{token['id']}/revoke")
    assert response.status_code == 404
    assert (await open_client(secret.group(1)).get("/api/auth/me")).status_code == 200


async def test_account_forms_without_their_token_change_nothing(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    for path, data in (
        ("/account/name", {"display_name": "Mallory"}),
        ("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
        ("/account/tokens", {"token_name": "planted"}),
    ):
        response = await browser.post(path, data=data)
        assert response.status_code == 403, path
        assert response.headers["content-type"].startswith("text/html")
    me = (await browser.get("/api/auth/me")).json()
    assert me["user"]["display_name"] == "Ana Pop"
    assert (await browser.get("/api/auth/tokens")).json() == []
    fresh = await visitor(open_client)
    assert (await sign_in_by_form(fresh, "ana@upt.ro", PASSWORD)).status_code == 303
