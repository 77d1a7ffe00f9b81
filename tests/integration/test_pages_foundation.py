"""What every page stands on: signing in and out by form, the page language, the form token
(CSRF) on every change, where a form may send the browser back to, error pages, the security
headers and the versioned static files."""

from __future__ import annotations

import hashlib
import re

import pytest

from booking.accounts.sessions import COOKIE, VISITOR_CSRF_COOKIE
from booking.api.language import LANGUAGE_COOKIE
from booking.web.assets import STATIC
from tests.factories import PASSWORD, make_user
from tests.integration.browsing import form_token, post_form, sign_in_by_form, signed_in, visitor

ROMANIAN_HOME = "Rezervă o sală la UPT"


@pytest.fixture
async def ana(open_client):
    return await make_user("ana@upt.ro", name="Ana Pop")


async def _is_signed_in(client) -> bool:
    return (await client.get("/account")).status_code == 200


# Signing in and out


@pytest.mark.parametrize(
    ("next", "goes_to"),
    [
        ("/account", "/account"),
        ("/rooms?building=1", "/rooms?building=1"),
        ("//evil.example", "/"),
        ("//evil.example/account", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("account", "/"),
        ("", "/"),
    ],
)
async def test_signing_in_goes_back_to_a_page_of_this_site_only(
    open_client, ana, next, goes_to
) -> None:
    browser = await visitor(open_client)
    response = await sign_in_by_form(browser, "ana@upt.ro", next=next)
    assert response.status_code == 303
    assert response.headers["location"] == goes_to
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert await _is_signed_in(browser)


async def test_the_sign_in_page_keeps_a_safe_next_only(open_client) -> None:
    page = await open_client().get("/sign-in", params={"next": "//evil.example"})
    assert 'name="next" value="/"' in page.text
    page = await open_client().get("/sign-in", params={"next": "/account"})
    assert 'name="next" value="/account"' in page.text


async def test_a_wrong_password_is_said_and_the_email_kept(open_client, ana) -> None:
    browser = await visitor(open_client)
    response = await sign_in_by_form(browser, "ana@upt.ro", password="not the password")
    assert response.status_code == 422
    assert "Adresa de e-mail sau parola nu este corectă" in response.text
    assert 'value="ana@upt.ro"' in response.text
    assert "not the password" not in response.text
    assert COOKIE not in response.headers.get("set-cookie", "")
    assert not await _is_signed_in(browser)


async def test_an_empty_form_says_what_is_missing(open_client) -> None:
    browser = await visitor(open_client)
    response = await sign_in_by_form(browser, "", password="")
    assert response.status_code == 422
    assert 'id="email-error"' in response.text
    assert 'id="password-error"' in response.text


async def test_too_many_attempts_say_how_long_to_wait(open_client, ana) -> None:
    browser = await visitor(open_client)
    for _ in range(10):
        response = await sign_in_by_form(browser, "ana@upt.ro", password="a wrong guess")
        assert "nu este corectă" in response.text
    response = await sign_in_by_form(browser, "ana@upt.ro")  # even the right password
    assert response.status_code == 422
    assert "Prea multe încercări: încercați din nou peste" in response.text
    assert not await _is_signed_in(browser)


async def test_signing_out_ends_the_session(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    session = browser.cookies[COOKIE]
    response = await post_form(browser, "/sign-out")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert not await _is_signed_in(browser)
    # the old cookie, kept by someone, is worth nothing now
    replay = open_client()
    replay.cookies.set(COOKIE, session)
    assert not await _is_signed_in(replay)


async def test_signing_in_again_makes_a_new_session(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    first = browser.cookies[COOKIE]
    assert (await sign_in_by_form(browser, "ana@upt.ro")).status_code == 303
    assert browser.cookies[COOKIE] != first
    replay = open_client()
    replay.cookies.set(COOKIE, first)
    assert not await _is_signed_in(replay)


# The page language


async def test_a_visitor_chooses_the_language_with_a_cookie(open_client) -> None:
    browser = await visitor(open_client)
    home = await browser.get("/")
    assert '<html lang="ro">' in home.text
    assert ROMANIAN_HOME in home.text  # the browser asks for English: pages do not listen
    response = await post_form(browser, "/language", {"language": "en", "next": "/rooms"})
    assert response.status_code == 303
    assert response.headers["location"] == "/rooms"
    assert browser.cookies[LANGUAGE_COOKIE] == "en"
    home = await browser.get("/")
    assert '<html lang="en">' in home.text
    assert "Book a room at UPT" in home.text


async def test_an_unknown_language_changes_nothing(open_client) -> None:
    browser = await visitor(open_client)
    response = await post_form(browser, "/language", {"language": "fr", "next": "//evil.example"})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert LANGUAGE_COOKIE not in browser.cookies


async def test_a_signed_in_users_language_is_kept_in_the_account(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    assert '<html lang="en">' in (await browser.get("/")).text  # the account says English
    response = await post_form(browser, "/language", {"language": "ro", "next": "/"})
    assert response.status_code == 303
    assert (await browser.get("/api/auth/me")).json()["user"]["language"] == "ro"
    # another browser, without the cookie, reads the account's language once signed in
    other = await visitor(open_client)
    other.cookies.set(LANGUAGE_COOKIE, "en")
    assert (await sign_in_by_form(other, "ana@upt.ro")).status_code == 303
    home = await other.get("/")
    assert '<html lang="ro">' in home.text
    assert ROMANIAN_HOME in home.text


# The form token on every change


def _unsafe_page_routes(app) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if route.path.startswith(("/api/", "/static")) or route.path in ("/api", "/static"):
            continue
        for method in sorted(route.methods - {"GET", "HEAD", "OPTIONS"}):
            path = re.sub(r"\{[^}:]+:int\}", "1", route.path)
            found.append((method, re.sub(r"\{[^}:]+:str\}", "x", path)))
    return found


def test_the_pages_have_forms_to_protect(app) -> None:
    routes = _unsafe_page_routes(app)
    assert ("POST", "/sign-in") in routes
    assert ("POST", "/account/name") in routes


@pytest.mark.parametrize("token", [None, "", "a-token-of-another-page"])
async def test_a_signed_in_users_change_needs_the_token(app, open_client, ana, token) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    data = {
        "language": "ro",
        "display_name": "Mallory",
        "token_name": "planted",
        "current_password": PASSWORD,
        "new_password": "a planted password",
        "email": "ana@upt.ro",
        "password": PASSWORD,
    }
    if token is not None:
        data["csrf_token"] = token
    for method, path in _unsafe_page_routes(app):
        response = await browser.request(method, path, data=data)
        assert response.status_code == 403, (method, path, response.status_code)
        assert response.headers["content-type"].startswith("text/html")
        assert "set-cookie" not in response.headers or COOKIE not in response.headers["set-cookie"]
    # nothing changed: still signed in, same name, language and password, no token
    assert await _is_signed_in(browser)
    me = (await browser.get("/api/auth/me")).json()["user"]
    assert (me["display_name"], me["language"]) == ("Ana Pop", "en")
    assert (await browser.get("/api/auth/tokens")).json() == []
    assert LANGUAGE_COOKIE not in browser.cookies
    assert (await sign_in_by_form(await visitor(open_client), "ana@upt.ro")).status_code == 303


async def test_a_visitors_change_needs_the_token_of_its_cookie(app, open_client, ana) -> None:
    """Double submit: the form's token must be the one in the visitor's own cookie, which
    another site can neither read nor set."""
    browser = await visitor(open_client)
    own = browser.cookies[VISITOR_CSRF_COOKIE]
    data = {"language": "en", "email": "ana@upt.ro", "password": PASSWORD}
    for token in (None, "", "a-token-of-someone-else"):
        sent = data if token is None else {**data, "csrf_token": token}
        for method, path in _unsafe_page_routes(app):
            response = await browser.request(method, path, data=sent)
            assert response.status_code == 403, (method, path, token)
            assert response.headers["content-type"].startswith("text/html")
            assert "reîncărcați pagina" in response.text  # said as a page, not as the API
    # a browser without the cookie cannot use a token it read elsewhere
    stranger = open_client()
    response = await stranger.post("/sign-in", data={**data, "csrf_token": own})
    assert response.status_code == 403
    assert LANGUAGE_COOKIE not in browser.cookies
    assert not await _is_signed_in(browser)
    assert not await _is_signed_in(stranger)


async def test_htmx_sends_the_token_as_a_header(open_client, ana) -> None:
    browser = await signed_in(open_client, "ana@upt.ro")
    home = await browser.get("/")
    token = form_token(home.text)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in home.text
    response = await browser.post(
        "/language", data={"language": "ro", "next": "/"}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 303
    assert (await browser.get("/api/auth/me")).json()["user"]["language"] == "ro"


async def test_the_visitor_cookie_is_set_once_and_kept_from_scripts(open_client) -> None:
    browser = open_client()
    first = await browser.get("/sign-in")
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{VISITOR_CSRF_COOKIE}=")
    assert "HttpOnly" in cookie
    assert form_token(first.text) == browser.cookies[VISITOR_CSRF_COOKIE]
    again = await browser.get("/")
    assert "set-cookie" not in again.headers
    assert form_token(again.text) == browser.cookies[VISITOR_CSRF_COOKIE]


# Errors


async def test_errors_outside_the_api_are_pages(open_client) -> None:
    response = await open_client().get("/no-such-page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Pagina nu a fost găsită</h1>" in response.text
    assert "Cod de eroare: 404" in response.text


async def test_errors_inside_the_api_are_json(open_client) -> None:
    response = await open_client().get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert set(response.json()) >= {"status", "code", "message", "errors"}


async def test_a_change_without_a_sign_in_is_an_error_page(open_client) -> None:
    browser = await visitor(open_client)
    response = await post_form(browser, "/account/name", {"display_name": "x"}, page="/sign-in")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert "autentificați-vă mai întâi" in response.text


# Headers and static files

PAGES = ("/", "/rooms", "/sign-in", "/no-such-page")


@pytest.mark.parametrize("path", PAGES)
async def test_pages_carry_the_security_headers(open_client, path) -> None:
    response = await open_client().get(path)
    policy = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline scripts, no eval
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'self'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("path", PAGES)
async def test_pages_have_no_inline_script(open_client, path) -> None:
    html = (await open_client().get(path)).text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)


async def test_the_account_page_has_no_inline_script(open_client, ana) -> None:
    html = (await (await signed_in(open_client, "ana@upt.ro")).get("/account")).text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)


async def test_static_files_have_versioned_urls_cached_for_a_year(open_client) -> None:
    client = open_client()
    html = (await client.get("/")).text
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert any(url.startswith("/static/site.css?v=") for url in urls)
    assert any(url.startswith("/static/vendor/htmx.min.js?v=") for url in urls)
    for url in urls:
        path, _, version = url.removeprefix("/static/").partition("?v=")
        assert version == hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:12], url
        response = await client.get(url)
        assert response.status_code == 200, url
        cache = response.headers["cache-control"]
        assert "max-age=31536000" in cache
        assert "public" in cache
