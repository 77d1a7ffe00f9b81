""" "Forgot my password" and the page of an e-mailed link where a password is set (after a reset
or for an invitation): the same use cases as POST /api/auth/password-reset-request and
/api/auth/password-reset."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from piccolo.engine.base import Engine

from booking.accounts import links, password_reset
from booking.accounts.controllers import client_address
from booking.accounts.links import OpenedLink
from booking.accounts.passwords import MIN_LENGTH as MIN_PASSWORD
from booking.accounts.stores import THROTTLE
from booking.accounts.throttle import Throttled
from booking.api.validation import EMAIL_PATTERN
from booking.core.account_links import LIFETIME, Purpose
from booking.core.errors import Gone, NotFound, RuleViolation
from booking.core.messages import Duration, Message
from booking.pages.forms import field_errors, form_fields
from booking.settings import Settings
from booking.web.rendering import page
from booking.web.templates import said

# The link's secret is in the address of these pages: no copy is kept by the browser, and
# none is sent along to another site (the layout links to none; this says so anyway).
_SECRET_IN_URL = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_LONGEST_EMAIL = 254
_RESET_MINUTES = int(LIFETIME[Purpose.RESET].total_seconds() // 60)


class PasswordLinkPages(Controller):
    include_in_schema = False

    @get("/forgot-password")
    async def forgot_password_form(self, request: Request[Any, Any, Any]) -> Template:
        context = {"email": "", "errors": {}, "reset_minutes": _RESET_MINUTES}
        return page(request, "account/forgot_password.html.j2", context)

    @post("/forgot-password", status_code=303)
    async def forgot_password(
        self,
        request: Request[Any, Any, Any],
        engine: NamedDependency[Engine],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Redirect | Template:
        """Whatever the address, the same next page: it says an e-mail was sent if the address
        has an account."""
        form = await form_fields(request)
        email = form.get("email", "").strip()
        errors: dict[str, str] = {}
        headers: dict[str, str] = {}
        status_code = 422
        if not email:
            errors["email"] = said(Message("password_reset.email_missing"))
        elif len(email) > _LONGEST_EMAIL or not re.match(EMAIL_PATTERN, email):
            errors["email"] = said(Message("password_reset.email_not_valid"))
        else:
            try:
                await password_reset.count_request(
                    request.app.stores.get(THROTTLE), email, client_address(request)
                )
            except Throttled as throttled:
                wait = Duration(seconds=throttled.retry_after)
                errors["email"] = said(Message("password_reset.wait", wait=wait))
                headers["Retry-After"] = str(throttled.retry_after)
                status_code = 429
            else:
                send = BackgroundTask(
                    password_reset.send_link_after_answer,
                    engine,
                    email,
                    settings.secret_key,
                    settings.mail.message_id_domain,
                    now,
                )
                return Redirect("/forgot-password/sent", status_code=303, background=send)
        context = {"email": email, "errors": errors, "reset_minutes": _RESET_MINUTES}
        return page(
            request,
            "account/forgot_password.html.j2",
            context,
            status_code=status_code,
            headers=headers,
        )

    @get("/forgot-password/sent")
    async def reset_link_sent(self, request: Request[Any, Any, Any]) -> Template:
        context = {"reset_minutes": _RESET_MINUTES}
        return page(request, "account/reset_link_sent.html.j2", context)

    @get("/reset-password/{secret:str}")
    async def set_password_form(
        self,
        request: Request[Any, Any, Any],
        secret: FromPath[str],
        now: NamedDependency[datetime],
    ) -> Template:
        try:
            opened = await links.open_link(secret, now)
        except (NotFound, Gone) as unusable:
            return _unusable_link(request, unusable)
        return _set_password_page(request, opened)

    @post("/reset-password/{secret:str}", status_code=303)
    async def set_password(
        self,
        request: Request[Any, Any, Any],
        secret: FromPath[str],
        engine: NamedDependency[Engine],
        now: NamedDependency[datetime],
    ) -> Redirect | Template:
        """The password is set and the link used up; the new password signs in on the
        sign-in page (links.py says why it does not sign in here)."""
        form = await form_fields(request)
        password = form.get("password", "")
        try:
            opened = await links.open_link(secret, now)
        except (NotFound, Gone) as unusable:
            return _unusable_link(request, unusable)
        errors: dict[str, str] = {}
        if not password:
            errors["password"] = said(Message("password_reset.password_missing"))
        else:
            try:
                await links.set_password(
                    engine, request.app.stores.get(THROTTLE), secret, password, now
                )
            except RuleViolation as refusal:
                errors = field_errors(refusal.problems)
            except (NotFound, Gone) as unusable:
                return _unusable_link(request, unusable)
            else:
                return Redirect("/sign-in?password=set", status_code=303)
        return _set_password_page(request, opened, errors, status_code=422)


def _set_password_page(
    request: Request[Any, Any, Any],
    opened: OpenedLink,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    errors = errors or {}
    # The summary says which field each text is about (there is one, but a screen reader
    # meets the summary first).
    label = Message("set_password.password")
    summary = {
        field: said(Message("account.problem", field=label, problem=text))
        for field, text in errors.items()
    }
    context = {
        "purpose": opened.link.purpose.value,
        "account": opened.user,
        "errors": errors,
        "summary": summary,
        "min_password": MIN_PASSWORD,
    }
    return page(
        request,
        "account/set_password.html.j2",
        context,
        status_code=status_code,
        headers=_SECRET_IN_URL,
    )


def _unusable_link(request: Request[Any, Any, Any], unusable: NotFound | Gone) -> Template:
    """A clear page, never an error: what happened to the link and how to get another."""
    status_code = 404 if isinstance(unusable, NotFound) else 410
    reason = Message("account_link.unknown") if status_code == 404 else unusable.message
    return page(
        request,
        "account/link_unusable.html.j2",
        {"reason": reason},
        status_code=status_code,
        headers=_SECRET_IN_URL,
    )
