"""HTTP: the feeds themselves (text/calendar, answered 304 when the client has them) and the
API that lists the caller's feeds and makes, rotates and revokes their tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_410_GONE

from booking.accounts.credentials import digest
from booking.accounts.current_user import CurrentUser
from booking.accounts.guards import requires_login
from booking.api.places import building_in_path, room_key_in_path
from booking.core.errors import NotFound
from booking.core.feeds import FeedKind, FeedWindow, feed_window
from booking.core.messages import Message
from booking.feeds import listing, publishing, tokens
from booking.feeds.links import links, private_path
from booking.feeds.schemas import FeedList, FeedTokenCreate, FeedTokenCreated
from booking.i18n import DEFAULT_LANGUAGE, Texts
from booking.settings import Settings

SUFFIX = ".ics"
CALENDAR = "text/calendar"

Language = Annotated[
    Literal["ro", "en"] | None,
    QueryParameter(description="The language of the feed's names and words (default: ro)."),
]
PastDays = Annotated[
    int | None,
    QueryParameter(description="Days before today the feed starts (default 60; at most 1826)."),
]
FutureDays = Annotated[
    int | None,
    QueryParameter(description="Days after today the feed ends (default 548; at most 1826)."),
]
StartDate = Annotated[
    date | None, QueryParameter(description="First day shown, instead of past_days.")
]
EndDate = Annotated[
    date | None, QueryParameter(description="Last day shown, instead of future_days.")
]


def _key(name: str, thing: str) -> str:
    if not name.endswith(SUFFIX) or len(name) == len(SUFFIX):
        raise NotFound(thing)
    return name[: -len(SUFFIX)]


def _matches(header: str, etag: str) -> bool:
    tags = [tag.strip() for tag in header.split(",")]
    return any(tag == "*" or tag.removeprefix("W/") == f'"{etag}"' for tag in tags)


def _unchanged(request: Request[Any, Any, Any], etag: str, last_modified: datetime) -> bool:
    """Whether the client's copy is current: If-None-Match when sent, else If-Modified-Since.
    A header that cannot be read is as good as none."""
    none_match = request.headers.get("if-none-match")
    if none_match is not None:
        return _matches(none_match, etag)
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False
    if moment.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= moment


async def answer(
    request: Request[Any, Any, Any], prepared: publishing.Prepared, private: bool
) -> Response[bytes]:
    headers = {
        "ETag": f'"{prepared.etag}"',
        "Last-Modified": format_datetime(
            prepared.last_modified.replace(microsecond=0).astimezone(UTC), usegmt=True
        ),
        # Revalidate every time: a 304 is cheap, and a change shows at the next poll.
        "Cache-Control": f"{'private' if private else 'public'}, no-cache",
    }
    if private:
        headers["Referrer-Policy"] = "no-referrer"
    if _unchanged(request, prepared.etag, prepared.last_modified):
        return Response(b"", status_code=304, headers=headers, media_type=CALENDAR)
    return Response(await prepared.render(), headers=headers, media_type=CALENDAR)


@dataclass(frozen=True, slots=True)
class FeedQuery:
    """What every feed's address may say besides the feed: the window and the language."""

    settings: Settings
    now: datetime
    window: FeedWindow
    language: str | None

    def for_reader(self, language: str | None = None) -> publishing.Asked:
        return publishing.Asked(
            window=self.window,
            language=self.language or language or DEFAULT_LANGUAGE,
            now=self.now,
            base_url=self.settings.base_url,
            default_zone=self.settings.default_zone,
        )


def provide_feed_query(
    settings: NamedDependency[Settings],
    now: NamedDependency[datetime],
    lang: Language = None,
    past_days: PastDays = None,
    future_days: FutureDays = None,
    start: StartDate = None,
    end: EndDate = None,
) -> FeedQuery:
    today = now.astimezone(settings.default_zone).date()
    return FeedQuery(settings, now, feed_window(today, past_days, future_days, start, end), lang)


_FEED_DOC = (
    "An iCalendar feed (text/calendar) for calendar clients to subscribe to; answers 304 to "
    "If-None-Match and If-Modified-Since when unchanged."
)


