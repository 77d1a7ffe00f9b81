"""One JSON shape for every error, and the single place where errors become HTTP statuses."""

from __future__ import annotations

import logging
import re
import sqlite3
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException

from booking.core.errors import (
    BookingConflict,
    DomainError,
    Forbidden,
    NotFound,
    RuleViolation,
    StaleVersion,
    TransitionNotAllowed,
    WrongCredentials,
)
from booking.db.transactions import DatabaseBusy, sqlstate

log = logging.getLogger("booking.api")


class FieldError(msgspec.Struct):
    field: str
    reason: str


class ErrorBody(msgspec.Struct, omit_defaults=True):
    """Every error answer: the status again, a stable code, a sentence, and field details."""

    status: int
    code: str
    message: str
    errors: list[FieldError]
    conflicts: list[Any] | None = None
    alternatives: Any | None = None
    current: Any | None = None


def error_response(body: ErrorBody, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        content=msgspec.to_builtins(body),
        status_code=body.status,
        media_type=MediaType.JSON,
        headers=headers,
    )


def _field_of(key: Any, source: Any) -> str:
    """msgspec reports paths like `$.rooms[0]`; people read `rooms[0]`."""
    text = str(key or "")
    text = re.sub(r"^\$\.?", "", text)
    return text or ("body" if source in (None, "body") else str(source))


_UNKNOWN_FIELD = re.compile(r"Object contains unknown field `([^`]+)`(?: - at `([^`]+)`)?")
_MISSING_FIELD = re.compile(r"Object missing required field `([^`]+)`(?: - at `([^`]+)`)?")
_AT_PATH = re.compile(r"^(.*?) - at `([^`]+)`$")


def _validation_errors(exc: ValidationException) -> list[FieldError]:
    problems: list[FieldError] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(item, dict):
            continue
        message = _readable(str(item.get("message", "is not valid")))
        if message == "'data'":  # Litestar's word for a body that was not sent at all
            problems.append(FieldError("body", "is required: send a JSON object"))
            continue
        named = _UNKNOWN_FIELD.match(message) or _MISSING_FIELD.match(message)
        if named:
            # The path is in the message, or Litestar has split it off into `key`.
            path = named.group(2) or item.get("key")
            parent = _field_of(path, None) if path and path not in ("data", "body") else ""
            name = f"{parent}.{named.group(1)}" if parent and parent != "body" else named.group(1)
            reason = "is not a field you can set" if "unknown" in message else "is required"
            problems.append(FieldError(name, reason))
            continue
        at_path = _AT_PATH.match(message)
        if at_path:
            problems.append(FieldError(_field_of(at_path.group(2), None), at_path.group(1)))
            continue
        problems.append(FieldError(_field_of(item.get("key"), item.get("source")), message))
    return problems


_READABLE = {
    "Invalid RFC3339 encoded datetime": "give a date and time like 2027-03-29T10:00:00, "
    "optionally with an offset such as +03:00 or Z",
}


def _readable(message: str) -> str:
    for raw, readable in _READABLE.items():
        message = message.replace(raw, readable)
    return message


def handle_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, ValidationException):
        errors = _validation_errors(exc)
        message = "the request is not valid"
        if not errors:
            # msgspec could not even parse the body (truncated or not JSON at all).
            errors = [FieldError("body", f"is not valid JSON: {exc.detail}")]
        return error_response(ErrorBody(status, "bad_request", message, errors))
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    message = str(exc.detail) if exc.detail else phrase
    if status == 400:
        # Litestar reports a body it cannot decode at all this way.
        return error_response(
            ErrorBody(
                400,
                "bad_request",
                "the request is not valid",
                [FieldError("body", f"is not valid JSON: {message}")],
            )
        )
    code = phrase.lower().replace(" ", "_").replace("-", "_")
    return error_response(ErrorBody(status, code, message, []), headers=exc.headers)


def handle_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if isinstance(exc, RuleViolation):
        errors = [FieldError(p.field, p.reason) for p in exc.problems]
        return error_response(
            ErrorBody(422, "invalid", "the request breaks a booking rule", errors)
        )
    if isinstance(exc, NotFound):
        errors = [FieldError(exc.field, "does not exist")] if exc.field else []
        return error_response(ErrorBody(404, "not_found", exc.message, errors))
    if isinstance(exc, BookingConflict):
        return error_response(
            ErrorBody(
                409,
                "conflict",
                exc.message,
                [],
                conflicts=exc.conflicts,
                alternatives=exc.alternatives,
            )
        )
    if isinstance(exc, Forbidden):
        return error_response(ErrorBody(403, "forbidden", exc.message, []))
    if isinstance(exc, WrongCredentials):
        return error_response(ErrorBody(401, "unauthorized", exc.message, []))
    if isinstance(exc, StaleVersion):
        return error_response(ErrorBody(409, "stale_version", exc.message, [], current=exc.current))
    if isinstance(exc, TransitionNotAllowed):
        return error_response(
            ErrorBody(409, "not_allowed_now", exc.message, [], current=exc.current)
        )
    return handle_internal_error(request, exc)


def handle_busy(request: Request[Any, Any, Any], exc: DatabaseBusy) -> Response[Any]:
    return error_response(ErrorBody(503, "busy", str(exc), []), headers={"Retry-After": "1"})


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
    return isinstance(exc, ConnectionError)


def _beyond_sqlite_integers(exc: Exception) -> bool:
    return isinstance(exc, OverflowError) and "SQLite INTEGER" in str(exc)


def handle_internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if _database_unavailable(exc):
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return error_response(
            ErrorBody(503, "unavailable", "the database is unavailable; try again in a moment", []),
            headers={"Retry-After": "2"},
        )
    if isinstance(exc, RecursionError) and "deserializing" in str(exc):
        # msgspec's own limit on nesting, raised as such rather than as a DecodeError.
        return error_response(
            ErrorBody(
                400,
                "bad_request",
                "the request is not valid",
                [FieldError("body", "is nested too deeply to be a request")],
            )
        )
    if sqlstate(exc) in ("22000", "22003") or _beyond_sqlite_integers(exc):
        # An id or number beyond what the database's integers hold: no such thing can exist,
        # and nothing was stored.
        return error_response(
            ErrorBody(
                422,
                "invalid",
                "the request breaks a booking rule",
                [FieldError("body", "a number is out of range (ids go up to 2147483647)")],
            )
        )
    if sqlstate(exc) == "22021":  # character_not_in_repertoire: PostgreSQL stores no NUL
        return error_response(
            ErrorBody(
                422,
                "invalid",
                "the request breaks a booking rule",
                [FieldError("body", "text may not contain the NUL character (\\u0000)")],
            )
        )
    if _is_duplicate(exc):
        # Two requests created the same thing at once; the first one won.
        return error_response(
            ErrorBody(409, "duplicate", "this already exists (made at the same moment)", [])
        )
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        ErrorBody(500, "internal_error", "something went wrong on our side; it has been logged", [])
    )


EXCEPTION_HANDLERS: dict[type[Exception], Any] = {
    HTTPException: handle_http_error,
    DomainError: handle_domain_error,
    DatabaseBusy: handle_busy,
    Exception: handle_internal_error,
}
