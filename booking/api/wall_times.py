"""Times to the minute: `2027-01-20T14:00`, what a browser's date-time field sends, is taken as
`2027-01-20T14:00:00`. The decoder reads RFC 3339, which wants the seconds; the seconds are added
here, only where the handler declares a datetime, so no text field is ever touched."""

from __future__ import annotations

import re
import typing
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote_plus

import msgspec.inspect as mi
from litestar.types import ASGIApp, Receive, Scope, Send

_TO_THE_MINUTE = re.compile(r"^(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2})([Zz]|[+-]\d{2}:\d{2})?$")


def with_seconds(text: str) -> str:
    """`2027-01-20T14:00` → `2027-01-20T14:00:00` (an offset stays); anything else unchanged."""
    match = _TO_THE_MINUTE.match(text)
    return f"{match[1]}:00{match[2] or ''}" if match else text


def _completed(value: Any, info: mi.Type) -> Any:
    if isinstance(info, mi.Metadata):
        return _completed(value, info.type)
    if isinstance(info, mi.DateTimeType):
        return with_seconds(value) if isinstance(value, str) else value
    if isinstance(info, mi.UnionType):
        for member in info.types:
            value = _completed(value, member)
        return value
    if isinstance(info, mi.StructType | mi.DataclassType | mi.TypedDictType):
        if isinstance(value, dict):
            for field in info.fields:
                if field.encode_name in value:
                    value[field.encode_name] = _completed(value[field.encode_name], field.type)
        return value
    if isinstance(info, mi.ListType | mi.VarTupleType | mi.SetType | mi.FrozenSetType) and (
        isinstance(value, list)
    ):
        return [_completed(item, info.item_type) for item in value]
    return value


def body_with_seconds(value: Any, annotation: Any) -> Any:
    """A decoded JSON body (plain values) with the seconds added to the times `annotation`
    declares."""
    return _completed(value, mi.type_info(annotation))


def _names_a_datetime(annotation: Any) -> bool:
    if annotation is datetime:
        return True
    return any(_names_a_datetime(argument) for argument in typing.get_args(annotation))


def _query_times(handler: Any) -> frozenset[str]:
    """The handler's parameters that are times (only query parameters can be, here)."""
    return frozenset(
        name
        for name, field in handler.parsed_fn_signature.parameters.items()
        if name != "data" and _names_a_datetime(field.annotation)
    )


def _query_with_seconds(query: bytes, names: frozenset[str]) -> bytes:
    """The query with the seconds added to the values of `names`; every other byte as it was."""
    parts = query.split(b"&")
    for index, part in enumerate(parts):
        name, equals, value = part.partition(b"=")
        if equals and unquote_plus(name.decode("latin-1")) in names:
            text = unquote_plus(value.decode("latin-1"))
            completed = with_seconds(text)
            if completed != text:
                parts[index] = name + b"=" + quote(completed).encode("ascii")
    return b"&".join(parts)


class QueryTimesWithSeconds:
    """Adds the seconds to the query parameters the handler declares as times, before anything
    reads the query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        query = scope.get("query_string", b"")
        if scope["type"] == "http" and handler is not None and query:
            names = _query_times(handler)
            if names:
                scope["query_string"] = _query_with_seconds(query, names)
        await self.app(scope, receive, send)
