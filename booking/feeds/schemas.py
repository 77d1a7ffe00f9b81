"""What the feed API takes and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

PrivateKind = Literal["personal", "organisation", "approvals"]


class FeedTokenCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: PrivateKind
    # For an organisation's feed: its code or id.
    organisation: Annotated[str, msgspec.Meta(max_length=64)] | int | None = None


class FeedLinks(msgspec.Struct):
    """The same feed twice: https for Google ("From URL") and Outlook ("Subscribe from web"),
    webcal for Apple Calendar and Thunderbird."""

    https: str
    webcal: str


class FeedTokenView(msgspec.Struct):
    id: int
    kind: PrivateKind
    organisation: str | None
    name: str
    prefix: str
    created_at: datetime


class FeedTokenCreated(msgspec.Struct):
    """The secret link is in this answer only; a lost link is replaced by rotating the token."""

    token: FeedTokenView
    links: FeedLinks


class PublicFeedView(msgspec.Struct):
    kind: Literal["events", "building", "building_events", "room"]
    name: str
    links: FeedLinks


class PossibleFeed(msgspec.Struct):
    """A private feed the caller may make a token for."""

    kind: PrivateKind
    organisation: str | None
    name: str


class FeedList(msgspec.Struct):
    private: list[FeedTokenView]
    possible: list[PossibleFeed]
    public: list[PublicFeedView]
