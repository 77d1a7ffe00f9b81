"""Signing in and out, and the language of the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from booking.accounts import signing_in, users
from booking.accounts.commands import UserChanges
from booking.accounts.controllers import client_address
from booking.accounts.current_user import CurrentUser
from booking.accounts.sessions import (
    COOKIE,
    SESSION_MAX_AGE,
    end_session,
    load_session,
    session_cookie,
)
from booking.accounts.stores import SESSIONS, THROTTLE
from booking.accounts.throttle import Throttled
from booking.api.language import LANGUAGE_COOKIE
from booking.core.errors import WrongCredentials
from booking.core.messages import Duration, Message
from booking.i18n import LANGUAGES
from booking.pages.forms import form_fields, safe_next
from booking.settings import Settings
from booking.web.rendering import current_user, page
from booking.web.templates import said

LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


class SignInPages(Controller):
    include_in_schema = False

    @get("/sign-in")
    async def sign_in_form(
        self, request: Request[Any, Any, Any], next: FromQuery[str] = "/"
    ) -> Template:
        context = {"next": safe_next(next), "email": "", "errors": {}}
        return page(request, "account/sign_in.html.j2", context)

    @post("/sign-in", status_code=303)
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Redirect | Template:
        form = await form_fields(request)
        email, password = form.get("email", "").strip(), form.get("password", "")
        target = safe_next(form.get("next"))
        errors = {}
        if not email:
            errors["email"] = said(Message("sign_in.email_missing"))
        if not password:
            errors["password"] = said(Message("sign_in.password_missing"))
        if not errors:
            session_store = request.app.stores.get(SESSIONS)
            old = request.cookies.get(COOKIE)
            if old:
                previous = await load_session(session_store, old, now)
                if previous is not None:
                    await end_session(session_store, previous.key)
            try:
                signed = await signing_in.sign_in(
                    session_store,
                    request.app.stores.get(THROTTLE),
                    email,
                    password,
                    client_address(request),
                    now,
                )
            except WrongCredentials:
                errors["email"] = said(Message("sign_in.wrong"))
            except Throttled as throttled:
                wait = Duration(seconds=throttled.retry_after)
                errors["email"] = said(Message("sign_in.wait", wait=wait))
            else:
                max_age = int(SESSION_MAX_AGE.total_seconds())
                return Redirect(
                    target,
                    status_code=303,
                    cookies=[session_cookie(signed.session_id, settings, max_age)],
                )
        context = {"next": target, "email": email, "errors": errors}
        return page(request, "account/sign_in.html.j2", context, status_code=422)

    @post("/sign-out", status_code=303)
    async def sign_out(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Redirect:
        user = current_user(request)
        if user is not None and user.session is not None:
            await end_session(request.app.stores.get(SESSIONS), user.session.key)
        return Redirect("/", status_code=303, cookies=[session_cookie("", settings, 0)])

    @post("/language", status_code=303)
    async def choose_language(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Redirect:
        """The language of the pages: kept in a cookie, and in the account of who is signed in
        (so that e-mail and the API speak it too)."""
        form = await form_fields(request)
        language = form.get("language", "")
        target = safe_next(form.get("next"))
        if language not in LANGUAGES:
            return Redirect(target, status_code=303)
        user: CurrentUser | None = current_user(request)
        if user is not None:
            await users.update_user(user.id, UserChanges({"language": language}))
        cookie = Cookie(
            key=LANGUAGE_COOKIE,
            value=language,
            max_age=LANGUAGE_COOKIE_SECONDS,
            path="/",
            samesite="lax",
            secure=settings.base_url.startswith("https://"),
        )
        return Redirect(target, status_code=303, cookies=[cookie])
