"""Which calendar feeds a user has and may have: the private feeds they hold a link to, the
private feeds they may make, and the public feeds. GET /api/feeds answers with it and the
account page shows it."""

from __future__ import annotations

from booking.accounts.current_user import CurrentUser
from booking.core.errors import NotFound
from booking.core.feeds import FeedKind, FeedToken
from booking.core.messages import Message
from booking.db import catalogue
from booking.feeds import tokens
from booking.feeds.links import building_path, events_path, links
from booking.feeds.schemas import FeedList, FeedTokenView, PossibleFeed, PublicFeedView
from booking.i18n import Texts


def private_name(kind: FeedKind, organisation: str, texts: Texts) -> str:
    if kind is FeedKind.PERSONAL:
        return texts(Message("feed.personal_title"))
    if kind is FeedKind.ORGANISATION:
        return texts(Message("feed.organisation_name", organisation=organisation))
    return texts(Message("feed.approvals_name"))


async def token_view(token: FeedToken, texts: Texts) -> FeedTokenView:
    organisation = (
        await catalogue.organisation(token.organisation_id)
        if token.organisation_id is not None
        else None
    )
    return FeedTokenView(
        id=token.id,
        kind=token.kind.value,  # type: ignore[arg-type]
        organisation=organisation.code if organisation else None,
        name=private_name(token.kind, organisation.name if organisation else "", texts),
        prefix=token.prefix,
        created_at=token.created_at,
    )


async def organisation_id(key: str | int | None) -> int | None:
    """The organisation a private feed names, by its id or its code."""
    if key is None:
        return None
    if isinstance(key, int) or key.isdigit():
        return int(key)
    found = await catalogue.organisation_by_code(key)
    if found is None:
        raise NotFound("organisation", field="organisation")
    return found.id


async def possible_feeds(user: CurrentUser, texts: Texts) -> list[PossibleFeed]:
    """The private feeds the user may make: their own requests, each of their organisations'
    requests, and the requests waiting for them if they decide on requests."""
    possible = [PossibleFeed("personal", None, texts(Message("feed.personal_title")))]
    for organisation in await catalogue.organisations():
        if organisation.id in user.actor.organisations:
            name = texts(Message("feed.organisation_name", organisation=organisation.name))
            possible.append(PossibleFeed("organisation", organisation.code, name))
    if user.actor.decides_requests:
        possible.append(PossibleFeed("approvals", None, texts(Message("feed.approvals_name"))))
    return possible


async def public_feeds(base_url: str, texts: Texts) -> list[PublicFeedView]:
    """The university's public events, then each building's rooms and public events, with
    links that ask for the reader's language."""
    language = texts.language
    public = [
        PublicFeedView(
            "events", texts(Message("feed.events_name")), links(base_url, events_path(), language)
        )
    ]
    for building in await catalogue.buildings():
        name = building.name_in(language)
        public.append(
            PublicFeedView(
                "building",
                texts(Message("feed.building_name", building=name)),
                links(base_url, building_path(building.code), language),
            )
        )
        public.append(
            PublicFeedView(
                "building_events",
                texts(Message("feed.events_building_name", building=name)),
                links(base_url, events_path(building.code), language),
            )
        )
    return public


async def feed_list(user: CurrentUser, base_url: str, texts: Texts) -> FeedList:
    mine = [await token_view(token, texts) for token in await tokens.feed_tokens_of(user)]
    return FeedList(
        private=mine,
        possible=await possible_feeds(user, texts),
        public=await public_feeds(base_url, texts),
    )
