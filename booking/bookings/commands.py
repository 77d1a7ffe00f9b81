"""What a caller asks of a request, as plain typed values: the use cases take these, whatever
the transport (the JSON API, a page's form, a job)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from booking.core.recurrence import Ambiguity, Rule


@dataclass(frozen=True, slots=True)
class CreateBooking:
    """A new request. Times without an offset are wall-clock times in the rooms' zone; for a
    series, `start` and `end` give the first date and the times of every date."""

    title: str
    rooms: tuple[int, ...]
    start: datetime
    end: datetime
    expected_attendance: int
    organiser_name: str
    contact_email: str
    contact_phone: str = ""
    description: str = ""
    organisation: str | None = None  # its code; None: the requester's only one
    is_public: bool = False
    paid_rental: bool = False
    submit: bool = True  # False keeps it as a draft
    recurrence: Rule | None = None
    skip_taken_dates: bool = False  # a series books its free dates and lists the others
    ambiguous: Ambiguity | None = None
    override_reason: str | None = None


@dataclass(frozen=True, slots=True)
class EditBooking:
    """New values of some of the request's fields (`changes`, by name: those of
    core.booking.EDITABLE_FIELDS, and `rooms`, `start`, `end`)."""

    version: int
    changes: Mapping[str, Any]
    comment: str = ""
    override_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Act:
    """An action on the version of the request the caller saw."""

    version: int
    comment: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Submit(Act):
    override_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Hold(Act):
    until: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class MoveDate(Act):
    start: datetime
    end: datetime
    override_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeFollowing(Act):
    """New wall-clock times and/or rooms for a date and every later one of the series."""

    start_time: time | None = None
    end_time: time | None = None
    rooms: tuple[int, ...] | None = None
    ambiguous: Ambiguity | None = None
    override_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RestoreDate(Act):
    day: date
    ambiguous: Ambiguity | None = None
    override_reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SetBuffers(Act):
    """Minutes of setup and teardown for every date; None returns to the rooms' own."""

    setup_minutes: int | None = None
    teardown_minutes: int | None = None
