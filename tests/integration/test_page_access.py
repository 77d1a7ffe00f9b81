"""Every page route × every kind of visitor, with the answer each must get: the pages check
what a user may see exactly as the API does (tests/integration/test_authorisation_matrix.py).

The table is checked against the app's own routes (every route outside /api and /static), so
a page added without an entry here fails the first test. Each walker is a browser signed in
through the sign-in form (a session cookie, as a person has); each one acts on a fresh target,
so what one walker changes cannot decide another's answer. Every answer any walker other than
A, A's approver and the administrator gets is searched for A's request: its title, organiser
and contact data must be nowhere in it.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.factories import PASSWORD, day, local, make_token
from tests.integration.browsing import form_token, signed_in, visitor
from tests.integration.world import World, make_world, request

ZONE = ZoneInfo("Europe/Bucharest")  # the zone of the tests' buildings
ROLES = ("anonymous", "requester_a", "requester_b", "approver", "admin")
# Who may read A's request (its requester, the approver of its building, the administrator);
# the others must not find a word of it on any page.
MAY_SEE_A = frozenset({"requester_a", "approver", "admin"})


@dataclass(frozen=True)
class To:
    """A 303 to a page whose address starts with `prefix` (formatted with the target's ids:
    {booking} is the request the walker acted on)."""

    prefix: str

    def __str__(self) -> str:
        return f"303 → {self.prefix}…"


SIGN_IN = To("/sign-in?next=")  # not signed in, on a GET: to the sign-in page and back
HOME = To("/")
Expected = int | To


def expect(
    anonymous: Expected,
    requester_a: Expected,
    requester_b: Expected,
    approver: Expected,
    admin: Expected,
) -> dict[str, Expected]:
    return dict(zip(ROLES, (anonymous, requester_a, requester_b, approver, admin), strict=True))


EVERYONE_200 = expect(200, 200, 200, 200, 200)
SIGNED_IN_200 = expect(SIGN_IN, 200, 200, 200, 200)


EDITED = To("/requests/{booking}?done=edited")
# The request walked is still waiting for a decision: cancelling it withdraws it.
WITHDRAWN = To("/requests/{booking}?done=withdrawn")
DATE_CANCELLED = To("/requests/{booking}?done=date_cancelled")
SUBMITTED = To("/requests/{booking}?done=submitted")


def after_form(to: str) -> dict[str, Expected]:
    """A signed-in user's form that succeeds and goes on to `to`; a visitor's, refused with
    the 401 page (a POST is not redirected: what was sent would be lost)."""
    return expect(401, To(to), To(to), To(to), To(to))


@dataclass(frozen=True)
class Walker:
    role: str
    client: httpx.AsyncClient
    email: str | None  # None: the anonymous visitor


@dataclass(frozen=True)
class Case:
    expected: dict[str, Expected]
    target: Target


@dataclass(frozen=True)
class Ask:
    """What one walker asks: the path, the form to post (its token is added) and the ids a
    redirect's address names."""

    path: str
    form: dict[str, str] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)


Target = Callable[[World, "Secrets", Walker], Awaitable[Ask]]


@dataclass(frozen=True)
class Secrets:
    """A's private request in building X on day 0, and what must not leak of it (every request
    of A made here says the same words)."""

    booking: dict[str, Any]
    words: tuple[str, ...]


def fixed(path: str, form: dict[str, str] | None = None) -> Target:
    """`path` and the form's values with {building} (X's code) and {day} (day 0, the day of
    A's request)."""

    async def make(world: World, a: Secrets, walker: Walker) -> Ask:
        names = {"building": world.building_x["code"], "day": day(0)}
        filled = {key: value.format(**names) for key, value in (form or {}).items()}
        return Ask(path.format(**names), filled)

    return make


