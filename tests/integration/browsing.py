"""A browser's part in the page tests: it keeps cookies, reads the form token a page carries,
and signs in through the sign-in form (a session cookie, as a person's browser has)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx

from booking.accounts.sessions import VISITOR_CSRF_COOKIE
from tests.factories import PASSWORD

_FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(html: str) -> str:
    """The CSRF token the page's forms send."""
    found = _FORM_TOKEN.search(html)
    assert found, "the page has no form token"
    return found.group(1)


async def visitor(open_client: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    """A browser that has opened the sign-in page: it holds the visitor's form token."""
    client = open_client()
    response = await client.get("/sign-in")
    assert response.status_code == 200
    assert client.cookies.get(VISITOR_CSRF_COOKIE)
    return client


async def sign_in_by_form(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, next: str = "/"
) -> httpx.Response:
    """Post the sign-in form as a browser does (with the token its sign-in page gave)."""
    page = await client.get("/sign-in")
    return await client.post(
        "/sign-in",
        data={
            "email": email,
            "password": password,
            "next": next,
            "csrf_token": form_token(page.text),
        },
    )


async def signed_in(
    open_client: Callable[..., httpx.AsyncClient], email: str, language: str | None = None
) -> httpx.AsyncClient:
    """A browser with a session of `email` (who has the tests' PASSWORD), reading the pages in
    `language` if given (the visitor's cookie; else the account's language)."""
    client = await visitor(open_client)
    if language is not None:
        client.cookies.set("upt_lang", language)
    response = await sign_in_by_form(client, email)
    assert response.status_code == 303, response.text
    return client


async def post_form(
    client: httpx.AsyncClient, path: str, data: dict[str, Any] | None = None, page: str = "/"
) -> httpx.Response:
    """Post a form with the token `page` carries for this browser (its session's, or the
    visitor's)."""
    token = form_token((await client.get(page)).text)
    return await client.post(path, data={**(data or {}), "csrf_token": token})
