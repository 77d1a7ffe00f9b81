"""Text with the NUL character is refused before any handler sees it.

PostgreSQL cannot store it in text and SQLite can, so without this the two engines would
disagree; nor does it belong in a title, an ICS feed or an e-mail.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar import Request

from booking.core.errors import FieldProblem, RuleViolation

# A JSON \u0000 escape, not an escaped backslash followed by "u0000".
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_REASON = "may not contain the NUL character (\\u0000)"
_METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _paths_with_nul(value: Any, path: str) -> list[str]:
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    if isinstance(value, dict):
        found = [f"{path}.{key}".lstrip(".") for key in value if "\x00" in key]
        for key, item in value.items():
            found += _paths_with_nul(item, f"{path}.{key}".lstrip("."))
        return found
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _paths_with_nul(item, f"{path}[{i}]")]
    return []


def _body_fields_with_nul(body: bytes, media_type: str) -> list[str]:
    if media_type == "application/json" or media_type.endswith("+json"):
        if not _JSON_NUL.search(body):
            return []
        try:
            return _paths_with_nul(msgspec.json.decode(body), "") or ["body"]
        except msgspec.DecodeError:
            return []  # not JSON at all: the handler's decoding says so
    if media_type == "application/x-www-form-urlencoded":
        pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
        return [name for name, value in pairs if "\x00" in name + value]
    return ["body"] if b"\x00" in body else []


async def refuse_nul_characters(request: Request[Any, Any, Any]) -> None:
    """Litestar's before_request hook: 422 naming each field that carries a NUL."""
    query = request.scope.get("query_string", b"")
    fields = []
    if b"%00" in query or b"\x00" in query:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        fields = [name for name, value in pairs if "\x00" in name + value]
    if request.method in _METHODS_WITH_BODY:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        fields += _body_fields_with_nul(await request.body(), media_type)
    if fields:
        raise RuleViolation([FieldProblem(field, _REASON) for field in fields])
