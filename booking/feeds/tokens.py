"""Feed tokens, made, rotated and revoked by their owner.

A feed token reads one private feed and nothing else: it is not an API token and signs nobody
in. 256 random bits, shown once, stored as its SHA-256.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from booking.accounts.credentials import digest
from booking.accounts.current_user import CurrentUser
from booking.core.errors import Forbidden, NotFound, refused
from booking.core.feeds import FeedKind, FeedToken
from booking.core.messages import Message
from booking.db import catalogue, feed_tokens

FEED_TOKEN_PREFIX = "cal_"


def new_feed_secret() -> str:
    return FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)


async def _check_allowed(user: CurrentUser, kind: FeedKind, organisation_id: int | None) -> None:
    actor = user.actor
    if kind is FeedKind.ORGANISATION:
        if organisation_id is None:
            raise refused("organisation", Message("feed.organisation_needed"))
        if await catalogue.organisation(organisation_id) is None:
            raise NotFound("organisation", field="organisation")
        if organisation_id not in actor.organisations:
            raise Forbidden(Message("feed.only_members"))
    elif organisation_id is not None:
        raise refused("organisation", Message("feed.organisation_only_for_organisation"))
    if kind is FeedKind.APPROVALS and not user.actor.decides_requests:
        raise Forbidden(Message("feed.only_approvers"))


async def create_feed_token(
    user: CurrentUser, kind: FeedKind, organisation_id: int | None, now: datetime
) -> tuple[FeedToken, str]:
    """A new token of the user's for one private feed, and the secret, shown this once."""
    await _check_allowed(user, kind, organisation_id)
    secret = new_feed_secret()
    token = await feed_tokens.insert(
        user.id, kind, organisation_id, digest(secret), secret[:10], now
    )
    return token, secret


async def rotate_feed_token(
    user: CurrentUser, token_id: int, now: datetime
) -> tuple[FeedToken, str]:
    """A new secret for the same feed; the old one answers 410 Gone from now on."""
    old = await feed_tokens.one_of_user(user.id, token_id)
    if old is None or old.revoked_at is not None:
        raise NotFound("feed")
    await _check_allowed(user, old.kind, old.organisation_id)
    secret = new_feed_secret()
    token = await feed_tokens.insert(
        user.id, old.kind, old.organisation_id, digest(secret), secret[:10], now, replacing=old.id
    )
    return token, secret


async def revoke_feed_token(user: CurrentUser, token_id: int, now: datetime) -> FeedToken:
    token = await feed_tokens.revoke(user.id, token_id, now)
    if token is None:
        raise NotFound("feed")
    return token


async def feed_tokens_of(user: CurrentUser) -> list[FeedToken]:
    return await feed_tokens.of_user(user.id)
