"""Signing in and out, sessions, CSRF, login throttling, API tokens and user administration."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from booking.accounts.credentials import digest
from booking.accounts.sessions import COOKIE
from booking.accounts.stores import SESSIONS
from booking.accounts.throttle import ACCOUNT_LIMIT, ADDRESS_LIMIT
from booking.core.account_links import link_secret
from booking.db import accounts
from booking.db.tables import AccountLink, ApiToken
from tests.conftest import environment_of, run_booking
from tests.factories import (
    PASSWORD,
    booking_body,
    local,
    make_organisation,
    make_room,
    make_user,
    person,
)


async def _sign_in(client, email: str, password: str = PASSWORD):
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def test_sign_in_sets_a_session_cookie_and_returns_the_csrf_token(open_client) -> None:
    organisation = await make_organisation(code="AC")
    await make_user("Ana@UPT.ro", organisations=[organisation["id"]], name="Ana Popescu")
    browser = open_client()
    response = await _sign_in(browser, "ana@upt.ro")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["email"] == "ana@upt.ro"
    assert [o["code"] for o in body["user"]["organisations"]] == ["AC"]
    assert len(body["csrf_token"]) >= 32
    cookie = response.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # BASE_URL is http in the tests
    me = await browser.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["user"]["display_name"] == "Ana Popescu"
    assert me.json()["csrf_token"] == body["csrf_token"]


async def test_a_page_elsewhere_cannot_sign_a_visitor_in(open_client) -> None:
    """A cross-site form with enctype text/plain can send a body that reads as JSON, but not
    Content-Type application/json; sign-in takes nothing else."""
    await make_user("attacker@upt.ro")
    visitor = open_client()
    forged = await visitor.post(
        "/api/auth/login",
        content=f'{{"email":"attacker@upt.ro","password":"{PASSWORD}"}}',
        headers={"content-type": "text/plain", "origin": "https://evil.example"},
    )
    assert forged.status_code == 415, forged.text
    assert forged.json()["message"].startswith("send the sign-in as JSON")
    assert COOKIE not in forged.headers.get("set-cookie", "")
    assert (await visitor.get("/api/auth/me")).status_code == 401


@pytest.mark.parametrize(
    ("email", "password"),
    [("ana@upt.ro", "wrong password!"), ("nobody@upt.ro", PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
async def test_a_failed_sign_in_does_not_say_what_was_wrong(open_client, email, password) -> None:
    await make_user("ana@upt.ro")
    response = await _sign_in(open_client(), email, password)
    assert response.status_code == 401
    assert response.json()["message"] == "wrong e-mail or password"
    assert COOKIE not in response.headers.get("set-cookie", "")


async def test_a_deactivated_account_cannot_sign_in(open_client, api) -> None:
    user = await make_user("gone@upt.ro")
    assert (await api.patch(f"/api/users/{user['id']}", json={"active": False})).status_code == 200
    assert (await _sign_in(open_client(), "gone@upt.ro")).status_code == 401


async def test_every_sign_in_starts_a_new_session_and_sign_out_ends_it(open_client) -> None:
    await make_user("ana@upt.ro")
    browser = open_client()
    first = await _sign_in(browser, "ana@upt.ro")
    old_cookie = browser.cookies[COOKIE]
    second = await _sign_in(browser, "ana@upt.ro")
    new_cookie = browser.cookies[COOKIE]
    assert new_cookie != old_cookie
    assert second.json()["csrf_token"] != first.json()["csrf_token"]
    # The session planted before the second sign-in is worth nothing now.
    stale = open_client()
    stale.cookies.set(COOKIE, old_cookie)
    assert (await stale.get("/api/auth/me")).status_code == 401
    csrf = second.json()["csrf_token"]
    out = await browser.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    replay = open_client()
    replay.cookies.set(COOKIE, new_cookie)
    assert (await replay.get("/api/auth/me")).status_code == 401


async def test_changes_by_cookie_need_the_csrf_token(open_client) -> None:
    organisation = await make_organisation()
    await make_user("ana@upt.ro", organisations=[organisation["id"]])
    room = await make_room()
    browser = open_client()
    csrf = (await _sign_in(browser, "ana@upt.ro")).json()["csrf_token"]
    body = booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"))
    missing = await browser.post("/api/bookings", json=body)
    assert missing.status_code == 403
    assert "CSRF" in missing.json()["message"]
    wrong = await browser.post("/api/bookings", json=body, headers={"X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403
    assert (await browser.get("/api/bookings")).json() == []  # nothing was stored
    right = await browser.post("/api/bookings", json=body, headers={"X-CSRF-Token": csrf})
    assert right.status_code == 201, right.text


async def test_repeated_failures_throttle_the_account_even_for_the_right_password(
    open_client,
) -> None:
    await make_user("ana@upt.ro")
    browser = open_client()
    statuses = [
        (await _sign_in(browser, "ana@upt.ro", "not the password")).status_code for _ in range(20)
    ]
    assert statuses[:ACCOUNT_LIMIT] == [401] * ACCOUNT_LIMIT
    assert set(statuses[ACCOUNT_LIMIT:]) == {429}
    throttled = await _sign_in(browser, "ana@upt.ro")
    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) > 0
    # Another account from the same address is not locked out by these failures.
    await make_user("ion@upt.ro")
    assert (await _sign_in(browser, "ion@upt.ro")).status_code == 200


async def test_a_successful_sign_in_clears_the_account_count(open_client) -> None:
    await make_user("ana@upt.ro")
    browser = open_client()
    for _ in range(ACCOUNT_LIMIT - 1):
        assert (await _sign_in(browser, "ana@upt.ro", "nope nope nope")).status_code == 401
    assert (await _sign_in(browser, "ana@upt.ro")).status_code == 200
    for _ in range(ACCOUNT_LIMIT - 1):
        assert (await _sign_in(browser, "ana@upt.ro", "nope nope nope")).status_code == 401
    assert (await _sign_in(browser, "ana@upt.ro")).status_code == 200


async def test_api_tokens_are_shown_once_stored_hashed_and_revocable(open_client) -> None:
    await make_user("ana@upt.ro")
    browser = open_client()
    csrf = (await _sign_in(browser, "ana@upt.ro")).json()["csrf_token"]
    made = await browser.post(
        "/api/auth/tokens", json={"name": "export script"}, headers={"X-CSRF-Token": csrf}
    )
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    listed = (await browser.get("/api/auth/tokens")).json()
    assert [t["name"] for t in listed] == ["export script"]
    assert "token" not in listed[0]
    assert token.startswith(listed[0]["prefix"])
    hashes = [row["token_hash"] for row in await ApiToken.select(ApiToken.token_hash)]
    assert token not in hashes
    assert len(hashes[0]) == 64
    script = open_client(token)
    assert (await script.get("/api/auth/me")).json()["user"]["email"] == "ana@upt.ro"
    assert (await script.get("/api/auth/me")).json()["csrf_token"] is None
    revoked = await browser.delete(
        f"/api/auth/tokens/{made.json()['id']}", headers={"X-CSRF-Token": csrf}
    )
    assert revoked.status_code == 204
    refused = await script.get("/api/auth/me")
    assert refused.status_code == 401
    assert "revoked" in refused.json()["message"]
    assert refused.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer upt_not-a-real-token"],
    ids=["no-token", "blank-token", "basic", "unknown-token"],
)
async def test_bad_authorization_headers_get_401(open_client, header) -> None:
    response = await open_client().get("/api/bookings", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


async def test_anonymous_callers_may_browse_rooms_but_not_bookings(open_client) -> None:
    await make_room()
    anonymous = open_client()
    assert (await anonymous.get("/api/rooms")).status_code == 200
    assert (await anonymous.get("/api/bookings")).status_code == 401


async def test_tokens_of_another_user_cannot_be_revoked(open_client) -> None:
    ana = await person(open_client, "ana@upt.ro")
    ion = await person(open_client, "ion@upt.ro")
    made = (await ana.client.post("/api/auth/tokens", json={"name": "mine"})).json()
    assert (await ion.client.delete(f"/api/auth/tokens/{made['id']}")).status_code == 404
    assert (await ana.client.get("/api/auth/tokens")).json()[-1]["revoked_at"] is None


async def test_a_token_revoked_again_keeps_the_moment_it_was_first_revoked(open_client) -> None:
    ana = await person(open_client, "ana@upt.ro")
    made = (await ana.client.post("/api/auth/tokens", json={"name": "mine"})).json()
    first = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    revoked = await accounts.revoke_token(ana.id, made["id"], first)
    assert revoked is not None
    assert (revoked.id, revoked.name, revoked.revoked_at) == (made["id"], "mine", first)
    again = await accounts.revoke_token(ana.id, made["id"], first + timedelta(days=1))
    assert again == revoked
    assert await accounts.revoke_token(ana.id + 1, made["id"], first) is None
    assert await accounts.revoke_token(ana.id, made["id"] + 1000, first) is None


async def test_administrators_manage_users_roles_and_memberships(
    api, open_client, settings
) -> None:
    organisation = await make_organisation(code="LSAC")
    building_response = await api.get("/api/buildings")
    assert building_response.status_code == 200
    room = await make_room()
    created = await api.post("/api/users", json={"email": "Ion@UPT.ro", "display_name": "Ion"})
    assert created.status_code == 201, created.text
    user_id = created.json()["id"]
    assert created.json()["email"] == "ion@upt.ro"
    duplicate = await api.post("/api/users", json={"email": "ion@upt.ro", "display_name": "I"})
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"][0]["field"] == "email"
    member = await api.post(f"/api/users/{user_id}/memberships", json={"organisation": "LSAC"})
    assert [o["id"] for o in member.json()["organisations"]] == [organisation["id"]]
    granted = await api.post(
        f"/api/users/{user_id}/roles", json={"role": "approver", "building": room["building"]}
    )
    assert granted.status_code == 200, granted.text
    (grant,) = granted.json()["roles"]
    assert grant["role"] == "approver"
    assert grant["building"] == room["building"]
    # Ion chooses a password through the link of the invitation e-mailed to him.
    (link,) = await AccountLink.select().where(AccountLink.user == user_id)
    secret = link_secret(settings.secret_key, link["id"], link["created_at"])
    chosen = {"secret": secret, "password": "a long password"}
    assert (await open_client().post("/api/auth/password-reset", json=chosen)).status_code == 204
    signed = await _sign_in(open_client(), "ion@upt.ro", "a long password")
    assert signed.status_code == 200
    assert signed.json()["user"]["roles"][0]["role"] == "approver"
    taken = await api.delete(f"/api/users/{user_id}/roles/{grant['id']}")
    assert taken.json()["roles"] == []
    left = await api.delete(f"/api/users/{user_id}/memberships/LSAC")
    assert left.json()["organisations"] == []


@pytest.mark.parametrize(
    ("grant", "field"),
    [
        ({"role": "approver"}, "building"),
        ({"role": "approver", "building": 999999}, "building"),
        ({"role": "approver", "room": 999999}, "room"),
        ({"role": "finance", "building": 1}, "building"),
        ({"role": "logistics"}, "team"),
        ({"role": "admin", "team": "av"}, "team"),
        ({"role": "emperor"}, "role"),
        ({"role": "admin", "user": 5}, "user"),
    ],
)
async def test_bad_role_grants_are_refused_with_the_field(api, grant, field) -> None:
    user = await make_user()
    response = await api.post(f"/api/users/{user['id']}/roles", json=grant)
    assert response.status_code in (400, 422), response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert (await api.get(f"/api/users/{user['id']}")).json()["roles"] == []


async def test_an_approver_grant_names_a_building_or_a_room_not_both(api) -> None:
    user = await make_user()
    room = await make_room()
    grant = {"role": "approver", "building": room["building"], "room": room["id"]}
    response = await api.post(f"/api/users/{user['id']}/roles", json=grant)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {
            "field": "room",
            "code": "grants.approver_one_scope",
            "reason": "an approver has a building or a room, not both",
        }
    ]


async def test_password_change_needs_the_current_password(open_client) -> None:
    ana = await person(open_client, "ana@upt.ro")
    wrong = await ana.client.post(
        "/api/auth/password",
        json={"current_password": "not it at all", "new_password": "a brand new password"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "current_password"
    short = await ana.client.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": "short"}
    )
    assert short.json()["errors"][0]["field"] == "new_password"
    changed = await ana.client.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
    )
    assert changed.status_code == 204
    assert (await _sign_in(open_client(), "ana@upt.ro")).status_code == 401
    assert (await _sign_in(open_client(), "ana@upt.ro", "a brand new password")).status_code == 200


async def test_a_password_change_ends_the_other_sessions(open_client) -> None:
    ana = await person(open_client, "ana@upt.ro")
    here, elsewhere = open_client(), open_client()
    csrf = (await _sign_in(here, "ana@upt.ro")).json()["csrf_token"]
    assert (await _sign_in(elsewhere, "ana@upt.ro")).status_code == 200
    changed = await here.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
        headers={"X-CSRF-Token": csrf},
    )
    assert changed.status_code == 204, changed.text
    # The session it was made in goes on, with the same CSRF token.
    assert (await here.get("/api/auth/me")).status_code == 200
    renamed = await here.patch(
        "/api/auth/me", json={"display_name": "Ana P."}, headers={"X-CSRF-Token": csrf}
    )
    assert renamed.status_code == 200, renamed.text
    # Another browser that knew the old password is signed out for good.
    assert (await elsewhere.get("/api/auth/me")).status_code == 401
    # API tokens are revoked one by one (DELETE /api/auth/tokens/{id}), not by this.
    assert (await ana.client.get("/api/auth/me")).status_code == 200


async def test_a_password_change_keeps_the_sessions_seven_day_limit(open_client, app) -> None:
    await make_user("ana@upt.ro")
    here = open_client()
    signed = await _sign_in(here, "ana@upt.ro")
    store = app.stores.get(SESSIONS)
    key = digest(signed.cookies[COOKIE])
    payload = json.loads(await store.get(key))
    long_ago = (datetime.now(UTC) - timedelta(days=6, hours=23)).isoformat()
    await store.set(key, json.dumps(payload | {"started": long_ago, "confirmed": long_ago}))
    changed = await here.post(
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
        headers={"X-CSRF-Token": signed.json()["csrf_token"]},
    )
    assert changed.status_code == 204, changed.text
    assert (await here.get("/api/auth/me")).status_code == 200
    # It still ends seven days after the sign-in, not seven days after the change.
    assert json.loads(await store.get(key))["started"] == long_ago


async def test_an_administrator_password_reset_from_the_command_line_ends_sessions(
    open_client, settings
) -> None:
    await make_user("sef@upt.ro")
    browser = open_client()
    assert (await _sign_in(browser, "sef@upt.ro")).status_code == 200
    reset = await asyncio.to_thread(
        run_booking,
        environment_of(settings) | {"BOOKING_ADMIN_PASSWORD": "a fresh password 42"},
        "create-admin",
        "--email",
        "sef@upt.ro",
    )
    assert "updated" in reset.stdout
    assert (await browser.get("/api/auth/me")).status_code == 401
    assert (await _sign_in(open_client(), "sef@upt.ro", "a fresh password 42")).status_code == 200


async def test_guessing_the_current_password_is_throttled(open_client) -> None:
    ana = await person(open_client, "ana@upt.ro")
    guess = {"current_password": "not it at all", "new_password": "a brand new password"}
    statuses = [
        (await ana.client.post("/api/auth/password", json=guess)).status_code for _ in range(12)
    ]
    assert statuses == [422] * ACCOUNT_LIMIT + [429] * 2
    right = {"current_password": PASSWORD, "new_password": "a brand new password"}
    assert (await ana.client.post("/api/auth/password", json=right)).status_code == 429


async def test_preferences_change_name_and_language_only(open_client) -> None:
    ana = await person(open_client, "ana@upt.ro")
    changed = await ana.client.patch("/api/auth/me", json={"language": "en"})
    assert changed.json()["language"] == "en"
    sneaky = await ana.client.patch("/api/auth/me", json={"email": "boss@upt.ro"})
    assert sneaky.status_code == 400
    assert sneaky.json()["errors"][0]["field"] == "email"
    assert (await ana.client.get("/api/auth/me")).json()["user"]["email"] == "ana@upt.ro"


async def test_parallel_guesses_cannot_slip_past_the_throttle(open_client) -> None:
    await make_user("ana@upt.ro")
    browser = open_client()
    wrong = {"email": "ana@upt.ro", "password": "not the password"}
    responses = await asyncio.gather(
        *(browser.post("/api/auth/login", json=wrong) for _ in range(40))
    )
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {401: ACCOUNT_LIMIT, 429: 40 - ACCOUNT_LIMIT}, statuses


async def test_parallel_guesses_from_one_address_stop_at_its_limit(open_client) -> None:
    accounts = [f"user{i}@upt.ro" for i in range(8)]
    for email in accounts:
        await make_user(email)
    browser = open_client()
    guesses = [{"email": email, "password": "not the password"} for email in accounts] * 10
    responses = await asyncio.gather(
        *(browser.post("/api/auth/login", json=guess) for guess in guesses)
    )
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {401: ADDRESS_LIMIT, 429: len(guesses) - ADDRESS_LIMIT}, statuses


async def test_simultaneous_creation_of_the_same_user_creates_one(api) -> None:
    body = {"email": "twin@upt.ro", "display_name": "Geamăn"}
    responses = await asyncio.gather(*(api.post("/api/users", json=body) for _ in range(6)))
    statuses = Counter(r.status_code for r in responses)
    assert statuses[201] == 1
    assert set(statuses) <= {201, 409, 422}, statuses
    users = (await api.get("/api/users")).json()
    assert [u["email"] for u in users].count("twin@upt.ro") == 1
