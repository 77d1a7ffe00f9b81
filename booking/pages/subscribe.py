"""The "Subscribe to this calendar" blocks of the public pages (a room, a building, the public
events): the feed's links, asking for the page's language (macros/feeds.html.j2 shows them)."""

from __future__ import annotations

from booking.feeds.links import links
from booking.feeds.schemas import FeedLinks
from booking.web.language import current_texts


def public_feed(base_url: str, path: str) -> FeedLinks:
    return links(base_url, path, current_texts().language)
