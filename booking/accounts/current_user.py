"""Who is acting: the signed-in user as the use cases see them, whatever the transport (an
HTTP request, a page, a job run on someone's behalf)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from booking.core.access import Actor
from booking.core.accounts import Principal


@dataclass(frozen=True, slots=True)
class Session:
    key: str  # the store key (digest of the cookie value)
    user_id: int
    csrf_token: str
    started_at: datetime
    # When the password was last given in this session: at sign-in, or to change it.
    confirmed_at: datetime


@dataclass(frozen=True, slots=True)
class CurrentUser:
    id: int
    email: str
    display_name: str
    language: str
    actor: Actor
    session: Session | None  # None when the caller signed in with an API token

    @classmethod
    def of(cls, principal: Principal, session: Session | None = None) -> CurrentUser:
        user = principal.user
        return cls(user.id, user.email, user.display_name, user.language, principal.actor, session)
