"""The addresses of the feeds: https, and webcal:// for the clients that subscribe on it."""

from __future__ import annotations

from booking.feeds.schemas import FeedLinks
from booking.i18n import DEFAULT_LANGUAGE

PRIVATE_PATH = "/feeds/private"


def links(base_url: str, path: str, language: str | None = None) -> FeedLinks:
    """The feed at `path`; a public feed read in another language than the default says so
    (`?lang=en`), so that its names and words are the reader's. A private feed speaks its
    owner's language without being told."""
    if language is not None and language != DEFAULT_LANGUAGE:
        path = f"{path}?lang={language}"
    https = f"{base_url}{path}"
    return FeedLinks(https=https, webcal="webcal://" + https.split("://", 1)[1])


def room_path(code: str) -> str:
    return f"/feeds/rooms/{code}.ics"


def building_path(code: str) -> str:
    return f"/feeds/buildings/{code}.ics"


def events_path(building_code: str | None = None) -> str:
    return f"/feeds/events/{building_code}.ics" if building_code else "/feeds/events.ics"


def private_path(secret: str) -> str:
    return f"{PRIVATE_PATH}/{secret}.ics"
