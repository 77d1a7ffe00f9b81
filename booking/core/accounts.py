"""Accounts as the use cases see them: users, their roles and memberships, their API tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from booking.core.access import Actor


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str  # stored lower-case
    display_name: str
    language: str  # "ro" or "en"
    active: bool
    created_at: datetime
    # The e-mails the user may turn off (core.notifications.OPTIONAL).
    daily_digest: bool
    event_reminders: bool


@dataclass(frozen=True, slots=True)
class Grant:
    """A role, scoped where the role needs a scope."""

    id: int
    role: str
    building_id: int | None
    room_id: int | None
    team: str | None  # logistics members only


@dataclass(frozen=True, slots=True)
class Membership:
    organisation_id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Account:
    user: User
    organisations: list[Membership] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Principal:
    """An active user signing in, with what authorisation needs and what the sign-in checks:
    when their sessions must have started, and the token used, if any."""

    user: User
    actor: Actor
    sessions_valid_from: datetime | None
    token_id: int | None = None
    token_last_used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Token:
    """A personal API token; only its digest is stored, the token itself shown once."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
