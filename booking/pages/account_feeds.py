"""The account page's calendar feeds: the private feeds the user holds a link to, the ones they
may still make, and the public feeds (the same listing as GET /api/feeds); a private feed made
or given a new link, shown this once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from booking.accounts.current_user import CurrentUser
from booking.core.errors import NotFound
from booking.core.feeds import PRIVATE_KINDS, FeedKind
from booking.feeds import listing, tokens
from booking.feeds.links import PRIVATE_PATH, links, private_path
from booking.feeds.schemas import FeedLinks, FeedTokenView
from booking.web.language import current_texts


@dataclass(frozen=True, slots=True)
class NewFeed:
    """A private feed's secret link, on the one answer that shows it."""

    feed: FeedTokenView
    links: FeedLinks


def _kind(typed: str) -> FeedKind:
    """A private feed's kind from the form; anything else names no feed there is."""
    for kind in PRIVATE_KINDS:
        if kind.value == typed:
            return kind
    raise NotFound("feed")


async def create_feed(
    user: CurrentUser, form: dict[str, str], base_url: str, now: datetime
) -> NewFeed:
    """The feed the form's button names (its kind, and an organisation's code), as
    POST /api/feeds makes it."""
    organisation = form.get("organisation") or None
    organisation_id = await listing.organisation_id(organisation)
    token, secret = await tokens.create_feed_token(
        user, _kind(form.get("kind", "")), organisation_id, now
    )
    view = await listing.token_view(token, current_texts())
    return NewFeed(view, links(base_url, private_path(secret)))


async def rotate_feed(user: CurrentUser, token_id: int, base_url: str, now: datetime) -> NewFeed:
    token, secret = await tokens.rotate_feed_token(user, token_id, now)
    view = await listing.token_view(token, current_texts())
    return NewFeed(view, links(base_url, private_path(secret)))


async def own_feed(user: CurrentUser, token_id: int) -> FeedTokenView:
    """One of the user's private feeds whose link still works; another's is not found."""
    for token in await tokens.feed_tokens_of(user):
        if token.id == token_id:
            return await listing.token_view(token, current_texts())
    raise NotFound("feed")


async def feeds_section(
    user: CurrentUser, base_url: str, new_feed: NewFeed | None = None
) -> dict[str, Any]:
    """What the section shows. A private feed the user already holds a link to is not offered
    again: a lost link is replaced by a new one."""
    said = current_texts()
    found = await listing.feed_list(user, base_url, said)
    held = {(feed.kind, feed.organisation) for feed in found.private}
    return {
        "private": found.private,
        "possible": [p for p in found.possible if (p.kind, p.organisation) not in held],
        "public": found.public,
        "private_base": f"{base_url}{PRIVATE_PATH}/",
        "new": new_feed,
    }
