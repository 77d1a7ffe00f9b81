"""Forgotten passwords and invitations: the e-mailed links that set a password.

No answer says whether an address has an account; a link works once, for its time, and only
while it is the account's latest; using it ends every session of the account. The secret of a
link is derived here as the delivery derives it, from the link's row and the secret key.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from booking.accounts import links, password_reset
from booking.accounts.credentials import digest
from booking.accounts.throttle import RESET_REQUESTS
from booking.core.account_links import link_secret
from booking.core.errors import Gone
from booking.db import outbox
from booking.db.tables import AccountLink, OutboxMessage, UserAccount
from booking.jobs.context import job_context
from booking.jobs.runner import job_runner
from booking.notifications.envelope import NothingToSay
from booking.settings import Settings
from tests.factories import PASSWORD, make_user
from tests.integration.browsing import form_token, signed_in, visitor

NEW_PASSWORD = "a brand new long password"
COOKIE_SET = "upt_session="


async def _links(user_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await AccountLink.select().where(AccountLink.user == user_id).order_by(AccountLink.id)
    )
    return rows


async def _messages() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await OutboxMessage.select().order_by(OutboxMessage.id)
    for row in rows:
        if isinstance(row["data"], str):
            row["data"] = json.loads(row["data"])
    return rows


def _secret(settings: Settings, link: dict[str, Any]) -> str:
    return link_secret(settings.secret_key, link["id"], link["created_at"])


async def _latest_secret(settings: Settings, user_id: int) -> str:
    return _secret(settings, (await _links(user_id))[-1])


def _english(client):
    """A browser reading the pages in English (a visitor's pages speak the cookie's language)."""
    client.cookies.set("upt_lang", "en")
    return client


async def _ask_reset(client, email: str):
    return await client.post("/api/auth/password-reset-request", json={"email": email})


async def _sign_in(client, email: str, password: str):
    return await client.post("/api/auth/login", json={"email": email, "password": password})


# -- asking: the same answer for every address --------------------------------------------


async def test_asking_says_the_same_whether_or_not_the_address_has_an_account(
    open_client, settings
) -> None:
    ana = await make_user("ana@upt.ro", name="Ana Pop")
    gone = await make_user("gone@upt.ro")
    await UserAccount.update({UserAccount.active: False}).where(UserAccount.id == gone["id"])
    answers = [
        await _ask_reset(open_client(), email)
        for email in ("ana@upt.ro", "nobody@upt.ro", "gone@upt.ro", "ANA@upt.ro")
    ]
    assert {a.status_code for a in answers} == {202}
    assert len({a.content for a in answers}) == 1
    assert answers[0].json() == {
        "message": "if an account has this address, a link to set a new password has been sent "
        "to it"
    }
    assert {tuple(sorted(a.headers.keys())) for a in answers} == {
        tuple(sorted(answers[0].headers.keys()))
    }
    # Only Ana's account got links (the address as typed in any case), each with its e-mail.
    links_made = await AccountLink.select()
    assert {row["user"] for row in links_made} == {ana["id"]}
    assert len(links_made) == 2
    messages = await _messages()
    assert [m["address"] for m in messages] == ["ana@upt.ro", "ana@upt.ro"]
    for message, link in zip(messages, links_made, strict=True):
        assert message["kind"] == "password_reset"
        assert message["recipient"] == ana["id"]
        assert message["language"] == "en"  # the account's
        assert message["name"] == "Ana Pop"
        assert message["dedupe_key"] == f"account-link:{link['id']}"
        assert message["data"] == {"link": link["id"]}
        assert link["purpose"] == "reset"
        assert link["expires_at"] - link["created_at"] == timedelta(minutes=60)
        assert link["used_at"] is None
        assert link["revoked_at"] is None
        # Only the secret's digest is kept; the secret is nowhere in the database.
        secret = _secret(settings, link)
        assert link["secret_hash"] == digest(secret)
        assert secret not in json.dumps(message, default=str)


async def test_the_page_answers_the_same_whether_or_not_the_address_has_an_account(
    open_client,
) -> None:
    await make_user("ana@upt.ro")
    answers = []
    for email in ("ana@upt.ro", "nobody@upt.ro"):
        browser = _english(await visitor(open_client))
        page = await browser.get("/forgot-password")
        assert page.status_code == 200
        answers.append(
            await browser.post(
                "/forgot-password", data={"email": email, "csrf_token": form_token(page.text)}
            )
        )
    assert [(a.status_code, a.headers["location"]) for a in answers] == [
        (303, "/forgot-password/sent")
    ] * 2
    sent = await _english(open_client()).get("/forgot-password/sent")
    assert "If an account has the address you typed" in sent.text
    assert [m["address"] for m in await _messages()] == ["ana@upt.ro"]


async def test_the_sign_in_page_leads_to_the_forgotten_password_page(open_client) -> None:
    page = await _english(open_client()).get("/sign-in")
    assert 'href="/forgot-password"' in page.text
    form = await _english(open_client()).get("/forgot-password")
    assert 'action="/forgot-password"' in form.text
    assert 'name="csrf_token"' in form.text
    assert 'autocomplete="username"' in form.text


@pytest.mark.parametrize(
    ("typed", "said"),
    [("", "Enter your e-mail address"), ("not an address", "Enter an e-mail address like")],
)
async def test_the_page_asks_for_an_address(open_client, typed, said) -> None:
    browser = _english(await visitor(open_client))
    page = await browser.get("/forgot-password")
    answer = await browser.post(
        "/forgot-password", data={"email": typed, "csrf_token": form_token(page.text)}
    )
    assert answer.status_code == 422
    assert said in answer.text
    assert 'aria-describedby="email-error"' in answer.text
    assert await _messages() == []


async def test_the_page_form_needs_its_token(open_client) -> None:
    await make_user("ana@upt.ro")
    answer = await (_english(await visitor(open_client))).post(
        "/forgot-password", data={"email": "x@y.ro"}
    )
    assert answer.status_code == 403
    assert await _messages() == []


async def test_asking_is_throttled_per_address_alike_for_every_address(open_client) -> None:
    await make_user("ana@upt.ro")
    for email in ("ana@upt.ro", "nobody@upt.ro"):
        statuses = [(await _ask_reset(open_client(), email)).status_code for _ in range(8)]
        assert statuses == [202] * RESET_REQUESTS.per_account + [429] * 3
    throttled = await _ask_reset(open_client(), "ana@upt.ro")
    assert int(throttled.headers["retry-after"]) > 0
    assert throttled.json()["message"] == "too many requests for a new password; try again later"
    assert len(await _messages()) == RESET_REQUESTS.per_account
    # Sign-ins are counted apart: Ana still signs in.
    assert (await _sign_in(open_client(), "ana@upt.ro", PASSWORD)).status_code == 200


async def test_asking_is_throttled_per_client(open_client) -> None:
    browser = open_client()
    statuses = Counter(
        [(await _ask_reset(browser, f"person{i}@upt.ro")).status_code for i in range(25)]
    )
    assert statuses == {202: RESET_REQUESTS.per_address, 429: 25 - RESET_REQUESTS.per_address}


async def test_the_page_says_when_to_ask_again(open_client) -> None:
    browser = _english(await visitor(open_client))
    page = await browser.get("/forgot-password")
    for _ in range(RESET_REQUESTS.per_account):
        await browser.post(
            "/forgot-password", data={"email": "x@upt.ro", "csrf_token": form_token(page.text)}
        )
    answer = await browser.post(
        "/forgot-password", data={"email": "x@upt.ro", "csrf_token": form_token(page.text)}
    )
    assert answer.status_code == 429
    assert "Too many requests: try again in" in answer.text
    assert int(answer.headers["retry-after"]) > 0


# -- using a link ------------------------------------------------------------------------


async def test_a_link_sets_the_password_once_and_ends_every_session(open_client, settings) -> None:
    ana = await make_user("ana@upt.ro", name="Ana Pop")
    laptop = await signed_in(open_client, "ana@upt.ro")
    phone = open_client()
    assert (await _sign_in(phone, "ana@upt.ro", PASSWORD)).status_code == 200
    await _ask_reset(open_client(), "ana@upt.ro")
    secret = await _latest_secret(settings, ana["id"])

    form = await _english(open_client()).get(f"/reset-password/{secret}")
    assert form.status_code == 200
    assert "Choose a new password" in form.text
    assert "ana@upt.ro" in form.text
    assert form.headers["cache-control"] == "no-store"
    assert form.headers["referrer-policy"] == "no-referrer"

    done = await open_client().post(
        "/api/auth/password-reset", json={"secret": secret, "password": NEW_PASSWORD}
    )
    assert done.status_code == 204, done.text
    # Every session of the account ended; nobody was signed in by the link.
    assert (await laptop.get("/api/auth/me")).status_code == 401
    assert (await phone.get("/api/auth/me")).status_code == 401
    assert COOKIE_SET not in done.headers.get("set-cookie", "")
    assert (await _sign_in(open_client(), "ana@upt.ro", PASSWORD)).status_code == 401
    assert (await _sign_in(open_client(), "ana@upt.ro", NEW_PASSWORD)).status_code == 200
    (link,) = await _links(ana["id"])
    assert link["used_at"] is not None

    again = await open_client().post(
        "/api/auth/password-reset", json={"secret": secret, "password": "yet another password"}
    )
    assert again.status_code == 410
    assert again.json()["code"] == "gone"
    assert again.json()["message"] == "this link has already been used"
    page = await _english(open_client()).get(f"/reset-password/{secret}")
    assert page.status_code == 410
    assert "This link cannot be used" in page.text
    assert "This link has already been used." in page.text
    assert 'href="/forgot-password"' in page.text
    assert (await _sign_in(open_client(), "ana@upt.ro", NEW_PASSWORD)).status_code == 200


async def test_the_page_sets_the_password_and_sends_to_sign_in(open_client, settings) -> None:
    ana = await make_user("ana@upt.ro")
    await _ask_reset(open_client(), "ana@upt.ro")
    secret = await _latest_secret(settings, ana["id"])
    browser = _english(await visitor(open_client))
    page = await browser.get(f"/reset-password/{secret}")
    assert f'action="/reset-password/{secret}"' in page.text
    assert 'autocomplete="new-password"' in page.text
    token = form_token(page.text)
    short = await browser.post(
        f"/reset-password/{secret}", data={"password": "short", "csrf_token": token}
    )
    assert short.status_code == 422
    assert "at least 10 characters" in short.text
    assert 'id="password-error"' in short.text
    assert 'value="short"' not in short.text
    done = await browser.post(
        f"/reset-password/{secret}", data={"password": NEW_PASSWORD, "csrf_token": token}
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/sign-in?password=set"
    assert COOKIE_SET not in done.headers.get("set-cookie", "")
    notice = await browser.get("/sign-in?password=set")
    assert "Your password has been set. Sign in with it." in notice.text
    assert (await _sign_in(open_client(), "ana@upt.ro", NEW_PASSWORD)).status_code == 200


async def test_a_weak_password_is_refused_and_the_link_still_works(open_client, settings) -> None:
    ana = await make_user("ana@upt.ro")
    await _ask_reset(open_client(), "ana@upt.ro")
    secret = await _latest_secret(settings, ana["id"])
    weak = await open_client().post(
        "/api/auth/password-reset", json={"secret": secret, "password": "short"}
    )
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "password"
    assert (await _links(ana["id"]))[0]["used_at"] is None
    assert (await _sign_in(open_client(), "ana@upt.ro", PASSWORD)).status_code == 200
    done = await open_client().post(
        "/api/auth/password-reset", json={"secret": secret, "password": NEW_PASSWORD}
    )
    assert done.status_code == 204


@pytest.mark.parametrize(
    "secret", ["nothing-like-it", "A" * 43, "x" * 1000, "%00", "with%20a%20space"]
)
async def test_an_unknown_link_is_not_found(open_client, secret) -> None:
    page = await _english(open_client()).get(f"/reset-password/{secret}")
    assert page.status_code == 404
    assert "This link cannot be used" in page.text
    assert "This link is not one we sent" in page.text
    sent = await open_client().post(
        "/api/auth/password-reset", json={"secret": secret[:100], "password": NEW_PASSWORD}
    )
    assert sent.status_code == 404
    assert sent.json()["message"] == "link not found"


async def test_a_link_expires_after_an_hour(open_client, app, settings) -> None:
    ana = await make_user("ana@upt.ro")
    engine = app.state.engine
    asked = datetime.now(UTC) - timedelta(minutes=61)
    assert await password_reset.send_link(engine, "ana@upt.ro", settings.secret_key, "t", asked)
    secret = await _latest_secret(settings, ana["id"])
    page = await _english(open_client()).get(f"/reset-password/{secret}")
    assert page.status_code == 410
    assert "This link has expired." in page.text
    sent = await open_client().post(
        "/api/auth/password-reset", json={"secret": secret, "password": NEW_PASSWORD}
    )
    assert sent.status_code == 410
    assert sent.json()["message"] == "this link has expired"
    assert (await _sign_in(open_client(), "ana@upt.ro", PASSWORD)).status_code == 200


async def test_a_link_works_until_its_last_minute(open_client, app, settings) -> None:
    ana = await make_user("ana@upt.ro")
    engine, store = app.state.engine, app.stores.get("login_throttle")
    asked = datetime.now(UTC)
    await password_reset.send_link(engine, "ana@upt.ro", settings.secret_key, "t", asked)
    secret = await _latest_secret(settings, ana["id"])
    too_late = asked + timedelta(minutes=60)
    with pytest.raises(Gone):
        await links.set_password(engine, store, secret, NEW_PASSWORD, too_late)
    in_time = asked + timedelta(minutes=59, seconds=59)
    await links.set_password(engine, store, secret, NEW_PASSWORD, in_time)
    assert (await _sign_in(open_client(), "ana@upt.ro", NEW_PASSWORD)).status_code == 200


async def test_using_a_link_revokes_the_older_ones(open_client, settings) -> None:
    ana = await make_user("ana@upt.ro")
    await _ask_reset(open_client(), "ana@upt.ro")
    await _ask_reset(open_client(), "ana@upt.ro")
    older, newer = [_secret(settings, link) for link in await _links(ana["id"])]
    # Asking again left the first link working: either e-mail may be the one opened.
    assert (await _english(open_client()).get(f"/reset-password/{older}")).status_code == 200
    done = await open_client().post(
        "/api/auth/password-reset", json={"secret": newer, "password": NEW_PASSWORD}
    )
    assert done.status_code == 204
    stale = await open_client().post(
        "/api/auth/password-reset", json={"secret": older, "password": "the attacker's pick"}
    )
    assert stale.status_code == 410
    assert stale.json()["message"].startswith("this link was replaced by a newer one")
    revoked, used = await _links(ana["id"])
    assert used["used_at"] is not None
    assert used["revoked_at"] is None
    assert revoked["revoked_at"] is not None
    assert revoked["used_at"] is None


async def test_two_uses_at_once_set_one_password(open_client, settings) -> None:
    ana = await make_user("ana@upt.ro")
    await _ask_reset(open_client(), "ana@upt.ro")
    secret = await _latest_secret(settings, ana["id"])
    passwords = [f"the {n}th new long password" for n in range(4)]
    answers = await asyncio.gather(
        *(
            open_client().post(
                "/api/auth/password-reset", json={"secret": secret, "password": password}
            )
            for password in passwords
        )
    )
    assert sorted(a.status_code for a in answers) == [204, 410, 410, 410]
    winner = passwords[[a.status_code for a in answers].index(204)]
    assert (await _sign_in(open_client(), "ana@upt.ro", winner)).status_code == 200


async def test_a_deactivated_account_gets_no_link_and_its_links_stop(
    open_client, api, settings
) -> None:
    ana = await make_user("ana@upt.ro")
    await _ask_reset(open_client(), "ana@upt.ro")
    secret = await _latest_secret(settings, ana["id"])
    assert (await api.patch(f"/api/users/{ana['id']}", json={"active": False})).status_code == 200
    gone = await open_client().post(
        "/api/auth/password-reset", json={"secret": secret, "password": NEW_PASSWORD}
    )
    assert gone.status_code == 410
    assert gone.json()["message"] == "the account of this link has been deactivated"
    await _ask_reset(open_client(), "ana@upt.ro")
    assert len(await _links(ana["id"])) == 1


async def test_setting_a_password_forgets_the_failed_sign_ins(open_client, settings) -> None:
    """A guesser who locked the account out does not keep its owner out after a reset."""
    ana = await make_user("ana@upt.ro")
    for _ in range(12):
        await _sign_in(open_client(), "ana@upt.ro", "a wrong guess")
    assert (await _sign_in(open_client(), "ana@upt.ro", PASSWORD)).status_code == 429
    await _ask_reset(open_client(), "ana@upt.ro")
    secret = await _latest_secret(settings, ana["id"])
    await open_client().post(
        "/api/auth/password-reset", json={"secret": secret, "password": NEW_PASSWORD}
    )
    assert (await _sign_in(open_client(), "ana@upt.ro", NEW_PASSWORD)).status_code == 200


# -- invitations -------------------------------------------------------------------------


async def test_a_new_user_is_invited_and_chooses_a_password(open_client, api, settings) -> None:
    created = await api.post(
        "/api/users", json={"email": "Ion@UPT.ro", "display_name": "Ion Ionescu", "language": "ro"}
    )
    assert created.status_code == 201, created.text
    ion = created.json()
    # No password yet: nobody can sign in as Ion.
    assert (await _sign_in(open_client(), "ion@upt.ro", "")).status_code == 401
    (link,) = await _links(ion["id"])
    assert link["purpose"] == "invitation"
    assert link["expires_at"] - link["created_at"] == timedelta(days=7)
    (message,) = await _messages()
    assert message["kind"] == "account_invitation"
    assert message["address"] == "ion@upt.ro"
    assert message["language"] == "ro"
    assert message["dedupe_key"] == f"account-link:{link['id']}"
    admin_name = (await api.get("/api/auth/me")).json()["user"]["display_name"]
    assert message["data"]["link"] == link["id"]
    assert message["data"]["inviter"] == admin_name

    secret = _secret(settings, link)
    browser = _english(await visitor(open_client))
    page = await browser.get(f"/reset-password/{secret}")
    assert page.status_code == 200
    assert "Welcome! Choose your password" in page.text
    assert "Ion Ionescu, your account ion@upt.ro is ready" in page.text
    done = await browser.post(
        f"/reset-password/{secret}",
        data={"password": NEW_PASSWORD, "csrf_token": form_token(page.text)},
    )
    assert done.headers["location"] == "/sign-in?password=set"
    assert (await _sign_in(open_client(), "ion@upt.ro", NEW_PASSWORD)).status_code == 200
    assert (await _english(open_client()).get(f"/reset-password/{secret}")).status_code == 410


async def test_an_administrator_types_no_password(api) -> None:
    sent = await api.post(
        "/api/users",
        json={"email": "ion@upt.ro", "display_name": "Ion", "password": "chosen by someone else"},
    )
    assert sent.status_code == 400
    assert sent.json()["errors"][0]["field"] == "password"
    assert await _messages() == []


async def test_an_invitation_is_sent_again_and_the_earlier_link_stops(
    open_client, api, settings
) -> None:
    ion = (await api.post("/api/users", json={"email": "ion@upt.ro", "display_name": "Ion"})).json()
    first = await _latest_secret(settings, ion["id"])
    again = await api.post(f"/api/users/{ion['id']}/invitation")
    assert again.status_code == 201, again.text
    body = again.json()
    assert body["user"] == ion["id"]
    assert body["email"] == "ion@upt.ro"
    second = await _latest_secret(settings, ion["id"])
    assert second != first
    assert datetime.fromisoformat(body["expires_at"]) == (await _links(ion["id"]))[-1]["expires_at"]
    messages = await _messages()
    assert [m["kind"] for m in messages] == ["account_invitation"] * 2
    assert messages[0]["dedupe_key"] != messages[1]["dedupe_key"]
    assert messages[0]["message_id"] != messages[1]["message_id"]
    stale = await _english(open_client()).get(f"/reset-password/{first}")
    assert stale.status_code == 410
    assert "replaced by a newer one" in stale.text
    done = await open_client().post(
        "/api/auth/password-reset", json={"secret": second, "password": NEW_PASSWORD}
    )
    assert done.status_code == 204
    # Ion has chosen a password: a further invitation is refused, 'forgot' is the way now.
    late = await api.post(f"/api/users/{ion['id']}/invitation")
    assert late.status_code == 409
    assert late.json()["message_code"] == "invitation.password_chosen"
    assert len(await _messages()) == 2


async def test_an_invitation_is_refused_for_a_deactivated_or_unknown_user(api) -> None:
    ion = (await api.post("/api/users", json={"email": "ion@upt.ro", "display_name": "Ion"})).json()
    await api.patch(f"/api/users/{ion['id']}", json={"active": False})
    refused = await api.post(f"/api/users/{ion['id']}/invitation")
    assert refused.status_code == 409
    assert refused.json()["message_code"] == "invitation.account_inactive"
    assert (await api.post("/api/users/999999/invitation")).status_code == 404


async def test_only_administrators_invite(open_client, api) -> None:
    ion = (await api.post("/api/users", json={"email": "ion@upt.ro", "display_name": "Ion"})).json()
    someone = await signed_in(open_client, (await make_user())["email"])
    assert (await open_client().post(f"/api/users/{ion['id']}/invitation")).status_code == 401
    token = form_token((await someone.get("/account")).text)
    refused = await someone.post(
        f"/api/users/{ion['id']}/invitation", headers={"X-CSRF-Token": token}
    )
    assert refused.status_code == 403


# -- the e-mails -------------------------------------------------------------------------

MONTHS_RO = [
    "ianuarie", "februarie", "martie", "aprilie", "mai", "iunie",
    "iulie", "august", "septembrie", "octombrie", "noiembrie", "decembrie",
]  # fmt: skip


async def _composed(app, settings: Settings, message_id: int, now: datetime | None = None):
    """The outbox message as the service's delivery composes it, parsed back from its bytes."""
    composer = job_context(settings, app.state.engine)["composer"]
    stored = await outbox.message(message_id)
    assert stored is not None
    mail = await composer.compose(stored, now or datetime.now(UTC))
    parsed = message_from_bytes(mail.as_bytes(policy=policy.SMTP), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _bodies(mail: EmailMessage) -> tuple[str, str]:
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


async def test_the_reset_e_mail_carries_the_link_and_says_when_it_expires(
    open_client, app, settings
) -> None:
    ana = await make_user("ana@upt.ro", name="Ana Pop")
    await _ask_reset(open_client(), "ana@upt.ro")
    (message,) = await _messages()
    (link,) = await _links(ana["id"])
    url = f"{settings.base_url}/reset-password/{_secret(settings, link)}"
    mail = await _composed(app, settings, message["id"])
    assert mail["Subject"] == "[UPT Rooms] Choose a new password"
    assert mail["To"].addresses[0].addr_spec == "ana@upt.ro"
    assert mail["Content-Language"] == "en"
    assert mail["Message-ID"] == message["message_id"]
    text, html = _bodies(mail)
    expires = link["expires_at"].astimezone(settings.default_zone)
    assert "Hello Ana Pop," in text
    assert "asked for a new password for your account ana@upt.ro" in text
    assert url in text.split()
    assert "The link works once, for 1 hour: until " in text
    assert f"{expires:%B} {expires.year}, {expires:%H:%M}." in text
    assert "If you did not ask for it, ignore this e-mail" in text
    assert f"{settings.base_url}/forgot-password" in text
    assert f'href="{url}"' in html
    assert "Choose a new password</a>" in html
    assert "ignore this e-mail" in html
    # The link in the e-mail opens the page that sets the password.
    page = await _english(open_client()).get(url.removeprefix(settings.base_url))
    assert page.status_code == 200


async def test_the_reset_e_mail_speaks_the_account_s_language(open_client, app, settings) -> None:
    ion = await make_user("ion@upt.ro", name="Ion Pop")
    await UserAccount.update({UserAccount.language: "ro"}).where(UserAccount.id == ion["id"])
    await _ask_reset(open_client(), "ion@upt.ro")
    (message,) = await _messages()
    assert message["language"] == "ro"
    mail = await _composed(app, settings, message["id"])
    assert mail["Subject"] == "[Rezervări UPT] Alegeți o parolă nouă"
    text, _ = _bodies(mail)
    (link,) = await _links(ion["id"])
    expires = link["expires_at"].astimezone(settings.default_zone)
    assert "Legătura poate fi folosită o singură dată, timp de 1 oră: până " in text
    assert f"{MONTHS_RO[expires.month - 1]} {expires.year}, {expires:%H:%M}." in text
    assert "ignorați acest e-mail" in text


async def test_the_invitation_names_who_invited(open_client, api, app, settings) -> None:
    created = await api.post(
        "/api/users", json={"email": "ion@upt.ro", "display_name": "Ion Pop", "language": "ro"}
    )
    ion = created.json()
    (message,) = await _messages()
    (link,) = await _links(ion["id"])
    admin_name = (await api.get("/api/auth/me")).json()["user"]["display_name"]
    mail = await _composed(app, settings, message["id"])
    assert (
        mail["Subject"]
        == f"[Rezervări UPT] {admin_name} v-a invitat în aplicația Rezervări săli UPT"
    )
    text, html = _bodies(mail)
    assert f"{admin_name} v-a creat un cont" in text
    assert "pentru adresa ion@upt.ro" in text
    assert "timp de 7 zile" in text
    url = f"{settings.base_url}/reset-password/{_secret(settings, link)}"
    assert url in text.split()
    assert f'href="{url}"' in html
    assert "Alegeți-vă parola</a>" in html


async def test_an_e_mail_whose_link_is_used_or_gone_is_not_sent(
    open_client, api, app, settings
) -> None:
    ana = await make_user("ana@upt.ro")
    await _ask_reset(open_client(), "ana@upt.ro")
    await _ask_reset(open_client(), "ana@upt.ro")
    first, second = await _messages()
    (_, newer) = await _links(ana["id"])
    too_late = datetime.now(UTC) + timedelta(minutes=61)
    with pytest.raises(NothingToSay, match="expired"):
        await _composed(app, settings, second["id"], too_late)
    await open_client().post(
        "/api/auth/password-reset",
        json={"secret": _secret(settings, newer), "password": NEW_PASSWORD},
    )
    with pytest.raises(NothingToSay, match="revoked"):
        await _composed(app, settings, first["id"])
    with pytest.raises(NothingToSay, match="used"):
        await _composed(app, settings, second["id"])

    ion = (await api.post("/api/users", json={"email": "ion@upt.ro", "display_name": "Ion"})).json()
    (invitation,) = [m for m in await _messages() if m["kind"] == "account_invitation"]
    await api.patch(f"/api/users/{ion['id']}", json={"active": False})
    with pytest.raises(NothingToSay, match="deactivated"):
        await _composed(app, settings, invitation["id"])


async def test_the_delivery_writes_the_e_mail_with_its_link(open_client, app, settings) -> None:
    """The whole way: the in-process runner, after the commit, delivers to VAR_DIR/mail."""
    ana = await make_user("ana@upt.ro")
    folder = settings.mail_dir
    before = set(folder.glob("*.eml")) if folder.exists() else set()
    async with job_runner(settings, app.state.engine, schedule=False) as runner:
        await _ask_reset(open_client(), "ana@upt.ro")
        await runner.settle()
    (message,) = await _messages()
    assert message["status"] == "sent"
    (written,) = set(folder.glob("*.eml")) - before
    mail = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert isinstance(mail, EmailMessage)
    (link,) = await _links(ana["id"])
    text, _ = _bodies(mail)
    assert f"/reset-password/{_secret(settings, link)}" in text
