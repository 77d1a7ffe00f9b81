"""The relay turns each change into its messages whole, however its events fall into batches."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from booking.db import outbox
from booking.db.tables import ChangeLogEntry
from booking.notifications import relay as relaying
from tests.factories import booking_body, local
from tests.integration.world import act, make_world, request


async def test_a_change_split_by_the_batch_s_end_is_relayed_whole(
    app, open_client, admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await make_world(open_client, admin)
    asked = await request(world.requester_a, world.room_y)
    await act(world.approver_y, asked, "approve")
    # The request's creation logged two events (created, submitted), its approval one or more:
    # a batch of one event cuts the first change in two.
    logged = await ChangeLogEntry.select(ChangeLogEntry.kind).where(
        ChangeLogEntry.booking == asked["id"]
    )
    assert len(logged) >= 3
    monkeypatch.setattr(relaying, "BATCH", 1)
    written = await relaying.relay(app.state.engine, datetime.now(UTC), "upt.ro")

    messages = await outbox.listed([], None, 100, 0)
    assert len(written) == len(messages)
    assert Counter((m.kind, m.address) for m in messages) == {
        ("submitted", "a@upt.ro"): 1,
        ("submitted", "ana.popescu@upt.ro"): 1,
        ("approved", "a@upt.ro"): 1,
        ("approved", "ana.popescu@upt.ro"): 1,
        # Decided by the time the relay ran: nobody need be asked any more.
    }
    unrelayed = await ChangeLogEntry.count().where(ChangeLogEntry.relayed_at.is_null())
    assert unrelayed == 0
    # Relaying again writes nothing more.
    assert await relaying.relay(app.state.engine, datetime.now(UTC), "upt.ro") == []


async def test_a_change_of_two_events_split_by_the_batch_says_one_thing(
    app, open_client, admin, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await make_world(open_client, admin)
    asked = await request(world.requester_a, world.room_y)
    await relaying.relay(app.state.engine, datetime.now(UTC), "upt.ro")
    before = {m.id for m in await outbox.listed([], None, 100, 0)}
    # Refusing the only date refuses the request: one change, two events (date_rejected,
    # rejected), which a batch of one event cuts in two.
    (date,) = asked["occurrences"]
    refused = await world.approver_y.client.post(
        f"/api/bookings/{asked['id']}/occurrences/{date['id']}/reject",
        json={"version": asked["version"], "comment": "Sala e în renovare"},
    )
    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "rejected"
    logged = await ChangeLogEntry.select(ChangeLogEntry.kind).where(
        ChangeLogEntry.relayed_at.is_null()
    )
    assert [row["kind"] for row in logged] == ["date_rejected", "rejected"]
    monkeypatch.setattr(relaying, "BATCH", 1)
    await relaying.relay(app.state.engine, datetime.now(UTC), "upt.ro")
    later = [m for m in await outbox.listed([], None, 100, 0) if m.id not in before]
    assert sorted((m.kind, m.address) for m in later) == [
        ("rejected", "a@upt.ro"),
        ("rejected", "ana.popescu@upt.ro"),
    ]


async def test_the_longest_contact_address_is_relayed(app, open_client, admin) -> None:
    world = await make_world(open_client, admin)
    longest = "a" * 64 + "@" + ("b" * 60 + ".") * 3 + "upt.ro"
    assert len(longest) == 254
    await request(world.requester_a, world.room_y, contact_email=longest)
    await relaying.relay(app.state.engine, datetime.now(UTC), "upt.ro")
    messages = await outbox.listed([], None, 100, 0)
    assert sorted(m.address for m in messages if m.kind == "submitted") == ["a@upt.ro", longest]


async def test_the_approvers_asked_are_those_who_may_decide_every_room(
    app, open_client, admin
) -> None:
    world = await make_world(open_client, admin)
    # X-1 and X-2: building X's approver manages both; X-1's own approver only one of them.
    both = await world.requester_a.client.post(
        "/api/bookings",
        json=booking_body(
            [world.room_x["id"], world.room_x2["id"]], local(1, "10:00"), local(1, "11:00")
        ),
    )
    assert both.status_code == 201, both.text
    # X-1 and Y-1: no approver manages both buildings; an administrator decides.
    across = await world.requester_a.client.post(
        "/api/bookings",
        json=booking_body(
            [world.room_x["id"], world.room_y["id"]], local(2, "10:00"), local(2, "11:00")
        ),
    )
    assert across.status_code == 201, across.text
    await relaying.relay(app.state.engine, datetime.now(UTC), "upt.ro")
    asked = await outbox.listed(["pending"], None, 100, 0)
    by_request = {
        booking["id"]: sorted(
            m.address
            for m in asked
            if m.booking_id == booking["id"] and m.kind == "awaiting_decision"
        )
        for booking in (both.json(), across.json())
    }
    assert by_request == {both.json()["id"]: ["x@upt.ro"], across.json()["id"]: ["admin@upt.ro"]}
