"""One JSON shape for every error, and the single place where errors become HTTP statuses.

Every text in it is a message code rendered in the reader's language (api.language); the codes
are in the answer too, for scripts.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException

from booking.api.language import texts_of
from booking.api.validation import problems as validation_problems
from booking.core.errors import (
    BadParameter,
    DomainError,
    FieldProblem,
    Forbidden,
    Gone,
    NotFound,
    NotSignedIn,
    RuleViolation,
    StaleVersion,
    TransitionNotAllowed,
    WrongCredentials,
)
from booking.core.messages import Message
from booking.db.connection_loss import is_connection_lost
from booking.db.transactions import DatabaseBusy, is_busy, sqlstate
from booking.i18n import Texts

log = logging.getLogger("booking.api")


class FieldError(msgspec.Struct):
    field: str
    code: str
    reason: str


class ErrorBody(msgspec.Struct, omit_defaults=True):
    """Every error answer: the status again, a stable code of its kind, a sentence and the
    sentence's own code, and field details."""

    status: int
    code: str
    message: str
    errors: list[FieldError]
    message_code: str = ""
    conflicts: list[Any] | None = None
    alternatives: Any | None = None
    current: Any | None = None


def error_body(
    texts: Texts,
    status: int,
    code: str,
    message: Message,
    problems: Sequence[FieldProblem] = (),
    **extra: Any,
) -> ErrorBody:
    errors = [
        FieldError(
            texts(p.field) if isinstance(p.field, Message) else p.field,
            p.reason.code,
            texts(p.reason),
        )
        for p in problems
    ]
    return ErrorBody(status, code, texts(message), errors, message.code, **extra)


def error_response(body: ErrorBody, headers: Mapping[str, str] | None = None) -> Response[Any]:
    return Response(
        content=msgspec.to_builtins(body),
        status_code=body.status,
        media_type=MediaType.JSON,
        headers=dict(headers) if headers else None,
    )


# The kind of error of each status Litestar may answer by itself, and its sentence.
_STATUSES: Mapping[int, tuple[str, Message]] = {
    400: ("bad_request", Message("http.bad_request")),
    401: ("unauthorized", Message("http.unauthorized")),
    403: ("forbidden", Message("http.forbidden")),
    404: ("not_found", Message("http.not_found")),
    405: ("method_not_allowed", Message("http.method_not_allowed")),
    409: ("conflict", Message("http.conflict")),
    410: ("gone", Message("http.gone")),
    413: ("request_entity_too_large", Message("http.too_large")),
    415: ("unsupported_media_type", Message("http.unsupported_media_type")),
    429: ("too_many_requests", Message("http.too_many_requests")),
    500: ("internal_server_error", Message("http.internal_error")),
    503: ("service_unavailable", Message("http.unavailable")),
}


def _said(exc: HTTPException) -> Message | None:
    """The service's own sentence for an HTTP error it raised itself, if any."""
    said = exc.extra.get("message") if isinstance(exc.extra, dict) else None
    return said if isinstance(said, Message) else None


def handle_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    texts, status = texts_of(request), exc.status_code
    if isinstance(exc, ValidationException) or status == 400:
        problems = validation_problems(exc.extra, str(exc.detail))
        if not problems:
            # msgspec could not even parse the body (truncated or not JSON at all).
            detail = str(exc.detail)[:200]
            problems = [FieldProblem("body", Message("validation.not_json", detail=detail))]
        message = Message("request.not_valid")
        return error_response(error_body(texts, 400, "bad_request", message, problems))
    code, message = _STATUSES.get(status, ("error", Message("http.error", status=status)))
    message = _said(exc) or message
    return error_response(error_body(texts, status, code, message), headers=exc.headers)


