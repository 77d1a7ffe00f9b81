"""Signing in and out, the language of the pages, and the signed-in user's own account: name,
language, password, API tokens and the e-mails they get (the same use cases as /api/auth), and
calendar feeds (the same as /api/feeds)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from booking.accounts import signing_in, tokens, users
from booking.accounts.commands import UserChanges
from booking.accounts.controllers import client_address
from booking.accounts.current_user import CurrentUser
from booking.accounts.guards import requires_login
from booking.accounts.passwords import MAX_LENGTH as MAX_PASSWORD
from booking.accounts.passwords import MIN_LENGTH as MIN_PASSWORD
from booking.accounts.sessions import (
    COOKIE,
    SESSION_MAX_AGE,
    end_session,
    session_cookie,
    site_cookie,
)
from booking.accounts.stores import SESSIONS, THROTTLE
from booking.accounts.throttle import Throttled
from booking.api.language import LANGUAGE_COOKIE
from booking.core.accounts import Token
from booking.core.errors import NotFound, RuleViolation, WrongCredentials
from booking.core.messages import Duration, Message
from booking.core.notifications import OPTIONAL
from booking.feeds import tokens as feed_tokens
from booking.i18n import LANGUAGES
from booking.pages.account_feeds import (
    NewFeed,
    create_feed,
    feeds_section,
    own_feed,
    rotate_feed,
)
from booking.pages.forms import field_errors, form_fields, safe_next
from booking.settings import Settings
from booking.web.rendering import current_user, page
from booking.web.templates import said

LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


class SignInPages(Controller):
    include_in_schema = False

    @get("/sign-in")
    async def sign_in_form(
        self,
        request: Request[Any, Any, Any],
        next: FromQuery[str] = "/",
        password: FromQuery[str] = "",
    ) -> Template:
        """`?password=set`: come from an e-mailed link, where a password was just set."""
        notice = Message("sign_in.password_set") if password == "set" else None
        context: dict[str, Any] = {
            "next": safe_next(next),
            "email": "",
            "errors": {},
            "notice": notice,
        }
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
            try:
                signed = await signing_in.sign_in_anew(
                    request.app.stores.get(SESSIONS),
                    request.app.stores.get(THROTTLE),
                    request.cookies.get(COOKIE),
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
        context = {"next": target, "email": email, "errors": errors, "notice": None}
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
        cookie = site_cookie(
            LANGUAGE_COOKIE, language, settings, LANGUAGE_COOKIE_SECONDS, httponly=False
        )
        return Redirect(target, status_code=303, cookies=[cookie])


# The limits of the API's schemas (accounts.schemas Name, TokenCreate), checked at this edge too.
MAX_NAME = 200
MAX_TOKEN_NAME = 100

# What a form that has just succeeded says on the page it leads back to (/account?saved=…).
SAVED = {
    "name": Message("account.saved_name"),
    "language": Message("account.saved_language"),
    "password": Message("account.saved_password"),
    "revoked": Message("account.saved_revoked"),
    "feed_stopped": Message("account.saved_feed_stopped"),
    "notifications": Message("account.saved_notifications"),
}

# The e-mails a user may turn off, as the notifications form names them (the API's too).
NOTIFICATION_CHOICES = tuple(sorted(OPTIONAL.values()))

# The page's form fields that the use cases name differently.
TOKEN_FIELDS = {"name": "token_name"}

# The labels of the fields, for the summary of a refused form: the service says what is wrong
# with a field ("is not your current password"), the summary says which field it is.
LABELS = {
    "display_name": Message("account.name"),
    "current_password": Message("account.current_password"),
    "new_password": Message("account.new_password"),
    "token_name": Message("account.token_name"),
}


class AccountPages(Controller):
    """The signed-in user's own account. Each part is a small form of its own; a refused one
    comes back with its errors beside the fields and what was typed (never a password)."""

    path = "/account"
    include_in_schema = False
    guards = [requires_login]  # noqa: RUF012

    @get("/")
    async def account(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[CurrentUser],
        saved: FromQuery[str] = "",
    ) -> Template:
        notice = SAVED.get(saved)
        return await _account_page(request, user, notice=notice, saved=saved if notice else "")

    @post("/name", status_code=303)
    async def change_name(
        self, request: Request[Any, Any, Any], user: NamedDependency[CurrentUser]
    ) -> Redirect | Template:
        form = await form_fields(request)
        name = form.get("display_name", "")
        errors = _text_problem("display_name", name, MAX_NAME, Message("account.name_missing"))
        if not errors:
            try:
                await users.update_user(user.id, UserChanges({"display_name": name}))
            except RuleViolation as refusal:
                errors = field_errors(refusal.problems)
        if errors:
            return await _account_page(
                request, user, errors=errors, values={"display_name": name}, status_code=422
            )
        return Redirect("/account?saved=name", status_code=303)

    @post("/password", status_code=303)
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> Redirect | Template:
        """As POST /api/auth/password: the same use case and limits; every other session of the
        user ends, this one stays."""
        form = await form_fields(request)
        current, new = form.get("current_password", ""), form.get("new_password", "")
        errors: dict[str, str] = {}
        if not current:
            errors["current_password"] = said(Message("account.current_password_missing"))
        elif len(current) > MAX_PASSWORD:
            errors["current_password"] = said(Message("password.not_current"))
        if not new:
            errors["new_password"] = said(Message("account.new_password_missing"))
        elif len(new) > MAX_PASSWORD:
            errors["new_password"] = said(Message("password.too_long", n=MAX_PASSWORD))
        headers: dict[str, str] = {}
        status_code = 422
        if not errors:
            try:
                await signing_in.change_own_password(
                    user,
                    current,
                    new,
                    request.app.stores.get(SESSIONS),
                    request.app.stores.get(THROTTLE),
                    client_address(request),
                    now,
                )
            except RuleViolation as refusal:
                errors = field_errors(refusal.problems)
            except Throttled as throttled:
                wait = Duration(seconds=throttled.retry_after)
                errors["current_password"] = said(Message("sign_in.wait", wait=wait))
                headers["Retry-After"] = str(throttled.retry_after)
                status_code = 429
            else:
                return Redirect("/account?saved=password", status_code=303)
        return await _account_page(
            request, user, errors=errors, status_code=status_code, headers=headers
        )

    @post("/notifications", status_code=303)
    async def change_notifications(
        self, request: Request[Any, Any, Any], user: NamedDependency[CurrentUser]
    ) -> Redirect:
        """As PATCH /api/auth/me with both settings: a box left unticked is not sent by the
        browser, so it turns its e-mail off."""
        form = await form_fields(request)
        wanted = {name: name in form for name in NOTIFICATION_CHOICES}
        await users.update_user(user.id, UserChanges(wanted))
        return Redirect("/account?saved=notifications#notifications", status_code=303)

    @post("/tokens", status_code=200)
    async def create_token(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> Template:
        """The new token is on this answer only (never in a URL to redirect to)."""
        form = await form_fields(request)
        name = form.get("token_name", "")
        errors = _text_problem(
            "token_name", name, MAX_TOKEN_NAME, Message("account.token_name_missing")
        )
        if not errors:
            try:
                token, secret = await tokens.create_token(user.id, name, now)
            except RuleViolation as refusal:
                errors = field_errors(refusal.problems, TOKEN_FIELDS)
        if errors:
            return await _account_page(
                request, user, errors=errors, values={"token_name": name}, status_code=422
            )
        return await _account_page(request, user, new_token=(token, secret))

    @get("/tokens/{token_id:int}/revoke")
    async def confirm_revoke(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[CurrentUser],
        token_id: FromPath[int],
    ) -> Template:
        token = await _own_active_token(user, token_id)
        return page(request, "account/revoke_token.html.j2", {"token": token})

    @post("/tokens/{token_id:int}/revoke", status_code=303)
    async def revoke_token(
        self,
        user: NamedDependency[CurrentUser],
        token_id: FromPath[int],
        now: NamedDependency[datetime],
    ) -> Redirect:
        await tokens.revoke_token(user.id, token_id, now)
        return Redirect("/account?saved=revoked", status_code=303)

    @post("/feeds", status_code=200)
    async def create_feed(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[CurrentUser],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Template:
        """A private feed the page offered: its secret link is on this answer only."""
        form = await form_fields(request)
        made = await create_feed(user, form, settings.base_url, now)
        return await _account_page(request, user, new_feed=made)

    @get("/feeds/{token_id:int}/rotate")
    async def confirm_rotate_feed(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[CurrentUser],
        token_id: FromPath[int],
    ) -> Template:
        feed = await own_feed(user, token_id)
        return page(request, "account/feed_confirm.html.j2", {"feed": feed, "action": "rotate"})

    @post("/feeds/{token_id:int}/rotate", status_code=200)
    async def rotate_feed(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[CurrentUser],
        token_id: FromPath[int],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Template:
        """A new secret link for the feed, on this answer only; the old one answers 410."""
        made = await rotate_feed(user, token_id, settings.base_url, now)
        return await _account_page(request, user, new_feed=made)

    @get("/feeds/{token_id:int}/revoke")
    async def confirm_revoke_feed(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[CurrentUser],
        token_id: FromPath[int],
    ) -> Template:
        feed = await own_feed(user, token_id)
        return page(request, "account/feed_confirm.html.j2", {"feed": feed, "action": "revoke"})

    @post("/feeds/{token_id:int}/revoke", status_code=303)
    async def revoke_feed(
        self,
        user: NamedDependency[CurrentUser],
        token_id: FromPath[int],
        now: NamedDependency[datetime],
    ) -> Redirect:
        await feed_tokens.revoke_feed_token(user, token_id, now)
        return Redirect("/account?saved=feed_stopped#feeds", status_code=303)


def _text_problem(field: str, text: str, limit: int, missing: Message) -> dict[str, str]:
    """A name left empty or longer than the API's schema takes, said as a form says it (the
    use case's own refusals are said beside the field too)."""
    if not text.strip():
        return {field: said(missing)}
    if len(text.strip()) > limit:
        return {field: said(Message("account.too_long", n=limit))}
    return {}


