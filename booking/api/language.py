"""The language of an answer: the signed-in account's, else the first of Accept-Language's
that the service speaks, else Romanian."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection

from booking.i18n import Texts, negotiate, texts


def texts_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Texts:
    # Whoever the authentication middleware signed in, if anyone.
    account = getattr(connection.scope.get("user"), "language", None)
    return texts(negotiate(account, connection.headers.get("accept-language")))


def provide_texts(request: Request[Any, Any, Any]) -> Texts:
    return texts_of(request)