def of_a_request(
    path: str, form: Callable[[dict[str, Any]], dict[str, str]] | None = None, **create: Any
) -> Target:
    """A page of A's request: `path` with {booking} and {occurrence} (its first date). A GET
    reads A's request of day 0; a form acts on a fresh request of A (made with `create`), so
    what one walker does cannot decide another's answer."""

    async def make(world: World, a: Secrets, walker: Walker) -> Ask:
        booking = await _request_of_a(world, next(_days), **create) if form else a.booking
        ids = {"booking": booking["id"], "occurrence": booking["occurrences"][0]["id"]}
        return Ask(path.format(**ids), form(booking) if form else {}, ids)

    return make


def versioned(**extra: str) -> Callable[[dict[str, Any]], dict[str, str]]:
    return lambda booking: {"version": str(booking["version"]), **extra}


def edited(booking: dict[str, Any]) -> dict[str, str]:
    """The edit form as sent with a new title, the rest as it was."""
    first = booking["occurrences"][0]
    start = datetime.fromisoformat(first["start"]).astimezone(ZONE)
    end = datetime.fromisoformat(first["end"]).astimezone(ZONE)
    return {
        "version": str(booking["version"]),
        "title": "Titlu nou",
        "description": "",
        "expected_attendance": str(booking["expected_attendance"]),
        "date": start.date().isoformat(),
        "start_time": f"{start:%H:%M}",
        "end_time": f"{end:%H:%M}",
    }


def own_sign_in() -> Target:
    """The walker signs in again with its own password (a visitor with a wrong one)."""

    async def make(world: World, a: Secrets, walker: Walker) -> Ask:
        email = walker.email or "nobody@upt.ro"
        return Ask("/sign-in", {"email": email, "password": PASSWORD, "next": "/"})

    return make


def own_reset_request() -> Target:
    """The walker asks for a new password for its own address (a visitor for one without an
    account)."""

    async def make(world: World, a: Secrets, walker: Walker) -> Ask:
        return Ask("/forgot-password", {"email": walker.email or "nobody@upt.ro"})

    return make


def a_token_of_a(suffix: str) -> Target:
    """A fresh API token of requester A: /account/tokens/<id><suffix>."""

    async def make(world: World, a: Secrets, walker: Walker) -> Ask:
        await make_token(world.requester_a.id)
        tokens = await world.requester_a.client.get("/api/auth/tokens")
        return Ask(f"/account/tokens/{tokens.json()[-1]['id']}{suffix}")

    return make


def a_feed_of_b() -> Target:
    """Requester B's personal calendar feed: its secret link reads it, whoever follows it."""

    async def make(world: World, a: Secrets, walker: Walker) -> Ask:
        made = await world.requester_b.client.post("/api/feeds", json={"kind": "personal"})
        return Ask("/" + made.json()["links"]["https"].split("://", 1)[1].split("/", 1)[1])

    return make


def a_feed_of_a(suffix: str) -> Target:
    """A fresh private feed of requester A: /account/feeds/<id><suffix>."""

    async def make(world: World, a: Secrets, walker: Walker) -> Ask:
        made = await world.requester_a.client.post("/api/feeds", json={"kind": "personal"})
        assert made.status_code == 201, made.text
        return Ask(f"/account/feeds/{made.json()['token']['id']}{suffix}")

    return make


