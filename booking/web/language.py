"""The language of a page (api.language says which): kept in a context variable for the
request, so the templates' `_()` and the date formatting read it without every render passing
it along (a Jinja environment shared by concurrent requests must not hold a language)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from litestar.connection import ASGIConnection
from litestar.types import ASGIApp, Receive, Scope, Send

from booking.api.language import texts_of
from booking.i18n import DEFAULT_LANGUAGE, Texts, texts

_current: ContextVar[Texts | None] = ContextVar("page_texts", default=None)


def current_texts() -> Texts:
    return _current.get() or texts(DEFAULT_LANGUAGE)


def speak_as(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Set the page language for the rest of this request (an error page rendered outside
    the middleware below)."""
    _current.set(texts_of(connection))


class PageLanguage:
    """ASGI middleware, inside authentication: the page language for the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _current.set(texts_of(ASGIConnection(scope, receive, send)))
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)
