"""The life of a booking request as an explicit state machine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from booking.core.errors import TransitionNotAllowed


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


# The states in which an occurrence keeps its room from anybody else. The PostgreSQL exclusion
# constraint lists the same states; a migration must change both together.
HOLDING = frozenset({Status.APPROVED})
FINAL = frozenset({Status.REJECTED, Status.CANCELLED})


def status_on_submission(rooms_instant_book: Iterable[bool]) -> Status:
    """A request is approved at once only if every room it asks for is instant-book."""
    flags = list(rooms_instant_book)
    return Status.APPROVED if flags and all(flags) else Status.PENDING


def check_can_approve(status: str) -> None:
    if status != Status.PENDING:
        raise TransitionNotAllowed(f"only a pending request can be approved; this one is {status}")


def check_can_cancel(status: str, last_end: datetime, now: datetime) -> None:
    if status in FINAL:
        raise TransitionNotAllowed(f"this request is already {status}")
    if last_end <= now:
        raise TransitionNotAllowed("this booking has already ended and can no longer be cancelled")
