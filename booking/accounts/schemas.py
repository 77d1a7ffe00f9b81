"""API shapes of accounts, sign-in, tokens, roles and memberships."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from booking.accounts.passwords import MAX_LENGTH as MAX_PASSWORD
from booking.api.places import BuildingRef, RoomRef
from booking.api.validation import EMAIL_PATTERN

Email = Annotated[str, msgspec.Meta(max_length=254, pattern=EMAIL_PATTERN)]
Language = Literal["ro", "en"]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class SignInForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    email: Annotated[str, msgspec.Meta(max_length=254)]
    password: Annotated[str, msgspec.Meta(max_length=MAX_PASSWORD)]


class OrganisationRef(msgspec.Struct):
    id: int
    code: str
    name: str


class GrantView(msgspec.Struct):
    id: int
    role: str
    building: int | None
    room: int | None
    team: str | None


class UserView(msgspec.Struct):
    id: int
    email: str
    display_name: str
    language: str
    active: bool
    created_at: datetime
    # The e-mails the user may turn off: the approvers' daily digest, the reminder the day
    # before an event. Decisions on their own requests are always sent.
    daily_digest: bool
    event_reminders: bool
    organisations: list[OrganisationRef]
    roles: list[GrantView]


class SignedIn(msgspec.Struct):
    """The user, and the token to send as X-CSRF-Token with every change made by cookie."""

    user: UserView
    csrf_token: str


class Me(msgspec.Struct):
    user: UserView
    csrf_token: str | None  # None when signed in with an API token


class PreferencesUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    display_name: Name | msgspec.UnsetType = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET
    daily_digest: bool | msgspec.UnsetType = msgspec.UNSET
    event_reminders: bool | msgspec.UnsetType = msgspec.UNSET


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    current_password: Annotated[str, msgspec.Meta(max_length=MAX_PASSWORD)]
    new_password: Annotated[str, msgspec.Meta(max_length=MAX_PASSWORD)]


class TokenCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class TokenView(msgspec.Struct):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(msgspec.Struct):
    """The token itself is shown this once; only its digest is stored."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    token: str


class UserCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """No password: the new user is e-mailed an invitation to choose their own."""

    email: Email
    display_name: Name
    language: Language = "ro"


class InvitationSent(msgspec.Struct):
    """An invitation on its way to the user's address; its link works until `expires_at`."""

    user: int
    email: str
    expires_at: datetime


class PasswordResetRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    email: Email


class PasswordResetRequested(msgspec.Struct):
    """The same for every address, with an account or not."""

    message: str


class PasswordReset(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The secret of the link e-mailed (the last part of its path) and the new password."""

    secret: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    password: Annotated[str, msgspec.Meta(max_length=MAX_PASSWORD)]


class UserUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    display_name: Name | msgspec.UnsetType = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class GrantCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """approver: give exactly one of building or room; logistics: a team; others: no scope."""

    role: Literal["approver", "finance", "logistics", "admin"]
    building: BuildingRef | None = None
    room: RoomRef | None = None
    team: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None


class MembershipCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    organisation: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
