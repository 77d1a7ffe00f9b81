"""What a room's feed decides its validators by, read in one statement: the room with its
building, the room's stamp, and the latest lapsed hold.

A calendar client polls a room's feed every hour or so and nearly always gets 304, decided by
these alone. Read one by one (the room's code, the room, its building, its stamp, the lapsed
hold: five statements, five round trips to the database) they made the 304 take 2.2 to 2.7
times as long as the stack's floor's whole request (bench/bench_feeds.py); as one statement,
one round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from booking.core.catalogue import Building, RoomDetails
from booking.core.workflow import Status
from booking.db.catalogue import ROOM_SQL, room_details
from booking.db.feeds import LAPSED_HOLD_SQL, Stamp, stored_moment
from booking.db.raw import fetch
from booking.db.tables import Room


@dataclass(frozen=True, slots=True)
class RoomFeedBasis:
    room: RoomDetails
    building: Building
    stamp: Stamp  # as feeds.stamp([room]) reads it
    lapsed_hold: datetime | None  # as feeds.latest_lapsed_hold reads it


def _sql(where: str) -> str:
    """The room (ROOM_SQL's columns) picked by `where`, the rest of its building, its stamp
    and the lapsed hold."""
    return (
        "SELECT f.*, bb.address AS building_address, bb.is_demo AS building_is_demo,"
        " COALESCE(s.changes, 0) AS stamp_changes, s.changed_at AS stamp_changed_at,"
        f" ({LAPSED_HOLD_SQL}) AS lapsed_hold"
        f" FROM ({ROOM_SQL} WHERE {where}) f JOIN buildings bb ON bb.id = f.building"
        " LEFT JOIN room_stamps s ON s.room = f.id"
    )


_BY_ID = _sql("r.id = {}")
# Whatever its case, as catalogue.room_ids_by_code matches codes.
_BY_CODE = _sql("UPPER(r.code) = {}")


async def room_feed_basis(room: int | str, now: datetime) -> RoomFeedBasis | None:
    """The basis of the feed of the room with this id, or this code; None when there is no
    such room."""
    if isinstance(room, int):
        rows = await fetch(Room, _BY_ID, Status.HELD.value, now, room)
    else:
        rows = await fetch(Room, _BY_CODE, Status.HELD.value, now, room.upper())
    if not rows:
        return None
    row = rows[0]
    return RoomFeedBasis(
        room=room_details(row),
        building=Building(
            id=row["building"],
            code=row["building_code"],
            name=row["building_name"],
            name_en=row["building_name_en"],
            zone=row["zone"],
            address=row["building_address"],
            is_demo=bool(row["building_is_demo"]),
        ),
        stamp=Stamp(int(row["stamp_changes"]), stored_moment(row["stamp_changed_at"])),
        lapsed_hold=stored_moment(row["lapsed_hold"]),
    )
