"""What a caller asks of accounts, as plain typed values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class NewUser:
    email: str
    display_name: str
    language: str = "ro"
    password: str | None = None  # None: the account signs in once one is set


@dataclass(frozen=True, slots=True)
class UserChanges:
    """New values of some of display_name, language, active, daily_digest and
    event_reminders."""

    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class GrantRequest:
    """approver: exactly one of building or room; logistics: a team; others: no scope."""

    role: str
    building: int | None = None
    room: int | None = None
    team: str | None = None
