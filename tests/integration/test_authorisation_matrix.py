"""Every API route × every kind of caller, with the status each must get.

The table of cases is checked against the app's own route table, so a new route without an
entry here fails the first test. Each caller acts on a fresh target (a booking of department A
in building X, a user, a token…), so what one caller changes cannot decide another's answer.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.factories import (
    PASSWORD,
    Person,
    booking_body,
    local,
    make_token,
    make_user,
    within_a_week,
)
from tests.integration.world import World, act, make_world, request

ROLES = ("anonymous", "requester_a", "requester_b", "approver_x", "approver_y", "finance", "admin")
Target = Callable[[World, Person | None], Awaitable[tuple[str, Any]]]


def statuses(
    anonymous: int,
    requester_a: int,
    requester_b: int,
    approver_x: int,
    approver_y: int,
    finance: int,
    admin: int,
) -> dict[str, int]:
    return dict(
        zip(
            ROLES,
            (anonymous, requester_a, requester_b, approver_x, approver_y, finance, admin),
            strict=True,
        )
    )


EVERYONE_200 = statuses(200, 200, 200, 200, 200, 200, 200)
SIGNED_IN_200 = statuses(401, 200, 200, 200, 200, 200, 200)
ADMIN_ONLY_200 = statuses(401, 403, 403, 403, 403, 403, 200)
ADMIN_ONLY_201 = statuses(401, 403, 403, 403, 403, 403, 201)
# A's private request in building X: B, and the approver of building Y, cannot even learn it
# exists; finance, whose work spans the university, can read it.
DECIDE_X = statuses(401, 403, 404, 200, 404, 403, 200)


@dataclass(frozen=True)
class Case:
    expected: dict[str, int]
    target: Target


def fixed(path: str, body: Any = None) -> Target:
    async def make(world: World, who: Person | None) -> tuple[str, Any]:
        return path.format(**_ids(world)), body

    return make


def _ids(world: World) -> dict[str, int]:
    return {
        "building": world.building_x["id"],
        "room": world.room_x["id"],
    }


_days = itertools.count(1)


async def _private_request_of_a(world: World, **overrides: Any) -> dict[str, Any]:
    # A day of its own, so that approving one target never collides with the next.
    return await request(world.requester_a, world.room_x, day=next(_days) % 300, **overrides)


def on_booking(
    suffix: str, body: Callable[[dict[str, Any]], Any] | None = None, **kind: Any
) -> Target:
    async def make(world: World, who: Person | None) -> tuple[str, Any]:
        booking = await _private_request_of_a(world, **kind.get("create", {}))
        if kind.get("held"):
            booking = await act(world.approver_x, booking, "hold", until=within_a_week("18:00"))
        path = suffix.format(occurrence=booking["occurrences"][0]["id"])
        return f"/api/bookings/{booking['id']}{path}", body(booking) if body else None

    return make


def skipped_date() -> Target:
    """A's two-day series in X-1 that skipped its second day, which is free again now."""

    async def make(world: World, who: Person | None) -> tuple[str, Any]:
        first = next(_days) % 300
        blocker = await request(world.admin, world.room_x, day=first + 1)
        blocker = await act(world.admin, blocker, "approve")
        series = await request(
            world.requester_a,
            world.room_x,
            day=first,
            recurrence={"frequency": "daily", "count": 2},
            on_conflict="skip",
        )
        await act(world.admin, blocker, "cancel")
        (skipped,) = series["skipped_dates"]
        path = f"/api/bookings/{series['id']}/skipped-dates/{skipped['date']}/restore"
        return path, {"version": series["version"]}

    return make


def a_blackout(suffix: str) -> Target:
    """A closure of building X, fresh for every caller."""

    async def make(world: World, who: Person | None) -> tuple[str, Any]:
        response = await world.admin.client.post(
            "/api/blackouts",
            json={
                "start": local(60, "00:00"),
                "end": local(61, "00:00"),
                "reason": "mentenanță",
                "building": world.building_x["id"],
            },
        )
        assert response.status_code == 201, response.text
        return f"/api/blackouts/{response.json()['blackout']['id']}{suffix}", None

    return make


def an_import() -> Target:
    async def make(world: World, who: Person | None) -> tuple[str, Any]:
        day = local(70, "00:00")[:10].replace("-", "")
        ics = (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//UPT//test//RO\r\nBEGIN:VEVENT\r\n"
            f"UID:matrix-{day}@upt.ro\r\nDTSTART;VALUE=DATE:{day}\r\nSUMMARY:Zi liberă\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n"
        )
        return f"/api/blackouts/import?building={world.building_x['id']}", RawBody(ics)

    return make