class FeedController(Controller):
    path = "/feeds"
    tags = ("feeds",)
    dependencies = {"asked": Provide(provide_feed_query, sync_to_thread=False)}  # noqa: RUF012

    @get(
        "/rooms/{name:str}",
        media_type=CALENDAR,
        summary="What holds one room: <code>.ics",
        description=_FEED_DOC + " A public request shows its title, any other as booked.",
    )
    async def room_feed(
        self,
        request: Request[Any, Any, Any],
        name: FromPath[str],
        asked: NamedDependency[FeedQuery],
    ) -> Response[bytes]:
        # The use case reads the room by its id or code itself: one statement for every poll.
        room = room_key_in_path(_key(name, "room"))
        return await answer(request, await publishing.room_feed(room, asked.for_reader()), False)

    @get(
        "/buildings/{name:str}",
        media_type=CALENDAR,
        summary="What holds the rooms of one building: <code>.ics",
        description=_FEED_DOC + " A public request shows its title, any other as booked.",
    )
    async def building_feed(
        self,
        request: Request[Any, Any, Any],
        name: FromPath[str],
        asked: NamedDependency[FeedQuery],
    ) -> Response[bytes]:
        building = await building_in_path(_key(name, "building"))
        return await answer(
            request, await publishing.building_feed(building, asked.for_reader()), False
        )

    @get(
        "/events.ics",
        media_type=CALENDAR,
        summary="Every public approved event",
        description=_FEED_DOC,
    )
    async def events_feed(
        self, request: Request[Any, Any, Any], asked: NamedDependency[FeedQuery]
    ) -> Response[bytes]:
        return await answer(request, await publishing.events_feed(asked.for_reader()), False)

    @get(
        "/events/{name:str}",
        media_type=CALENDAR,
        summary="The public approved events of one building: <code>.ics",
        description=_FEED_DOC,
    )
    async def building_events_feed(
        self,
        request: Request[Any, Any, Any],
        name: FromPath[str],
        asked: NamedDependency[FeedQuery],
    ) -> Response[bytes]:
        building = await building_in_path(_key(name, "building"))
        prepared = await publishing.building_feed(building, asked.for_reader(), public_events=True)
        return await answer(request, prepared, False)

    @get(
        "/private/{name:str}",
        media_type=CALENDAR,
        summary="A private feed, by its secret token: <token>.ics",
        description=_FEED_DOC
        + " It speaks its owner's language unless `lang` says otherwise. An unknown token"
        " answers 404; a revoked or rotated one 410.",
    )
    async def private_feed(
        self,
        request: Request[Any, Any, Any],
        name: FromPath[str],
        asked: NamedDependency[FeedQuery],
    ) -> Response[bytes]:
        secret = _key(name, "feed")
        try:
            prepared = await publishing.private_feed(digest(secret), asked.for_reader)
        except publishing.FeedGone:
            raise HTTPException(
                status_code=HTTP_410_GONE, extra={"message": Message("feed.gone")}
            ) from None
        return await answer(request, prepared, True)


class FeedTokenController(Controller):
    path = "/api/feeds"
    tags = ("feeds",)
    guards = [requires_login]  # noqa: RUF012

    @get("/", summary="Your calendar feeds: private ones by token, and the public ones")
    async def list_feeds(
        self,
        user: NamedDependency[CurrentUser],
        settings: NamedDependency[Settings],
        texts: NamedDependency[Texts],
    ) -> FeedList:
        return await listing.feed_list(user, settings.base_url, texts)

    @post(
        "/",
        summary="Make a token for one of your private feeds",
        description="The secret link is in this answer only.",
    )
    async def create_feed(
        self,
        user: NamedDependency[CurrentUser],
        settings: NamedDependency[Settings],
        texts: NamedDependency[Texts],
        now: NamedDependency[datetime],
        data: JSONBody[FeedTokenCreate],
    ) -> FeedTokenCreated:
        organisation_id = await listing.organisation_id(data.organisation)
        token, secret = await tokens.create_feed_token(
            user, FeedKind(data.kind), organisation_id, now
        )
        return FeedTokenCreated(
            await listing.token_view(token, texts), links(settings.base_url, private_path(secret))
        )

    @post(
        "/{token_id:int}/rotate",
        summary="Give one of your private feeds a new secret link",
        description="The old link answers 410 Gone from now on.",
        status_code=200,
    )
    async def rotate_feed(
        self,
        token_id: FromPath[int],
        user: NamedDependency[CurrentUser],
        settings: NamedDependency[Settings],
        texts: NamedDependency[Texts],
        now: NamedDependency[datetime],
    ) -> FeedTokenCreated:
        token, secret = await tokens.rotate_feed_token(user, token_id, now)
        return FeedTokenCreated(
            await listing.token_view(token, texts), links(settings.base_url, private_path(secret))
        )

    @delete("/{token_id:int}", summary="Revoke one of your private feeds' tokens")
    async def revoke_feed(
        self,
        token_id: FromPath[int],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> None:
        await tokens.revoke_feed_token(user, token_id, now)
