"""The decoder's own words on a body or a query parameter of the wrong shape, as message codes
with readable texts: "Expected `int`, got `str`" becomes "must be a whole number"."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from booking.core.errors import FieldProblem
from booking.core.messages import Message

# What a value must be, by the decoder's name of its type.
KINDS: Mapping[str, Message] = {
    "int": Message("kind.int"),
    "float": Message("kind.number"),
    "str": Message("kind.text"),
    "bool": Message("kind.bool"),
    "array": Message("kind.list"),
    "object": Message("kind.object"),
    "datetime": Message("kind.datetime"),
    "date": Message("kind.date"),
    "time": Message("kind.time"),
    "null": Message("kind.null"),
}

# The forms the service asks for: the schemas check them with these regular expressions, and
# the decoder names the one a value failed.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
WALL_CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
CLOSING_TIME_PATTERN = r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$"  # may be 24:00, the end of the day
# A code of a room or building: letters, digits, `-`, `_` and `.`, with a letter (digits alone
# are an id).
CODE_PATTERN = r"^[0-9_.-]*[A-Za-z][A-Za-z0-9_.-]*$"

PATTERNS: Mapping[str, Message] = {
    EMAIL_PATTERN: Message("validation.email"),
    WALL_CLOCK_PATTERN: Message("validation.wall_clock"),
    CLOSING_TIME_PATTERN: Message("validation.closing_time"),
    CODE_PATTERN: Message("validation.code"),
}


def _kind(name: str) -> Message:
    first = name.split(" | ")[0]
    return KINDS.get(first, Message("kind.other", name=first))


# A bound on a value, or on the length of a text or a list, by what is bounded and how.
_BOUNDS: Mapping[tuple[str, str], Message] = {
    ("value", ">="): Message("validation.value_at_least"),
    ("value", "<="): Message("validation.value_at_most"),
    ("value", ">"): Message("validation.value_more_than"),
    ("value", "<"): Message("validation.value_less_than"),
    ("characters", ">="): Message("validation.characters_at_least"),
    ("characters", "<="): Message("validation.characters_at_most"),
    ("items", ">="): Message("validation.items_at_least"),
    ("items", "<="): Message("validation.items_at_most"),
}


def _bound(match: re.Match[str]) -> Message:
    measure = "value"
    if match["length"]:
        measure = "characters" if match["kind"] == "str" else "items"
    bound = _BOUNDS.get((measure, match["op"]))
    if bound is None:
        return Message("validation.other", detail=match.group(0)[:200])
    return Message(bound.code, n=int(match["n"]))


_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], Message]]] = [
    (
        re.compile(r"^Expected `(?P<kind>[^`]+)`, got `[^`]+`$"),
        lambda m: Message("validation.must_be", kind=_kind(m["kind"])),
    ),
    (
        re.compile(
            r"^Expected `(?P<kind>\w+)`(?P<length> of length)? (?P<op>[<>]=?) (?P<n>-?\d+)$"
        ),
        _bound,
    ),
    (
        re.compile(r"^Expected `str` matching regex '(?P<pattern>.*)'$"),
        lambda m: PATTERNS.get(m["pattern"], Message("validation.pattern")),
    ),
    (re.compile(r"^is not valid UTF-8$"), lambda m: Message("validation.not_utf8")),
    (re.compile(r"^Invalid RFC3339 encoded datetime$"), lambda m: Message("validation.datetime")),
    (re.compile(r"^Invalid RFC3339 encoded date$"), lambda m: Message("validation.date")),
    (re.compile(r"^Invalid RFC3339 encoded time$"), lambda m: Message("validation.time")),
    (
        re.compile(r"^Invalid enum value (?P<value>.*)$"),
        lambda m: Message("validation.not_a_choice", value=m["value"][:60]),
    ),
]

_UNKNOWN_FIELD = re.compile(r"^Object contains unknown field `([^`]+)`(?: - at `([^`]+)`)?$")
_MISSING_FIELD = re.compile(r"^Object missing required field `([^`]+)`(?: - at `([^`]+)`)?$")
_MISSING_PARAMETER = re.compile(r"^Missing required (?:\w+ )?parameter '([^']+)'")
_AT_PATH = re.compile(r"^(.*?) - at `([^`]+)`$")


def reason(text: str) -> Message:
    """The readable reason for one of the decoder's complaints (without its path)."""
    for pattern, make in _RULES:
        match = pattern.match(text)
        if match:
            return make(match)
    return Message("validation.other", detail=text[:200])


def field_of(path: Any, source: Any) -> str:
    """msgspec reports paths like `$.rooms[0]`; people read `rooms[0]`."""
    text = re.sub(r"^\$\.?", "", str(path or ""))
    return text or ("body" if source in (None, "body") else str(source))


def problems(items: Any, detail: str) -> list[FieldProblem]:
    """The field problems of a ValidationException's `extra` (and its `detail`, which names a
    missing query parameter)."""
    found: list[FieldProblem] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", ""))
        if message == "'data'":  # Litestar's word for a body that was not sent at all
            found.append(FieldProblem("body", Message("validation.body_required")))
            continue
        named = _UNKNOWN_FIELD.match(message) or _MISSING_FIELD.match(message)
        if named:
            # The path is in the message, or Litestar has split it off into `key`.
            path = named.group(2) or item.get("key")
            parent = field_of(path, None) if path and path not in ("data", "body") else ""
            name = f"{parent}.{named.group(1)}" if parent and parent != "body" else named.group(1)
            unknown = message.startswith("Object contains")
            why = Message("validation.unknown_field") if unknown else Message("validation.required")
            found.append(FieldProblem(name, why))
            continue
        at_path = _AT_PATH.match(message)
        if at_path:
            found.append(FieldProblem(field_of(at_path.group(2), None), reason(at_path.group(1))))
            continue
        found.append(FieldProblem(field_of(item.get("key"), item.get("source")), reason(message)))
    missing = _MISSING_PARAMETER.match(detail)
    if not found and missing:
        found.append(FieldProblem(missing.group(1), Message("validation.required")))
    return found