# One entry per page route: (method, path as the app names it) → what each walker gets.
PAGES: dict[tuple[str, str], Case] = {
    # Open to all; nothing of A's request on them.
    ("GET", "/"): Case(EVERYONE_200, fixed("/")),
    ("GET", "/rooms"): Case(EVERYONE_200, fixed("/rooms")),
    # A room's week: A's private request shows as taken, without its title.
    ("GET", "/rooms/{code:str}"): Case(EVERYONE_200, fixed("/rooms/X-1?week={day}")),
    ("GET", "/buildings/{code:str}"): Case(
        expect(*[To("/rooms#building-X")] * 5), fixed("/buildings/{building}")
    ),
    # Public events only: A's private request is never among them.
    ("GET", "/events"): Case(EVERYONE_200, fixed("/events")),
    # The calendar feeds: the public ones name no private request; a private one is read by
    # its secret link alone, whoever follows it (B's, which holds nothing of A).
    ("GET", "/feeds/rooms/{name:str}"): Case(EVERYONE_200, fixed("/feeds/rooms/X-1.ics")),
    ("GET", "/feeds/buildings/{name:str}"): Case(
        EVERYONE_200, fixed("/feeds/buildings/{building}.ics")
    ),
    ("GET", "/feeds/events.ics"): Case(EVERYONE_200, fixed("/feeds/events.ics")),
    ("GET", "/feeds/events/{name:str}"): Case(EVERYONE_200, fixed("/feeds/events/{building}.ics")),
    ("GET", "/feeds/private/{name:str}"): Case(EVERYONE_200, a_feed_of_b()),
    # The booking form: anyone signed in; a form step and the live check answer with a page
    # (the check of A's slot tells B it is asked for, never by whom or for what).
    ("GET", "/book"): Case(SIGNED_IN_200, fixed("/book")),
    ("POST", "/book"): Case(expect(401, 200, 200, 200, 200), fixed("/book", {"go": "1"})),
    ("POST", "/book/check"): Case(
        expect(401, 200, 200, 200, 200),
        fixed("/book/check", {"room": "X-1", "date": "{day}", "start": "10:00", "end": "11:00"}),
    ),
    # The confirmation of a sent request: whoever may read it (GET /api/bookings/{id}).
    ("GET", "/book/sent/{booking_id:int}"): Case(
        expect(SIGN_IN, 200, 404, 200, 200), of_a_request("/book/sent/{booking}")
    ),
    ("GET", "/sign-in"): Case(EVERYONE_200, fixed("/sign-in")),
    # A visitor with a wrong password stays on the form (422); a user signs in anew.
    ("POST", "/sign-in"): Case(expect(422, HOME, HOME, HOME, HOME), own_sign_in()),
    ("POST", "/sign-out"): Case(expect(HOME, HOME, HOME, HOME, HOME), fixed("/sign-out")),
    ("POST", "/language"): Case(
        expect(HOME, HOME, HOME, HOME, HOME), fixed("/language", {"language": "ro", "next": "/"})
    ),
    # A forgotten password: anyone may ask, for any address, and is told the same.
    ("GET", "/forgot-password"): Case(EVERYONE_200, fixed("/forgot-password")),
    ("POST", "/forgot-password"): Case(
        expect(*[To("/forgot-password/sent")] * 5), own_reset_request()
    ),
    ("GET", "/forgot-password/sent"): Case(EVERYONE_200, fixed("/forgot-password/sent")),
    # An e-mailed link: its secret alone opens it, whoever follows it; this one is no link's
    # (tests/integration/test_account_links.py follows real ones).
    ("GET", "/reset-password/{secret:str}"): Case(
        expect(404, 404, 404, 404, 404), fixed("/reset-password/" + "x" * 43)
    ),
    ("POST", "/reset-password/{secret:str}"): Case(
        expect(404, 404, 404, 404, 404),
        fixed("/reset-password/" + "x" * 43, {"password": "long enough!"}),
    ),
    # The account: everyone signed in has their own, and only their own.
    ("GET", "/account"): Case(SIGNED_IN_200, fixed("/account")),
    ("POST", "/account/name"): Case(
        after_form("/account?saved=name"), fixed("/account/name", {"display_name": "Nume nou"})
    ),
    ("POST", "/account/password"): Case(
        after_form("/account?saved=password"),
        fixed(
            "/account/password",
            {"current_password": PASSWORD, "new_password": "another long password"},
        ),
    ),
    ("POST", "/account/notifications"): Case(
        after_form("/account?saved=notifications#notifications"),
        fixed("/account/notifications", {"daily_digest": "on"}),
    ),
    ("POST", "/account/tokens"): Case(
        expect(401, 200, 200, 200, 200), fixed("/account/tokens", {"token_name": "script"})
    ),
    # A's token: only A may open its revocation or revoke it; to others it does not exist,
    # the administrator included (as DELETE /api/auth/tokens/{id}).
    ("GET", "/account/tokens/{token_id:int}/revoke"): Case(
        expect(SIGN_IN, 200, 404, 404, 404), a_token_of_a("/revoke")
    ),
    ("POST", "/account/tokens/{token_id:int}/revoke"): Case(
        expect(401, To("/account?saved=revoked"), 404, 404, 404), a_token_of_a("/revoke")
    ),
    # Calendar feeds: anyone signed in makes their own personal feed (its link on the answer).
    ("POST", "/account/feeds"): Case(
        expect(401, 200, 200, 200, 200), fixed("/account/feeds", {"kind": "personal"})
    ),
    # A's private feed: only A may give it a new link or stop it; to others it does not
    # exist, the administrator included (as /api/feeds/{id}).
    ("GET", "/account/feeds/{token_id:int}/rotate"): Case(
        expect(SIGN_IN, 200, 404, 404, 404), a_feed_of_a("/rotate")
    ),
    ("POST", "/account/feeds/{token_id:int}/rotate"): Case(
        expect(401, 200, 404, 404, 404), a_feed_of_a("/rotate")
    ),
    ("GET", "/account/feeds/{token_id:int}/revoke"): Case(
        expect(SIGN_IN, 200, 404, 404, 404), a_feed_of_a("/revoke")
    ),
    ("POST", "/account/feeds/{token_id:int}/revoke"): Case(
        expect(401, To("/account?saved=feed_stopped"), 404, 404, 404), a_feed_of_a("/revoke")
    ),
    # The resource calendar: anyone may look; A's private request is there for B and the
    # visitor as a room taken, never with its title (GET /api/buildings/{id}/availability).
    ("GET", "/calendar"): Case(EVERYONE_200, fixed("/calendar")),
    ("GET", "/calendar/{code:str}"): Case(EVERYONE_200, fixed("/calendar/{building}?date={day}")),
    ("GET", "/calendar/{code:str}/data"): Case(
        EVERYONE_200,
        fixed(f"/calendar/{{building}}/data?start={local(0, '00:00')}&end={local(1, '00:00')}"),
    ),
    # My requests: as GET /api/bookings and /api/bookings/{id}: A, the approver of its
    # building and the administrator read A's request; to B it does not exist.
    ("GET", "/requests"): Case(SIGNED_IN_200, fixed("/requests")),
    ("GET", "/requests/{booking_id:int}"): Case(
        expect(SIGN_IN, 200, 404, 200, 200), of_a_request("/requests/{booking}")
    ),
    ("GET", "/requests/{booking_id:int}/edit"): Case(
        expect(SIGN_IN, 200, 404, 200, 200), of_a_request("/requests/{booking}/edit")
    ),
    # As PATCH /api/bookings/{id}: the approver may read but not edit (the request's page
    # says so, 409); the administrator may.
    ("POST", "/requests/{booking_id:int}/edit"): Case(
        expect(401, EDITED, 404, 409, EDITED), of_a_request("/requests/{booking}/edit", edited)
    ),
    ("GET", "/requests/{booking_id:int}/cancel"): Case(
        expect(SIGN_IN, 200, 404, 200, 200), of_a_request("/requests/{booking}/cancel")
    ),
    # As POST /api/bookings/{id}/cancel: the approver of the building may cancel too.
    ("POST", "/requests/{booking_id:int}/cancel"): Case(
        expect(401, WITHDRAWN, 404, WITHDRAWN, WITHDRAWN),
        of_a_request("/requests/{booking}/cancel", versioned()),
    ),
    ("GET", "/requests/{booking_id:int}/dates/{occurrence_id:int}/cancel"): Case(
        expect(SIGN_IN, 200, 404, 200, 200),
        of_a_request("/requests/{booking}/dates/{occurrence}/cancel"),
    ),
    ("POST", "/requests/{booking_id:int}/dates/{occurrence_id:int}/cancel"): Case(
        expect(401, DATE_CANCELLED, 404, DATE_CANCELLED, DATE_CANCELLED),
        of_a_request("/requests/{booking}/dates/{occurrence}/cancel", versioned()),
    ),
    # As POST /api/bookings/{id}/submit on A's draft: the approver sees it but may not send it.
    ("POST", "/requests/{booking_id:int}/submit"): Case(
        expect(401, SUBMITTED, 404, 409, SUBMITTED),
        of_a_request("/requests/{booking}/submit", versioned(), submit=False),
    ),
}


