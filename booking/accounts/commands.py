"""What a caller asks of accounts, as plain typed values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class NewUser:
    """An account an administrator makes: it has no password until its owner chooses one
    through the invitation e-mailed to them."""

    email: str
    display_name: str
    language: str = "ro"


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
