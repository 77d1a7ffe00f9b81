"""Every change of a request leaves exactly one audit row and its events in the change log, in
the transaction of the change; a change that fails leaves neither."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from booking.accounts.current_user import CurrentUser
from booking.bookings import deciding
from booking.bookings.commands import Act
from booking.bookings.unit_of_work import UnitOfWork, sweep_expired_holds
from booking.core.events import Action
from booking.core.transitions import change
from booking.db import accounts, booking_writes, bookings, change_log
from booking.db.tables import AuditEntry, BookingRequest, ChangeLogEntry
from booking.db.transactions import in_writing_transaction
from tests.factories import Person, booking_body, day, local, make_room, within_a_week
from tests.integration.world import act, expire_hold, make_world, request


@dataclass
class Log:
    audit: list[dict[str, Any]]
    events: list[dict[str, Any]]


async def log_of(booking_id: int) -> Log:
    audit = await AuditEntry.select(
        AuditEntry.id, AuditEntry.action, AuditEntry.version, AuditEntry.at, AuditEntry.actor
    ).where(AuditEntry.booking == booking_id)
    events = await ChangeLogEntry.select(
        ChangeLogEntry.id,
        ChangeLogEntry.kind,
        ChangeLogEntry.version,
        ChangeLogEntry.at,
        ChangeLogEntry.actor,
        ChangeLogEntry.rooms,
    ).where(ChangeLogEntry.booking == booking_id)
    return Log(sorted(audit, key=lambda r: r["id"]), sorted(events, key=lambda r: r["id"]))


def assert_one_change(before: Log, after: Log, action: str, kinds: list[str], version: int) -> None:
    """One new audit row for `action`, at the `version` the API reports for the request after
    the change, and the events `kinds` of the same change: same version, same moment, same
    actor."""
    new_audit = after.audit[len(before.audit) :]
    new_events = after.events[len(before.events) :]
    assert [row["action"] for row in new_audit] == [action]
    (entry,) = new_audit
    assert entry["version"] == version
    assert [e["kind"] for e in new_events] == kinds
    for event in new_events:
        assert (event["version"], event["at"], event["actor"]) == (
            entry["version"],
            entry["at"],
            entry["actor"],
        )
        assert event["rooms"]  # every event says which rooms it concerns


@pytest.fixture
async def rooms(open_client, admin) -> dict[str, dict[str, Any]]:
    """A room that holds itself at once and one that waits for approval, both of the default
    single tier; and one of two tiers, with finance second for paid rentals."""
    world = await make_world(open_client, admin)
    return {
        "instant": await make_room(world.building_y, instant_book=True),
        "approval": world.room_y,
        "paid": world.room_x,
    }


async def test_every_creation_records_itself_and_what_it_led_to(admin, rooms) -> None:
    cases = [
        (rooms["approval"], {"submit": False}, ["created"]),
        (rooms["approval"], {}, ["created", "submitted"]),
        # One slot that holds its room at once: on PostgreSQL, the one-statement creation.
        (rooms["instant"], {}, ["created", "approved"]),
        (
            rooms["instant"],
            {"recurrence": {"frequency": "daily", "count": 3}},
            ["created", "approved"],
        ),
    ]
    for at, (room, extra, kinds) in enumerate(cases):
        booking = await request(admin, room, day=at * 5, **extra)
        assert_one_change(
            Log([], []), await log_of(booking["id"]), "created", kinds, booking["version"]
        )
        assert (await log_of(booking["id"])).audit[0]["version"] == 1


async def _changed(booking: dict, make: Callable[[dict], Awaitable[dict]]) -> tuple[Log, Log, dict]:
    before = await log_of(booking["id"])
    after_change = await make(booking)
    return before, await log_of(booking["id"]), after_change


async def test_every_transition_records_itself_and_what_it_led_to(admin, rooms) -> None:
    approval, paid = rooms["approval"], rooms["paid"]

    async def check(booking: dict, make, action: str, kinds: list[str]) -> dict:
        before, after, result = await _changed(booking, make)
        assert_one_change(before, after, action, kinds, result["version"])
        return result

    draft = await request(admin, approval, day=0, submit=False)
    pending = await check(draft, lambda b: act(admin, b, "submit"), "submitted", ["submitted"])
    held = await check(
        pending, lambda b: act(admin, b, "hold", until=within_a_week("18:00")), "held", ["held"]
    )
    pending = await check(
        held, lambda b: act(admin, b, "release"), "hold_released", ["hold_released"]
    )
    edited = await check(
        pending, lambda b: _patch(admin.client, b, title="Seminar nou"), "edited", ["edited"]
    )
    sent_back = await check(
        edited,
        lambda b: act(admin, b, "request-changes", comment="add the programme"),
        "changes_requested",
        ["changes_requested"],
    )
    resubmitted = await check(
        sent_back, lambda b: act(admin, b, "submit"), "submitted", ["submitted"]
    )
    approved = await check(
        resubmitted, lambda b: act(admin, b, "approve"), "approved", ["approved"]
    )
    proposed = await check(
        approved,
        lambda b: _patch(admin.client, b, start=local(0, "12:00"), end=local(0, "13:00")),
        "change_proposed",
        ["change_proposed"],
    )
    moved = await check(
        proposed, lambda b: act(admin, b, "approve"), "change_approved", ["change_approved"]
    )
    proposed = await _patch(admin.client, moved, start=local(0, "14:00"), end=local(0, "15:00"))
    kept = await check(
        proposed, lambda b: act(admin, b, "reject"), "change_rejected", ["change_rejected"]
    )
    await check(
        kept,
        lambda b: act(admin, b, "buffers", setup_minutes=15, teardown_minutes=None, reason="stage"),
        "buffers_changed",
        ["buffers_changed"],
    )
    current = await _current(admin, kept)
    await check(current, lambda b: act(admin, b, "cancel"), "cancelled", ["cancelled"])

    refused = await request(admin, approval, day=1)
    await check(refused, lambda b: act(admin, b, "reject"), "rejected", ["rejected"])

    two_tiers = await request(admin, paid, day=1, paid_rental=True)
    await check(two_tiers, lambda b: act(admin, b, "approve"), "tier_approved", ["tier_approved"])


async def _current(who: Person, booking: dict) -> dict:
    """The request as the API shows it now."""
    response = await who.client.get(f"/api/bookings/{booking['id']}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def _patch(client: httpx.AsyncClient, booking: dict, **changes: Any) -> dict:
    response = await client.patch(
        f"/api/bookings/{booking['id']}", json={"version": booking["version"]} | changes
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_an_approval_records_the_competitors_it_declined(admin, rooms) -> None:
    winner = await request(admin, rooms["approval"], day=2)
    loser = await request(admin, rooms["approval"], day=2)
    before = await log_of(loser["id"])
    await act(admin, winner, "approve")
    declined = await _current(admin, loser)
    assert_one_change(
        before, await log_of(loser["id"]), "declined", ["declined"], declined["version"]
    )


async def test_a_lapsed_hold_is_recorded_as_the_services_own_change(admin, app, rooms) -> None:
    pending = await request(admin, rooms["approval"], day=3)
    held = await act(admin, pending, "hold", until=within_a_week("18:00"))
    await expire_hold(held["id"])
    before = await log_of(held["id"])
    assert await sweep_expired_holds(app.state.engine, datetime.now(UTC)) == 1
    after = await log_of(held["id"])
    lapsed = await _current(admin, held)
    assert_one_change(before, after, "hold_lapsed", ["hold_lapsed"], lapsed["version"])
    assert after.events[-1]["actor"] is None


async def test_every_change_of_single_dates_records_itself(admin, rooms) -> None:
    series_body = {"recurrence": {"frequency": "daily", "count": 3}}

    async def check(booking: dict, path: str, action: str, kinds: list[str], **body: Any) -> dict:
        before = await log_of(booking["id"])
        result = await act(admin, booking, path, **body)
        assert_one_change(before, await log_of(booking["id"]), action, kinds, result["version"])
        return result

    instant = await request(admin, rooms["instant"], day=10, **series_body)
    first, second, third = (o["id"] for o in instant["occurrences"])
    moved = await check(
        instant,
        f"occurrences/{second}/move",
        "dates_moved",
        ["dates_moved"],
        start=local(11, "15:00"),
        end=local(11, "16:00"),
    )
    current = [o["id"] for o in moved["occurrences"] if o["status"] == "approved"]
    after_one = await check(
        moved, f"occurrences/{current[0]}/cancel", "date_cancelled", ["date_cancelled"]
    )
    after_two = await check(
        after_one, f"occurrences/{current[1]}/cancel", "date_cancelled", ["date_cancelled"]
    )
    await check(
        after_two,
        f"occurrences/{current[2]}/cancel",
        "date_cancelled",
        ["date_cancelled", "cancelled"],
    )

    pending = await request(admin, rooms["approval"], day=20, **series_body)
    first, second, third = (o["id"] for o in pending["occurrences"])
    pending = await check(
        pending, f"occurrences/{first}/approve", "date_approved", ["date_approved"]
    )
    pending = await check(
        pending, f"occurrences/{second}/reject", "date_rejected", ["date_rejected"]
    )
    await check(
        pending, f"occurrences/{third}/approve", "date_approved", ["date_approved", "approved"]
    )

    blocker = await request(admin, rooms["instant"], day=31)
    skipping = await request(admin, rooms["instant"], day=30, on_conflict="skip", **series_body)
    assert [s["date"] for s in skipping["skipped_dates"]] == [day(31).isoformat()]
    await act(admin, blocker, "cancel")
    await check(
        skipping,
        f"skipped-dates/{day(31).isoformat()}/restore",
        "date_restored",
        ["date_restored"],
    )


async def test_a_change_that_fails_leaves_neither_its_audit_row_nor_its_events(
    app, rooms, admin
) -> None:
    booking = await request(admin, rooms["approval"], day=40)
    stored = await bookings.load_booking(booking["id"])
    assert stored is not None
    before = await log_of(booking["id"])
    unit = UnitOfWork(app.state.engine, None, datetime.now(UTC))

    async def apply_then_fail() -> None:
        await unit.apply(stored, change(stored, Action.EDITED, values={"title": "Altul"}))
        assert len((await log_of(booking["id"])).events) == len(before.events) + 1
        raise RuntimeError("the transaction fails after writing")

    with pytest.raises(RuntimeError, match="fails after writing"):
        await in_writing_transaction(app.state.engine, apply_then_fail)
    assert await log_of(booking["id"]) == before
    reread = await bookings.load_booking(booking["id"])
    assert reread is not None
    assert (reread.version, reread.fields.title) == (stored.version, stored.fields.title)


async def test_a_creation_that_fails_leaves_nothing(api, app, rooms, monkeypatch) -> None:
    counted = await ChangeLogEntry.count(), await AuditEntry.count(), await BookingRequest.count()
    real = booking_writes.insert_occurrences

    async def failing(*args: Any, **kwargs: Any) -> list[int]:
        await real(*args, **kwargs)
        raise RuntimeError("the transaction fails after writing")

    monkeypatch.setattr(booking_writes, "insert_occurrences", failing)
    body = booking_body([rooms["approval"]["id"]], local(41, "10:00"), local(41, "11:00"))
    response = await api.post("/api/bookings", json=body)
    assert response.status_code == 500
    assert (
        await ChangeLogEntry.count(),
        await AuditEntry.count(),
        await BookingRequest.count(),
    ) == counted


async def test_a_hold_lapsed_by_a_request_in_its_way_is_the_services_change(admin, rooms) -> None:
    pending = await request(admin, rooms["approval"], day=42)
    held = await act(admin, pending, "hold", until=within_a_week("18:00"))
    await expire_hold(held["id"])
    before = await log_of(held["id"])
    # Another request for the same room and time finds the hold in its way, and lapses it.
    created = await request(admin, rooms["approval"], day=42)
    assert created["status"] == "pending"
    after = await log_of(held["id"])
    lapsed = await _current(admin, held)
    assert_one_change(before, after, "hold_lapsed", ["hold_lapsed"], lapsed["version"])
    assert after.audit[-1]["actor"] is None  # the service's change, not the requester's


async def test_the_log_reads_back_in_order_with_what_each_event_says(admin, rooms) -> None:
    booking = await request(admin, rooms["approval"], day=43, is_public=True)
    approved = await act(admin, booking, "approve", comment="welcome")
    events = await change_log.events_of(booking["id"])
    # In the order the changes were made.
    assert [(e.kind, e.version) for e in events] == [
        (Action.CREATED, 1),
        (Action.SUBMITTED, 1),
        (Action.APPROVED, approved["version"]),
    ]
    last = events[-1]
    assert (last.data["from"], last.data["to"], last.data["comment"]) == (
        "pending",
        "approved",
        "welcome",
    )
    assert last.data["tier"] == "room_manager"
    assert last.rooms == (rooms["approval"]["id"],)
    assert last.actor_id is not None


async def test_a_use_case_returns_the_events_it_wrote_for_every_request_it_changed(
    admin, app, rooms
) -> None:
    winner = await request(admin, rooms["approval"], day=44)
    loser = await request(admin, rooms["approval"], day=44)
    principal = await accounts.active_principal(admin.id)
    assert principal is not None
    user = CurrentUser(admin.id, "", "", "en", principal.actor, None)
    outcome = await deciding.approve_booking(
        app.state.engine, user, winner["id"], Act(winner["version"], "ok"), datetime.now(UTC)
    )
    returned = [(w.booking_id, w.version, w.event.kind, w.event.data) for w in outcome.events]
    logged = [
        (e.booking_id, e.version, e.kind, e.data)
        for booking in (winner, loser)
        for e in await change_log.events_of(booking["id"])
        if e.version > 1
    ]
    assert sorted(returned, key=repr) == sorted(logged, key=repr)
    assert {(b, kind) for b, _, kind, _ in returned} == {
        (winner["id"], Action.APPROVED),
        (loser["id"], Action.DECLINED),
    }
