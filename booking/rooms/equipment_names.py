"""The equipment of the rooms by its name in the reader's language: rooms store identifiers
("projector", "wheelchair_access"), people read "videoproiector", "acces pentru scaun cu rotile"."""

from __future__ import annotations

from collections.abc import Iterable

from booking.core.messages import Message

EQUIPMENT_NAMES: dict[str, Message] = {
    "catering_area": Message("equipment.catering_area"),
    "computers": Message("equipment.computers"),
    "exhibition_panels": Message("equipment.exhibition_panels"),
    "interpretation": Message("equipment.interpretation"),
    "microphones": Message("equipment.microphones"),
    "projector": Message("equipment.projector"),
    "recording": Message("equipment.recording"),
    "screen": Message("equipment.screen"),
    "sound": Message("equipment.sound"),
    "stage": Message("equipment.stage"),
    "streaming": Message("equipment.streaming"),
    "videoconference": Message("equipment.videoconference"),
    "voting_system": Message("equipment.voting_system"),
    "wheelchair_access": Message("equipment.wheelchair_access"),
    "whiteboard": Message("equipment.whiteboard"),
}


def equipment_name(equipment_id: str) -> Message:
    """The name of a piece of equipment; one the catalogue has no name for yet shows as
    written, rather than not at all."""
    return EQUIPMENT_NAMES.get(equipment_id, Message("equipment.unnamed", name=equipment_id))


def equipment_names(equipment_ids: Iterable[str]) -> list[Message]:
    return [equipment_name(each) for each in sorted(equipment_ids)]
