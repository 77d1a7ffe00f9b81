"""Messages a person reads, as a stable code and its parameters.

A rule says *what* is wrong (`Message("hours.closed_on", room="CC-AULA", weekday=Weekday(6))`);
the message catalogues (Romanian and English, frontend/translations) say it in words, and the
parameters are formatted for the reader's language: a weekday by its name, a duration in words.
Codes are stable: scripts may rely on them, the texts may be reworded.

A message stored in the database (the reason a series skipped a date, an override in the audit
trail) is kept as its code and parameters, so that each reader gets it in their own language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any


class Weekday(int):
    """A day of the week (0 = Monday), shown by its name in the reader's language."""


class Duration(timedelta):
    """A length of time, shown in words: "2 hours", "3 zile"."""

    @staticmethod
    def of(span: timedelta) -> Duration:
        return Duration(seconds=span.total_seconds())


@dataclass(frozen=True, slots=True)
class Message:
    code: str
    params: Mapping[str, Any]

    def __init__(self, code: str, /, **params: Any) -> None:
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "params", params)


# How each kind of parameter is kept in JSON: a tag, then the value.
_TAGS: tuple[tuple[str, type], ...] = (
    ("weekday", Weekday),
    ("duration", Duration),
    ("datetime", datetime),
    ("date", date),
    ("time", time),
)


def _encoded(value: Any) -> Any:
    if isinstance(value, Message):
        return {"message": message_data(value)}
    if isinstance(value, list | tuple):
        return {"list": [_encoded(item) for item in value]}
    if isinstance(value, bool | str) or value is None:
        return value
    for tag, kind in _TAGS:
        if isinstance(value, kind):
            if isinstance(value, Weekday):
                return {tag: int(value)}
            if isinstance(value, timedelta):
                return {tag: value.total_seconds()}
            return {tag: value.isoformat()}  # type: ignore[attr-defined]
    if isinstance(value, int):
        return value
    return str(value)


def _decoded(value: Any) -> Any:
    if not isinstance(value, dict) or len(value) != 1:
        return value
    ((tag, inner),) = value.items()
    match tag:
        case "message":
            return message_from_data(inner)
        case "list":
            return [_decoded(item) for item in inner]
        case "weekday":
            return Weekday(inner)
        case "duration":
            return Duration(seconds=inner)
        case "datetime":
            return datetime.fromisoformat(inner)
        case "date":
            return date.fromisoformat(inner)
        case "time":
            return time.fromisoformat(inner)
    return value


def message_data(message: Message) -> dict[str, Any]:
    """The message as JSON-able data, to be stored."""
    return {
        "code": message.code,
        "params": {name: _encoded(value) for name, value in message.params.items()},
    }


def message_from_data(data: Mapping[str, Any]) -> Message:
    params = data.get("params") or {}
    return Message(str(data["code"]), **{name: _decoded(v) for name, v in params.items()})
