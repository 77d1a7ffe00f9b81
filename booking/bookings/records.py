"""A booking request as the services work on it: stored row, slots, facts and state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from booking.accounts.authentication import CurrentUser
from booking.core.access import BookingFacts, can_see
from booking.core.conflicts import Placement
from booking.core.errors import NotFound
from booking.core.rooms import RoomFacts
from booking.core.timespan import TimeSpan, blocked_span
from booking.core.workflow import LIVE, PROPOSED, SUPERSEDED, BookingState, Status, tiers_from
from booking.db import bookings


@dataclass(frozen=True, slots=True)
class BookingRecord:
    row: dict[str, Any]
    occurrences: list[dict[str, Any]]  # its slots (or those asked for), dates dropped included
    proposed: list[dict[str, Any]]  # the slots of a change waiting for approval

    @property
    def id(self) -> int:
        booking_id: int = self.row["id"]
        return booking_id

    @property
    def status(self) -> Status:
        return Status(self.row["status"])

    @property
    def live(self) -> list[dict[str, Any]]:
        """The slots that still count: not cancelled or rejected on their own."""
        return [o for o in self.occurrences if o["status"] in LIVE]

    def room_ids(self) -> list[int]:
        return list(dict.fromkeys(o["room"] for o in self.live or self.occurrences))

    @property
    def facts(self) -> BookingFacts:
        """For deciding: while a change waits, the proposed rooms' managers decide on it."""
        return self._facts_of(self.proposed or self.live or self.occurrences)

    @property
    def seen_facts(self) -> BookingFacts:
        """For who may read it: the managers of every room it has or would have."""
        return self._facts_of(self.occurrences + self.proposed)

    @property
    def held_facts(self) -> BookingFacts:
        """For what acts on the rooms the booking holds now (cancelling, their buffers),
        whatever change may be waiting."""
        return self._facts_of(self.live or self.occurrences)

    def _facts_of(self, slots: list[dict[str, Any]]) -> BookingFacts:
        # The rooms of dates cancelled or refused on their own no longer count; a request
        # with none left is judged by the rooms it had.
        rooms = {(o["room"], o["building_id"]) for o in slots}
        return BookingFacts.of(
            self.row["organisation"], self.row["requested_by"], self.row["is_public"], rooms
        )

    @property
    def state(self) -> BookingState:
        return BookingState(
            status=self.status,
            version=self.row["version"],
            required_tiers=tiers_from(required_tiers(self.row)),
            tiers_done=self.row["tiers_done"],
            change_pending=bool(self.row["change_pending"]),
            hold_until=self.row["hold_until"],
            last_end=max((o["ends_at"] for o in self.live or self.occurrences), default=None),
        )

    @property
    def approved_dates(self) -> list[dict[str, Any]]:
        """Dates approved on their own while the request as a whole is not."""
        if self.status is Status.APPROVED:
            return []
        return [o for o in self.live if o["status"] == Status.APPROVED]

    @property
    def external(self) -> bool:
        return self.row.get("organisation_kind") == "external"

    def placement_in(self, room: RoomFacts, meeting: TimeSpan) -> Placement:
        """A new slot of this booking in `room`, with the booking's own buffers if an approver
        set them."""
        setup = self.row.get("setup_override")
        teardown = self.row.get("teardown_override")
        blocked = blocked_span(
            meeting,
            room.setup if setup is None else timedelta(minutes=setup),
            room.teardown if teardown is None else timedelta(minutes=teardown),
        )
        return Placement(room.id, meeting, blocked)

    def replaced_by_change(self) -> set[int]:
        """The occurrences a change waiting for approval would replace."""
        if not self.state.change_pending:
            return set()
        replaced = self.row["change_supersedes"]
        return set(json.loads(replaced)) if replaced else {o["id"] for o in self.live}

    def placements(self, proposed: bool = False) -> list[Placement]:
        return [placement(o) for o in (self.proposed if proposed else self.live)]


def required_tiers(row: dict[str, Any]) -> list[str]:
    raw = row["required_tiers"]
    names: list[str] = json.loads(raw) if isinstance(raw, str) else list(raw or [])
    return names


def placement(row: dict[str, Any]) -> Placement:
    return Placement(
        row["room"],
        TimeSpan(row["starts_at"], row["ends_at"]),
        TimeSpan(row["blocked_from"], row["blocked_until"]),
    )


async def load_record(booking_id: int) -> BookingRecord | None:
    row = await bookings.booking_row(booking_id)
    if row is None:
        return None
    rows = await bookings.occurrence_rows([booking_id])
    current = [o for o in rows if o["status"] not in (PROPOSED, SUPERSEDED)]
    proposed = [o for o in rows if o["status"] == PROPOSED]
    return BookingRecord(row, current, proposed)


async def visible_record(user: CurrentUser, booking_id: int) -> BookingRecord:
    """The booking if the user may see it; otherwise 404, so ids tell nothing."""
    record = await load_record(booking_id)
    if record is None or not can_see(user.actor, record.seen_facts):
        raise NotFound("booking")
    return record
