"""The language of an answer.

The API's: the signed-in account's, else the first of Accept-Language's that the service
speaks, else Romanian. A page's: the account's, else the language the visitor chose (a cookie),
else Romanian; browsers' Accept-Language is not asked there, since Romanian is the pages'
language unless someone picks another.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection

from booking.i18n import DEFAULT_LANGUAGE, LANGUAGES, Texts, negotiate, texts

LANGUAGE_COOKIE = "upt_lang"


def texts_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Texts:
    # Whoever the authentication middleware signed in, if anyone.
    account = getattr(connection.scope.get("user"), "language", None)
    if str(connection.scope.get("path", "")).startswith("/api/"):
        return texts(negotiate(account, connection.headers.get("accept-language")))
    if account in LANGUAGES:
        return texts(account)
    chosen = connection.cookies.get(LANGUAGE_COOKIE)
    return texts(chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE)


def provide_texts(request: Request[Any, Any, Any]) -> Texts:
    return texts_of(request)
