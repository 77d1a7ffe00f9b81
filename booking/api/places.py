"""Rooms and buildings named by their id or by their code (`CC`, `CC-S2`) wherever the API
takes one: a path, a query, a body. The code is looked up here, at the edge; the use cases
keep taking ids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypeVar

import msgspec
from litestar.params import PathParameter, QueryParameter

from booking.api import MAX_ID
from booking.api.record_ids import RecordId
from booking.api.validation import CODE_PATTERN
from booking.core.errors import FieldProblem, NotFound, RuleViolation
from booking.core.messages import Message
from booking.db.catalogue import building_ids_by_code, room_ids_by_code

_ROOM_WORDS = "The room's id (`12`) or its code (`CC-S2`)"
_BUILDING_WORDS = "The building's id (`3`) or its code (`CC`)"

# In a body: a number is an id, a text a code.
RoomRef = (
    RecordId
    | Annotated[str, msgspec.Meta(pattern=CODE_PATTERN, max_length=64, description=_ROOM_WORDS)]
)
BuildingRef = (
    RecordId
    | Annotated[str, msgspec.Meta(pattern=CODE_PATTERN, max_length=64, description=_BUILDING_WORDS)]
)

# How the OpenAPI document describes both (Litestar loses the constraints of a union's members).
ID_OR_CODE: list[dict[str, object]] = [
    {"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": "an id"},
    {
        "type": "string",
        "pattern": CODE_PATTERN,
        "maxLength": 64,
        "description": "a code, such as `CC` or `CC-S2`",
    },
]

# In a path or a query everything is text: digits are an id, anything else a code.
RoomKey = Annotated[str, PathParameter(description=_ROOM_WORDS, max_length=64)]
BuildingKey = Annotated[str, PathParameter(description=_BUILDING_WORDS, max_length=64)]
RoomInQuery = Annotated[str | None, QueryParameter(description=_ROOM_WORDS, max_length=64)]
BuildingInQuery = Annotated[str | None, QueryParameter(description=_BUILDING_WORDS, max_length=64)]


def _as_id(key: int | str) -> int | None:
    if isinstance(key, int):
        return key
    return int(key) if key.isascii() and key.isdigit() else None


async def _resolve(
    keys: Sequence[int | str], table: str
) -> tuple[list[int | None], dict[str, int]]:
    codes = sorted({k for k in keys if _as_id(k) is None and isinstance(k, str)})
    lookup = room_ids_by_code if table == "room" else building_ids_by_code
    known = await lookup(codes) if codes else {}
    found: list[int | None] = []
    for key in keys:
        as_id = _as_id(key)
        found.append(as_id if as_id is not None else known.get(str(key)))
    return found, known


async def _path_id(key: str, thing: str) -> int:
    [found], _ = await _resolve([key], thing)
    if found is None or not 0 < found <= MAX_ID:
        raise NotFound(thing, f"{thing}_id")
    return found


def room_key_in_path(key: str) -> int | str:
    """The room a path names, as its id or, for a code, the code itself, read from nothing:
    for a use case that finds the room by code in a statement of its own. 404 for an id no
    record can have."""
    as_id = _as_id(key)
    if as_id is not None and not 0 < as_id <= MAX_ID:
        raise NotFound("room", "room_id")
    return key if as_id is None else as_id


async def room_in_path(key: str) -> int:
    """The room a path names; 404 if none has that id or code."""
    return await _path_id(key, "room")


async def building_in_path(key: str) -> int:
    """The building a path names; 404 if none has that id or code."""
    return await _path_id(key, "building")


def _unknown(thing: str, key: int | str) -> Message:
    if _as_id(key) is not None:
        if thing == "room":
            return Message("rooms.unknown", id=key)
        return Message("buildings.unknown", id=key)
    if thing == "room":
        return Message("rooms.unknown_code", code=str(key))
    return Message("buildings.unknown_code", code=str(key))


async def _ids(keys: Sequence[int | str], thing: str, field: str, listed: bool) -> list[int]:
    found, _ = await _resolve(keys, thing)
    problems = [
        FieldProblem(f"{field}[{index}]" if listed else field, _unknown(thing, key))
        for index, (key, got) in enumerate(zip(keys, found, strict=True))
        if got is None or not 0 < got <= MAX_ID
    ]
    if problems:
        raise RuleViolation(problems)
    return [got for got in found if got is not None]


async def room_ids(keys: Sequence[int | str], field: str = "rooms") -> list[int]:
    """The ids of the rooms a list names; 422 naming each code that no room has."""
    return await _ids(keys, "room", field, listed=True)


async def room_id(key: int | str | None, field: str = "room") -> int | None:
    """The id of the room a query or body field names (None stays None); 422 for an unknown
    code."""
    return None if key is None else (await _ids([key], "room", field, listed=False))[0]


async def building_id(key: int | str | None, field: str = "building") -> int | None:
    """The id of the building a query or body field names (None stays None); 422 for an
    unknown code."""
    return None if key is None else (await _ids([key], "building", field, listed=False))[0]


def as_ids(refs: Sequence[int | str]) -> tuple[int, ...]:
    """Rooms a body named, after `with_room_ids` put ids in place of the codes."""
    if not all(isinstance(ref, int) for ref in refs):
        raise TypeError("the rooms' codes were not looked up")
    return tuple(int(ref) for ref in refs)


S = TypeVar("S", bound=msgspec.Struct)


async def with_room_ids(data: S) -> S:
    """A body whose `rooms` (if it has them) name rooms by id, its codes looked up; 422 naming
    each code no room has."""
    rooms = getattr(data, "rooms", None)
    if not isinstance(rooms, list) or all(isinstance(r, int) for r in rooms):
        return data
    return msgspec.structs.replace(data, rooms=await room_ids(rooms))
