"""Route guards: the coarse half of authorisation (signed in; administrator)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from booking.accounts.current_user import CurrentUser
from booking.core.errors import Forbidden, NotSignedIn
from booking.core.messages import Message


def signed_in(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser:
    user = connection.scope.get("user")
    if not isinstance(user, CurrentUser):
        raise NotSignedIn(Message("auth.sign_in_first"))
    return user


def _asks_what_is_allowed(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """OPTIONS only lists the methods of a path. Authentication leaves it alone (a CORS
    preflight carries no credentials), and the guards of the path's controller must too."""
    return connection.scope.get("method") == "OPTIONS"


# Guards are coroutines: Litestar runs a plain function guard in a worker thread, a hop that
# costs more than the check itself.
async def requires_login(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    if _asks_what_is_allowed(connection):
        return
    signed_in(connection)


async def requires_admin(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    if _asks_what_is_allowed(connection):
        return
    if not signed_in(connection).actor.admin:
        raise Forbidden(Message("auth.only_admins"))


def provide_user(request: Request[Any, Any, Any]) -> CurrentUser:
    """The signed-in user of a route guarded by `requires_login`."""
    return signed_in(request)