@dataclass(frozen=True)
class RawBody:
    text: str


def versioned(**extra: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda booking: {"version": booking["version"], **extra}


_invited = itertools.count(1)


def on_user(suffix: str, body: Any = None, prepare: str = "") -> Target:
    async def make(world: World, who: Person | None) -> tuple[str, Any]:
        if prepare == "invited":  # made by an administrator: no password yet
            new = {"email": f"invited{next(_invited)}@upt.ro", "display_name": "Invitat"}
            user = (await world.admin.client.post("/api/users", json=new)).json()
        else:
            user = await make_user()
        path = f"/api/users/{user['id']}{suffix}"
        if prepare == "grant":
            response = await world.admin.client.post(
                f"/api/users/{user['id']}/roles", json={"role": "finance"}
            )
            path = path.format(grant=response.json()["roles"][0]["id"])
        if prepare == "member":
            await world.admin.client.post(
                f"/api/users/{user['id']}/memberships", json={"organisation": "A"}
            )
        return path, body

    return make


def own_token() -> Target:
    async def make(world: World, who: Person | None) -> tuple[str, Any]:
        owner = who.id if who else (await make_user())["id"]
        await make_token(owner)
        from booking.db.tables import ApiToken

        rows = await ApiToken.select(ApiToken.id).where(ApiToken.user == owner)
        return f"/api/auth/tokens/{rows[-1]['id']}", None

    return make


def own_feed_token(suffix: str = "") -> Target:
    async def make(world: World, who: Person | None) -> tuple[str, Any]:
        from booking.core.feeds import FeedKind
        from booking.db import feed_tokens

        owner = who.id if who else (await make_user())["id"]
        token = await feed_tokens.insert(
            owner, FeedKind.PERSONAL, None, f"{owner:064d}", "cal_x", datetime.now(UTC)
        )
        return f"/api/feeds/{token.id}{suffix}", None

    return make


def a_failed_notification(suffix: str, body: Any = None) -> Target:
    """An e-mail of the outbox that could not be delivered."""

    async def make(world: World, who: Person | None) -> tuple[str, Any]:
        from booking.db import outbox
        from booking.db.tables import OutboxMessage

        key = uuid.uuid4().hex
        message = outbox.NewMessage(
            kind="submitted",
            dedupe_key=f"matrix:{key}",
            address="gone@upt.ro",
            name="",
            language="ro",
            message_id=f"<{key}@upt.ro>",
        )
        (due,) = await outbox.add([message], datetime.now(UTC))
        await OutboxMessage.update(
            {OutboxMessage.status: "failed", OutboxMessage.last_error: "550 no such user"}
        ).where(OutboxMessage.id == due.id)
        return f"/api/notifications/{due.id}{suffix}", body

    return make


def sign_in() -> Target:
    async def make(world: World, who: Person | None) -> tuple[str, Any]:
        email = who.user["email"] if who else "nobody@upt.ro"
        return "/api/auth/login", {"email": email, "password": PASSWORD}

    return make


def reset_request() -> Target:
    """A new password asked for the caller's own address (a visitor's, an address without an
    account): every caller is told the same."""

    async def make(world: World, who: Person | None) -> tuple[str, Any]:
        email = who.user["email"] if who else "nobody@upt.ro"
        return "/api/auth/password-reset-request", {"email": email}

    return make


def new_booking() -> Target:
    async def make(world: World, who: Person | None) -> tuple[str, Any]:
        room = world.room_x if who is not world.approver_y else world.room_y
        return "/api/bookings", booking_body([room["id"]], local(0, "10:00"), local(0, "11:00"))

    return make


def preview() -> Target:
    async def make(world: World, who: Person | None) -> tuple[str, Any]:
        body = {"rooms": [world.room_x["id"]], "start": local(0, "10:00"), "end": local(0, "11:00")}
        return "/api/bookings/preview", body

    return make


TIERS = [{"role": "room_manager", "condition": "always"}]

CASES: dict[tuple[str, str], Case] = {
    ("GET", "/api/buildings"): Case(EVERYONE_200, fixed("/api/buildings")),
    ("GET", "/api/buildings/{building_id:str}"): Case(
        EVERYONE_200, fixed("/api/buildings/{building}")
    ),
    ("GET", "/api/buildings/{building_id:str}/availability"): Case(
        EVERYONE_200,
        fixed(
            "/api/buildings/{building}/availability?start="
            + local(0, "00:00")
            + "&end="
            + local(1, "00:00")
        ),
    ),
    ("GET", "/api/rooms"): Case(EVERYONE_200, fixed("/api/rooms")),
    ("GET", "/api/rooms/{room_id:str}"): Case(EVERYONE_200, fixed("/api/rooms/{room}")),
    ("GET", "/api/rooms/{room_id:str}/availability"): Case(
        EVERYONE_200,
        fixed(
            "/api/rooms/{room}/availability?start="
            + local(0, "00:00")
            + "&end="
            + local(1, "00:00")
        ),
    ),
    ("GET", "/api/organisations"): Case(EVERYONE_200, fixed("/api/organisations")),
    ("GET", "/api/buildings/{building_id:str}/approval-tiers"): Case(
        EVERYONE_200, fixed("/api/buildings/{building}/approval-tiers")
    ),
    ("PUT", "/api/buildings/{building_id:str}/approval-tiers"): Case(
        ADMIN_ONLY_200, fixed("/api/buildings/{building}/approval-tiers", TIERS)
    ),
    ("GET", "/api/rooms/{room_id:str}/approval-tiers"): Case(
        EVERYONE_200, fixed("/api/rooms/{room}/approval-tiers")
    ),
    ("PUT", "/api/rooms/{room_id:str}/approval-tiers"): Case(
        ADMIN_ONLY_200, fixed("/api/rooms/{room}/approval-tiers", TIERS)
    ),
    ("POST", "/api/auth/login"): Case(statuses(401, 200, 200, 200, 200, 200, 200), sign_in()),
    ("POST", "/api/auth/logout"): Case(
        statuses(401, 204, 204, 204, 204, 204, 204), fixed("/api/auth/logout")
    ),
    ("GET", "/api/auth/me"): Case(SIGNED_IN_200, fixed("/api/auth/me")),
    ("PATCH", "/api/auth/me"): Case(SIGNED_IN_200, fixed("/api/auth/me", {"language": "en"})),
    ("POST", "/api/auth/password"): Case(
        statuses(401, 204, 204, 204, 204, 204, 204),
        fixed(
            "/api/auth/password",
            {"current_password": PASSWORD, "new_password": "another long password"},
        ),
    ),
    ("POST", "/api/auth/password-reset-request"): Case(
        statuses(202, 202, 202, 202, 202, 202, 202), reset_request()
    ),
    # No link has this secret, whoever sends it (tests/integration/test_account_links.py).
    ("POST", "/api/auth/password-reset"): Case(
        statuses(404, 404, 404, 404, 404, 404, 404),
        fixed("/api/auth/password-reset", {"secret": "x" * 43, "password": "long enough!"}),
    ),
    ("GET", "/api/auth/tokens"): Case(SIGNED_IN_200, fixed("/api/auth/tokens")),
    ("POST", "/api/auth/tokens"): Case(
        statuses(401, 201, 201, 201, 201, 201, 201), fixed("/api/auth/tokens", {"name": "x"})
    ),
    ("DELETE", "/api/auth/tokens/{token_id:int}"): Case(
        statuses(401, 204, 204, 204, 204, 204, 204), own_token()
    ),
    ("GET", "/api/feeds"): Case(SIGNED_IN_200, fixed("/api/feeds")),
    ("POST", "/api/feeds"): Case(
        statuses(401, 201, 201, 201, 201, 201, 201), fixed("/api/feeds", {"kind": "personal"})
    ),
    ("POST", "/api/feeds/{token_id:int}/rotate"): Case(
        statuses(401, 200, 200, 200, 200, 200, 200), own_feed_token("/rotate")
    ),
    ("DELETE", "/api/feeds/{token_id:int}"): Case(
        statuses(401, 204, 204, 204, 204, 204, 204), own_feed_token()
    ),
    ("PATCH", "/api/rooms/{room_id:str}"): Case(
        ADMIN_ONLY_200, fixed("/api/rooms/{room}", {"name": "Sala renumită"})
    ),
    ("PATCH", "/api/buildings/{building_id:str}"): Case(
        ADMIN_ONLY_200, fixed("/api/buildings/{building}", {"address": "Bd. Vasile Pârvan 2"})
    ),
    # The outbox: administrators only.
    ("GET", "/api/notifications"): Case(ADMIN_ONLY_200, fixed("/api/notifications")),
    ("GET", "/api/notifications/counts"): Case(ADMIN_ONLY_200, fixed("/api/notifications/counts")),
    ("GET", "/api/notifications/{notification_id:int}"): Case(
        ADMIN_ONLY_200, a_failed_notification("")
    ),
    ("POST", "/api/notifications/{notification_id:int}/retry"): Case(
        ADMIN_ONLY_200, a_failed_notification("/retry")
    ),
    ("POST", "/api/notifications/{notification_id:int}/discard"): Case(
        ADMIN_ONLY_200, a_failed_notification("/discard", {"reason": "left the university"})
    ),
    ("GET", "/api/users"): Case(ADMIN_ONLY_200, fixed("/api/users")),
    ("POST", "/api/users"): Case(
        ADMIN_ONLY_201, fixed("/api/users", {"email": "new@upt.ro", "display_name": "Nou"})
    ),
    ("GET", "/api/users/{user_id:int}"): Case(ADMIN_ONLY_200, on_user("")),
    ("PATCH", "/api/users/{user_id:int}"): Case(
        ADMIN_ONLY_200, on_user("", {"display_name": "Alt nume"})
    ),
    ("POST", "/api/users/{user_id:int}/roles"): Case(
        ADMIN_ONLY_200, on_user("/roles", {"role": "finance"})
    ),
    ("POST", "/api/users/{user_id:int}/invitation"): Case(
        ADMIN_ONLY_201, on_user("/invitation", prepare="invited")
    ),
    ("DELETE", "/api/users/{user_id:int}/roles/{grant_id:int}"): Case(
        ADMIN_ONLY_200, on_user("/roles/{grant}", prepare="grant")
    ),
    ("POST", "/api/users/{user_id:int}/memberships"): Case(
        ADMIN_ONLY_200, on_user("/memberships", {"organisation": "A"})
    ),
    ("DELETE", "/api/users/{user_id:int}/memberships/{organisation:str}"): Case(
        ADMIN_ONLY_200, on_user("/memberships/A", prepare="member")
    ),
    ("POST", "/api/bookings"): Case(statuses(401, 201, 201, 201, 201, 201, 201), new_booking()),
    ("POST", "/api/bookings/preview"): Case(SIGNED_IN_200, preview()),
    ("GET", "/api/bookings"): Case(SIGNED_IN_200, fixed("/api/bookings")),
    ("GET", "/api/bookings/{booking_id:int}"): Case(
        statuses(401, 200, 404, 200, 404, 200, 200), on_booking("")
    ),
    ("PATCH", "/api/bookings/{booking_id:int}"): Case(
        statuses(401, 200, 404, 403, 404, 403, 200),
        on_booking("", versioned(title="Titlu nou")),
    ),
    ("POST", "/api/bookings/{booking_id:int}/submit"): Case(
        statuses(401, 200, 404, 403, 404, 403, 200),
        on_booking("/submit", versioned(), create={"submit": False}),
    ),
    ("POST", "/api/bookings/{booking_id:int}/cancel"): Case(
        statuses(401, 200, 404, 200, 404, 403, 200), on_booking("/cancel", versioned())
    ),
    ("GET", "/api/bookings/{booking_id:int}/history"): Case(
        statuses(401, 200, 404, 200, 404, 200, 200), on_booking("/history")
    ),
    ("POST", "/api/bookings/{booking_id:int}/approve"): Case(
        DECIDE_X, on_booking("/approve", versioned())
    ),
    ("POST", "/api/bookings/{booking_id:int}/reject"): Case(
        DECIDE_X, on_booking("/reject", versioned(comment="no"))
    ),
    ("POST", "/api/bookings/{booking_id:int}/request-changes"): Case(
        DECIDE_X, on_booking("/request-changes", versioned(comment="add a programme"))
    ),
    ("POST", "/api/bookings/{booking_id:int}/hold"): Case(
        DECIDE_X, on_booking("/hold", versioned(until=within_a_week("18:00")))
    ),
    ("POST", "/api/bookings/{booking_id:int}/release"): Case(
        DECIDE_X, on_booking("/release", versioned(), held=True)
    ),
    ("GET", "/api/bookings/{booking_id:int}/competing"): Case(
        statuses(401, 403, 404, 200, 404, 200, 200), on_booking("/competing")
    ),
    ("POST", "/api/bookings/{booking_id:int}/occurrences/{occurrence_id:int}/cancel"): Case(
        statuses(401, 200, 404, 200, 404, 403, 200),
        on_booking("/occurrences/{occurrence}/cancel", versioned()),
    ),
    ("POST", "/api/bookings/{booking_id:int}/occurrences/{occurrence_id:int}/move"): Case(
        statuses(401, 200, 404, 403, 404, 403, 200),
        on_booking(
            "/occurrences/{occurrence}/move",
            lambda b: {
                "version": b["version"],
                "start": b["occurrences"][0]["start"][:11] + "15:00:00",
                "end": b["occurrences"][0]["start"][:11] + "16:00:00",
            },
        ),
    ),
    (
        "POST",
        "/api/bookings/{booking_id:int}/occurrences/{occurrence_id:int}/change-following",
    ): Case(
        statuses(401, 200, 404, 403, 404, 403, 200),
        on_booking(
            "/occurrences/{occurrence}/change-following",
            versioned(start_time="15:00", end_time="16:00"),
            create={"recurrence": {"frequency": "daily", "count": 2}},
        ),
    ),
    ("POST", "/api/bookings/{booking_id:int}/occurrences/{occurrence_id:int}/approve"): Case(
        DECIDE_X, on_booking("/occurrences/{occurrence}/approve", versioned())
    ),
    ("POST", "/api/bookings/{booking_id:int}/occurrences/{occurrence_id:int}/reject"): Case(
        DECIDE_X, on_booking("/occurrences/{occurrence}/reject", versioned())
    ),
    ("POST", "/api/bookings/{booking_id:int}/skipped-dates/{day:str}/restore"): Case(
        statuses(401, 200, 404, 403, 404, 403, 200), skipped_date()
    ),
    ("GET", "/api/blackouts"): Case(EVERYONE_200, fixed("/api/blackouts")),
    ("POST", "/api/blackouts"): Case(
        statuses(401, 403, 403, 201, 403, 403, 201),
        fixed(
            "/api/blackouts",
            {"start": local(50, "00:00"), "end": local(51, "00:00"), "reason": "x", "building": 1},
        ),
    ),
    ("GET", "/api/blackouts/{blackout_id:int}"): Case(
        statuses(401, 403, 403, 200, 200, 200, 200), a_blackout("")
    ),
    ("DELETE", "/api/blackouts/{blackout_id:int}"): Case(
        statuses(401, 403, 403, 204, 403, 403, 204), a_blackout("")
    ),
    ("POST", "/api/blackouts/import"): Case(
        statuses(401, 403, 403, 201, 403, 403, 201), an_import()
    ),
    ("GET", "/api/rooms/{room_id:str}/booking-rules"): Case(
        EVERYONE_200, fixed("/api/rooms/{room}/booking-rules")
    ),
    ("PUT", "/api/rooms/{room_id:str}/booking-rules"): Case(
        statuses(401, 403, 403, 200, 403, 403, 200),
        fixed("/api/rooms/{room}/booking-rules", {"min_notice_minutes": 60}),
    ),
    ("POST", "/api/bookings/{booking_id:int}/buffers"): Case(
        statuses(401, 403, 404, 200, 404, 403, 200),
        on_booking(
            "/buffers",
            versioned(setup_minutes=0, teardown_minutes=15, reason="stage"),
        ),
    ),
    ("GET", "/api/approvals/queue"): Case(
        statuses(401, 403, 403, 200, 200, 200, 200), fixed("/api/approvals/queue")
    ),
}

# Routes served by the framework itself (the OpenAPI document and its viewer). The pages have
# a walk of their own (tests/integration/test_page_access.py).
NOT_OURS = ("/api/schema",)


def test_every_route_has_an_entry(app) -> None:
    routes = {
        (method, route.path)
        for route in app.routes
        if route.path.startswith("/api/") and not route.path.startswith(NOT_OURS)
        for method in route.methods
        if method not in ("OPTIONS", "HEAD")
    }
    assert routes == set(CASES), {
        "routes without an entry": sorted(routes - set(CASES)),
        "entries without a route": sorted(set(CASES) - routes),
    }


@pytest.mark.parametrize(("method", "path"), sorted(CASES), ids=lambda v: str(v))
async def test_who_gets_what(open_client, admin, method, path) -> None:
    case = CASES[(method, path)]
    world = await make_world(open_client, admin)
    callers: dict[str, Person | None] = {"anonymous": None, **world.people()}
    got: dict[str, int] = {}
    for role in ROLES:
        who = callers[role]
        url, body = await case.target(world, who)
        client = who.client if who else open_client()
        if isinstance(body, RawBody):
            response = await client.request(
                method, url, content=body.text, headers={"Content-Type": "text/calendar"}
            )
        else:
            response = await client.request(method, url, json=body)
        got[role] = response.status_code
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            assert set(response.json()) >= {"status", "code", "message", "errors"}
    assert got == case.expected