def handle_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    # A BookingConflict has its own handler (bookings/refusals.py): it carries the collisions.
    texts = texts_of(request)
    if isinstance(exc, BadParameter):
        body = error_body(texts, 400, "bad_request", exc.message, exc.problems)
    elif isinstance(exc, RuleViolation):
        body = error_body(texts, 422, "invalid", exc.message, exc.problems)
    elif isinstance(exc, NotFound):
        where = [FieldProblem(exc.field, Message("not_found.field"))] if exc.field else []
        body = error_body(texts, 404, "not_found", exc.message, where)
    elif isinstance(exc, Gone):
        body = error_body(texts, 410, "gone", exc.message)
    elif isinstance(exc, Forbidden):
        body = error_body(texts, 403, "forbidden", exc.message)
    elif isinstance(exc, NotSignedIn | WrongCredentials):
        challenge = {"WWW-Authenticate": 'Bearer realm="upt-booking"'}
        return error_response(error_body(texts, 401, "unauthorized", exc.message), challenge)
    elif isinstance(exc, StaleVersion):
        body = error_body(texts, 409, "stale_version", exc.message)
    elif isinstance(exc, TransitionNotAllowed):
        body = error_body(texts, 409, "not_allowed_now", exc.message)
    else:
        return handle_internal_error(request, exc)
    return error_response(body)


def handle_busy(request: Request[Any, Any, Any], exc: DatabaseBusy) -> Response[Any]:
    body = error_body(texts_of(request), 503, "busy", Message("database.busy"))
    return error_response(body, headers={"Retry-After": "1"})


def _is_duplicate(exc: Exception) -> bool:
    if sqlstate(exc) == "23505":  # unique_violation
        return True
    return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)


# PostgreSQL refusing connections (too many clients, starting up or shutting down) or a
# connection lost: the request can simply be tried again.
_UNAVAILABLE_SQLSTATES = frozenset({"53300", "57P01", "57P02", "57P03"})


def _database_unavailable(exc: Exception) -> bool:
    state = sqlstate(exc)
    if state is not None:
        return state in _UNAVAILABLE_SQLSTATES or state.startswith("08")
    return is_connection_lost(exc)


def _beyond_sqlite_integers(exc: Exception) -> bool:
    return isinstance(exc, OverflowError) and "SQLite INTEGER" in str(exc)


def _refused_by_the_database(exc: Exception) -> tuple[int, str, Message, Message] | None:
    """Input the database refuses that no check of ours caught: status, kind, sentence and the
    reason on `body`."""
    if isinstance(exc, RecursionError) and "deserializing" in str(exc):
        # msgspec's own limit on nesting, raised as such rather than as a DecodeError.
        return 400, "bad_request", Message("request.not_valid"), Message("validation.too_deep")
    if sqlstate(exc) in ("22000", "22003") or _beyond_sqlite_integers(exc):
        # An id or number beyond what the database's integers hold: no such thing can exist,
        # and nothing was stored.
        return 422, "invalid", Message("request.breaks_rule"), Message("validation.out_of_range")
    if sqlstate(exc) == "22021":  # character_not_in_repertoire: PostgreSQL stores no NUL
        return 422, "invalid", Message("request.breaks_rule"), Message("text.nul")
    return None


def handle_internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    texts = texts_of(request)
    if is_busy(exc):
        # SQLite's lock met outside a writing transaction: the same answer as inside one.
        return handle_busy(request, DatabaseBusy())
    if _database_unavailable(exc):
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        body = error_body(texts, 503, "unavailable", Message("database.unavailable"))
        return error_response(body, headers={"Retry-After": "2"})
    refused = _refused_by_the_database(exc)
    if refused is not None:
        status, code, message, reason = refused
        problems = [FieldProblem("body", reason)]
        return error_response(error_body(texts, status, code, message, problems))
    if _is_duplicate(exc):
        # Two requests created the same thing at once; the first one won.
        return error_response(error_body(texts, 409, "duplicate", Message("database.duplicate")))
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    body = error_body(texts, 500, "internal_error", Message("http.internal_error"))
    return error_response(body)


EXCEPTION_HANDLERS: dict[type[Exception], Any] = {
    HTTPException: handle_http_error,
    DomainError: handle_domain_error,
    DatabaseBusy: handle_busy,
    Exception: handle_internal_error,
}