def _page_routes(app) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in app.routes
        if not route.path.startswith(("/api/", "/static/")) and route.path != "/static"
        for method in route.methods
        if method not in ("OPTIONS", "HEAD")
    }


def test_every_page_route_has_an_entry(app) -> None:
    routes = _page_routes(app)
    assert routes == set(PAGES), {
        "page routes without an entry": sorted(routes - set(PAGES)),
        "entries without a route": sorted(set(PAGES) - routes),
    }


SECRET = {
    "title": "Consiliul secret al departamentului A",
    "organiser_name": "Organizatoarea Ascunsă",
    "contact_email": "ascuns.a@upt.ro",
    "contact_phone": "+40 721 000 111",
    "description": "Ordinea de zi confidențială",
}
_days = itertools.count(1)


async def _request_of_a(world: World, on_day: int, **create: Any) -> dict[str, Any]:
    return await request(
        world.requester_a,
        world.room_x,
        day=on_day % 300,
        **SECRET,
        is_public=False,
        **create,
    )


async def _secrets(world: World) -> Secrets:
    return Secrets(await _request_of_a(world, 0), tuple(SECRET.values()))


async def _walkers(open_client, world: World) -> dict[str, Walker]:
    people = {
        "requester_a": world.requester_a,
        "requester_b": world.requester_b,
        "approver": world.approver_x,
        "admin": world.admin,
    }
    walkers = {"anonymous": Walker("anonymous", await visitor(open_client), None)}
    for role, who in people.items():
        email = who.user["email"]
        walkers[role] = Walker(role, await signed_in(open_client, email), email)
    return walkers


