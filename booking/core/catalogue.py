"""The catalogue: buildings, what a room looks like to people, and organisations."""

from __future__ import annotations

from dataclasses import dataclass

from booking.core.rooms import RoomFacts


@dataclass(frozen=True, slots=True)
class Building:
    id: int
    code: str
    name: str
    name_en: str
    zone: str
    address: str
    is_demo: bool

    def name_in(self, language: str) -> str:
        """Its English name for an English reader, when it has one."""
        return self.name_en if language == "en" and self.name_en else self.name


@dataclass(frozen=True, slots=True)
class RoomDetails:
    """A room as people see it: its facts, its building, its description."""

    facts: RoomFacts
    building_code: str
    building_name: str
    building_name_en: str
    description: str
    is_demo: bool

    def building_name_in(self, language: str) -> str:
        return (
            self.building_name_en
            if language == "en" and self.building_name_en
            else self.building_name
        )


@dataclass(frozen=True, slots=True)
class Organisation:
    """A faculty, department, student organisation or outside organiser."""

    id: int
    code: str
    name: str
    kind: str  # "external" for outside organisers
    is_demo: bool

    @property
    def external(self) -> bool:
        return self.kind == "external"
