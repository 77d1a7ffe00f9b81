"""What happened to a request, as domain events.

Every change of a request is one action, which the audit trail records; the events say what it
did, in the terms the rest of the service listens to: notifications are derived from them, the
calendar feeds take their change stamps from them, logistics start from them. They are written,
in order, into the change log in the same transaction as the change itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    """What a change did. Each change records one action in the audit trail; its events are
    that action and what followed from it (a request approved by its last date's approval)."""

    CREATED = "created"
    SUBMITTED = "submitted"
    TIER_APPROVED = "tier_approved"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"
    HELD = "held"
    HOLD_RELEASED = "hold_released"
    HOLD_LAPSED = "hold_lapsed"
    CANCELLED = "cancelled"
    EDITED = "edited"
    CHANGE_PROPOSED = "change_proposed"
    CHANGE_APPROVED = "change_approved"
    CHANGE_REJECTED = "change_rejected"
    DECLINED = "declined"  # a competing request was approved for the same room and time
    DATE_CANCELLED = "date_cancelled"
    DATES_MOVED = "dates_moved"
    DATE_APPROVED = "date_approved"
    DATE_REJECTED = "date_rejected"
    DATE_RESTORED = "date_restored"
    BUFFERS_CHANGED = "buffers_changed"


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened to one request. `data` is plain JSON-able values: the states
    before and after, the tier that decided, the dates concerned and the like."""

    kind: Action
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as the change log keeps it: its place in the log, the request and the version
    the change gave it, who acted (None: the system), and the rooms it concerns."""

    position: int
    booking_id: int
    version: int
    kind: Action
    actor_id: int | None
    rooms: tuple[int, ...]
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One row of a request's audit trail."""

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    from_status: str
    to_status: str
    version: int
    comment: str
    changes: Mapping[str, Any]
    details: Mapping[str, Any]