async def _own_active_token(user: CurrentUser, token_id: int) -> Token:
    for token in await tokens.list_tokens(user.id):
        if token.id == token_id and token.revoked_at is None:
            return token
    raise NotFound("token")


async def _account_page(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    notice: Message | None = None,
    saved: str = "",
    new_token: tuple[Token, str] | None = None,
    new_feed: NewFeed | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Template:
    settings: Settings = request.app.state["settings"]
    account = await users.get_account(user.id)
    active = [token for token in await tokens.list_tokens(user.id) if token.revoked_at is None]
    errors = errors or {}
    summary = {
        field: said(Message("account.problem", field=LABELS[field], problem=text))
        if field in LABELS
        else text
        for field, text in errors.items()
    }
    context = {
        "account": account.user,
        "organisations": account.organisations,
        "tokens": active,
        "errors": errors,
        "summary": summary,
        "values": {
            "display_name": account.user.display_name,
            "token_name": "",
            **(values or {}),
        },
        "notice": notice,
        "saved": saved,  # which form the notice is about: said beside it, or at the top
        "new_token": new_token,
        "feeds": await feeds_section(user, settings.base_url, new_feed),
        "zone": settings.default_zone,
        "min_password": MIN_PASSWORD,
    }
    return page(
        request, "account/account.html.j2", context, status_code=status_code, headers=headers
    )
