"""Text in a request is checked before any handler sees it: a body must be UTF-8, and no text may
carry the NUL character.

Litestar's JSON decoding fails on bytes that are not UTF-8 with an error of its own rather than
a validation error. PostgreSQL cannot store NUL in text and SQLite can, so without the refusal
the two engines would disagree; nor does it belong in a title, an ICS feed or an e-mail.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

from booking.core.errors import FieldProblem, RuleViolation
from booking.core.messages import Message

# A JSON \u0000 escape, not an escaped backslash followed by "u0000".
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_REASON = Message("text.nul")
_METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _paths_with_nul(document: Any) -> list[str]:
    """The paths (`title`, `recurrence.frequency`, `rooms[0]`) of the strings holding a NUL;
    without recursion, as the document may be nested as deep as the decoder allows."""
    found: list[str] = []
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                found.append(path or "body")
        elif isinstance(value, dict):
            for key, item in value.items():
                inner = f"{path}.{key}".lstrip(".")
                if "\x00" in key:
                    found.append(inner)
                pending.append((inner, item))
        elif isinstance(value, list):
            pending.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return sorted(found)


# Bodies read as something other than JSON. Litestar decodes a JSON body whatever the
# Content-Type says, so any other body, or one without a type, is checked as JSON would be.
_FORM = "application/x-www-form-urlencoded"
_READ_AS_THEMSELVES = ("text/calendar", "multipart/")


def _form_fields_with_nul(encoded: bytes) -> list[str]:
    """The names of the fields of a query string or form body whose name or value has a NUL."""
    pairs = parse_qsl(encoded.decode("latin-1"), keep_blank_values=True)
    return [name for name, value in pairs if "\x00" in name + value]


def _body_fields_with_nul(body: bytes, media_type: str) -> list[str]:
    if media_type == _FORM:
        return _form_fields_with_nul(body)
    if b"\x00" in body:
        return ["body"]
    if media_type.startswith(_READ_AS_THEMSELVES) or not _JSON_NUL.search(body):
        return []
    try:
        return _paths_with_nul(msgspec.json.decode(body)) or ["body"]
    except (msgspec.DecodeError, RecursionError):
        return []  # not JSON at all: the handler's decoding says so


def _check_utf8(body: bytes) -> None:
    try:
        body.decode()
    except UnicodeDecodeError:
        raise ValidationException(
            "the body is not valid UTF-8",
            extra=[{"key": "body", "message": "is not valid UTF-8"}],
        ) from None


async def check_request_text(request: Request[Any, Any, Any]) -> None:
    """Litestar's before_request hook: 400 for a body that is not UTF-8 (but for a calendar
    file, which says its own encoding), 422 naming each field that carries a NUL."""
    query = request.scope.get("query_string", b"")
    fields = []
    if b"%00" in query or b"\x00" in query:
        fields = _form_fields_with_nul(query)
    if request.method in _METHODS_WITH_BODY:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        if not media_type.startswith(_READ_AS_THEMSELVES):
            _check_utf8(body)
        fields += _body_fields_with_nul(body, media_type)
    if fields:
        raise RuleViolation([FieldProblem(field, _REASON) for field in fields])
