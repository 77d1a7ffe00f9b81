"""The CSRF token a page's forms carry (accounts.authentication checks it): the session's, or
for a visitor the one kept in the visitor cookie, made on the first page that needs it."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import Cookie

from booking.accounts.credentials import new_secret
from booking.accounts.current_user import CurrentUser
from booking.accounts.sessions import VISITOR_CSRF_COOKIE, site_cookie
from booking.settings import Settings

_NEW_TOKEN = "visitor_csrf"


def form_token(request: Request[Any, Any, Any]) -> str:
    user = request.scope.get("user")
    if isinstance(user, CurrentUser) and user.session is not None:
        return user.session.csrf_token
    token = request.cookies.get(VISITOR_CSRF_COOKIE) or request.scope.get(_NEW_TOKEN)
    if not token:
        token = new_secret()
        request.scope[_NEW_TOKEN] = token  # type: ignore[literal-required]
    return str(token)


def visitor_cookies(request: Request[Any, Any, Any], settings: Settings) -> list[Cookie]:
    """The visitor cookie to set, if this request made a new token."""
    token = request.scope.get(_NEW_TOKEN)
    if not token:
        return []
    return [site_cookie(VISITOR_CSRF_COOKIE, str(token), settings)]