def _matches(expected: Expected, response: httpx.Response, ids: dict[str, Any]) -> bool:
    if isinstance(expected, To):
        location = response.headers.get("location", "")
        if expected is HOME:
            return response.status_code == 303 and location == "/"
        return response.status_code == 303 and location.startswith(expected.prefix.format(**ids))
    return response.status_code == expected


async def _ask(walker: Walker, method: str, path: str, form: dict[str, str]) -> httpx.Response:
    if method == "GET":
        return await walker.client.get(path)
    # A form as the walker's browser sends it: with the token its pages carry, so that what
    # is tested is who may, not the form token (test_pages_foundation tests that).
    token = form_token((await walker.client.get("/sign-in")).text)
    return await walker.client.request(method, path, data={**form, "csrf_token": token})


@pytest.mark.parametrize(("method", "path"), sorted(PAGES), ids=lambda v: str(v))
async def test_who_gets_what(open_client, admin, method, path) -> None:
    case = PAGES[(method, path)]
    world = await make_world(open_client, admin)
    secrets = await _secrets(world)
    walkers = await _walkers(open_client, world)
    wrong: dict[str, str] = {}
    for role in ROLES:
        walker = walkers[role]
        asked = await case.target(world, secrets, walker)
        response = await _ask(walker, method, asked.path, asked.form)
        assert response.status_code < 500, response.text
        if not _matches(case.expected[role], response, asked.ids):
            got = f"{response.status_code} → {response.headers.get('location', '')}"
            wrong[role] = f"expected {case.expected[role]}, got {got}"
        if response.status_code >= 400:  # an error page, outside /api
            assert response.headers["content-type"].startswith("text/html"), role
        if role not in MAY_SEE_A:
            seen = response.text + response.headers.get("location", "")
            leaked = [word for word in secrets.words if word in seen]
            assert not leaked, f"{role} read {leaked} of A's request on {method} {asked.path}"
    assert not wrong, wrong
