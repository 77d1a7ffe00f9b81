"""Who is calling: a personal API token (Bearer header) or a session cookie, else nobody.

Cookie requests that change state must carry the session's CSRF token in the X-CSRF-Token
header, or a page's form in its `csrf_token` field: a browser sends the cookie along with a
forged cross-site request, but the attacker cannot read the token. Bearer requests need no CSRF
token, since browsers never add that header on their own. A visitor's form (no session yet:
sign-in, the language) must send the token its page set in the visitor cookie.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import Receive, Scope, Send

from booking.accounts.credentials import digest, same
from booking.accounts.current_user import CurrentUser
from booking.accounts.sessions import (
    COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    VISITOR_CSRF_COOKIE,
    end_session,
    ended_by_password_change,
    load_session,
)
from booking.accounts.stores import SESSIONS
from booking.core.errors import Forbidden, NotSignedIn
from booking.core.messages import Message
from booking.db import accounts
from booking.db.transactions import DatabaseBusy

log = logging.getLogger("booking.accounts")

_RECEIVE = "booking.receive"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Writing "last used" on every request would make every read a write.
TOKEN_USE_RESOLUTION = timedelta(minutes=5)


class Authentication(AbstractAuthenticationMiddleware):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The base class hands `authenticate_request` a connection that cannot read the body;
        # a form's CSRF field is in the body, so the real `receive` is kept for it.
        scope[_RECEIVE] = receive  # type: ignore[literal-required]
        await super().__call__(scope, receive, send)

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        now = datetime.now(UTC)
        header = connection.headers.get("authorization")
        if header is not None:
            return await self._by_token(header, now)
        session_id = connection.cookies.get(COOKIE)
        if session_id:
            store = connection.app.stores.get(SESSIONS)
            session = await load_session(store, session_id, now)
            principal = await accounts.active_principal(session.user_id) if session else None
            if session is not None and principal is not None:
                if ended_by_password_change(session, principal.sessions_valid_from):
                    await end_session(store, session.key)
                    return AuthenticationResult(None, None)
                await _check_csrf(connection, session.csrf_token)
                return AuthenticationResult(CurrentUser.of(principal, session), "session")
        if _is_page(connection):
            await _check_csrf(connection, connection.cookies.get(VISITOR_CSRF_COOKIE, ""))
        return AuthenticationResult(None, None)

    async def _by_token(self, header: str, now: datetime) -> AuthenticationResult:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotSignedIn(Message("auth.bearer_form"))
        principal = await accounts.principal_by_token(digest(token.strip()))
        if principal is None:
            raise NotSignedIn(Message("auth.token_unknown"))
        last_used = principal.token_last_used_at
        if principal.token_id is not None and (
            last_used is None or now - last_used > TOKEN_USE_RESOLUTION
        ):
            await _stamp_use(principal.token_id, now)
        return AuthenticationResult(CurrentUser.of(principal), "token")


def _is_page(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    return not connection.scope.get("path", "").startswith("/api/")


async def _check_csrf(connection: ASGIConnection[Any, Any, Any, Any], expected: str) -> None:
    if connection.scope.get("method", "GET") in SAFE_METHODS:
        return
    handler = connection.scope.get("route_handler")
    if handler is not None and handler.opt.get("csrf_exempt"):
        return
    sent = connection.headers.get(CSRF_HEADER, "") or await _form_token(connection)
    if not sent or not expected or not same(sent, expected):
        raise Forbidden(Message("auth.csrf"))


async def _form_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The token a page's form sent as a field. The parsed form is kept in the request's scope,
    so the handler reads it again without the body."""
    kind = connection.headers.get("content-type", "")
    if not kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return ""
    form = await Request(connection.scope, connection.scope[_RECEIVE]).form()  # type: ignore[literal-required]
    value = form.get(CSRF_FIELD, "")
    return value if isinstance(value, str) else ""


async def _stamp_use(token_id: int, now: datetime) -> None:
    """Best effort: the request goes on whether or not the stamp is made. While the database is
    busy it is skipped, and a later request makes it."""
    try:
        await accounts.touch_token(token_id, now)
    except DatabaseBusy:
        log.info("the use of API token %s was not recorded: the database is busy", token_id)
    except Exception:
        log.exception("the use of API token %s was not recorded", token_id)
