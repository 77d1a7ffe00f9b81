"""API shapes for buildings and rooms."""

from __future__ import annotations

import msgspec


class BuildingView(msgspec.Struct):
    id: int
    code: str
    name: str
    name_en: str
    zone: str
    address: str
    is_demo: bool


class BuildingRef(msgspec.Struct):
    id: int
    code: str
    name: str


class RoomView(msgspec.Struct):
    id: int
    code: str
    name: str
    building: BuildingRef
    capacity: int
    equipment: list[str]
    setup_minutes: int
    teardown_minutes: int
    instant_book: bool
    active: bool
    description: str
    is_demo: bool
