"""Notifications end to end: a change of a request, the relay, the outbox, a runner, a real SMTP
server. Every test runs on both runners (in-process, and a real arq worker on a real Redis) and
both engines; the faults must lose nothing and send nothing twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from icalendar import Calendar

from booking.db import outbox
from booking.jobs.notifications import delivery_job_id, hand_over
from booking.jobs.queue import ArqQueue
from tests.integration.world import World, act, make_world, request
from tests.jobs.runners import REDIS_URL, UNREACHABLE_REDIS_URL, harness, mail_to, outbox_statuses
from tests.mail_server import MailServer, mail_server


@pytest.fixture(params=["in_process", "arq"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def server() -> AsyncIterator[MailServer]:
    async with mail_server() as found:
        yield found


@pytest.fixture
async def world(open_client, admin) -> World:
    found = await make_world(open_client, admin)
    response = await found.requester_b.client.patch("/api/auth/me", json={"language": "en"})
    assert response.status_code == 200, response.text
    return found


@pytest.fixture
async def runner(kind, settings, app, server) -> AsyncIterator[Any]:
    async with harness(kind, mail_to(settings, server.host, server.port), app.state.engine) as h:
        yield h


def _to(message: EmailMessage) -> str:
    return str(message["To"].addresses[0].addr_spec)


def _received(server: MailServer) -> list[tuple[str, str]]:
    """(recipient, kind) of every message the server took, in order."""
    return [(_to(m), str(m["X-Booking-Kind"])) for m in server.sink.messages]


def _parts(message: EmailMessage) -> dict[str, EmailMessage]:
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


def _calendar(message: EmailMessage) -> tuple[str, Calendar]:
    """The invitation's method, as its part's Content-Type says it, and the calendar."""
    part = _parts(message)["text/calendar"]
    return str(part.get_param("method")), Calendar.from_ical(part.get_content())


def _no_message_twice(server: MailServer) -> None:
    ids = Counter(str(m["Message-ID"]) for m in server.sink.messages)
    assert all(n == 1 for n in ids.values()), ids


async def test_a_request_s_life_reaches_its_requester_and_its_approvers(
    runner, world: World, server: MailServer
) -> None:
    asked = await request(world.requester_b, world.room_y, title="Hackathon UPT")
    await runner.run_jobs()
    assert sorted(_received(server)) == [
        ("ana.popescu@upt.ro", "submitted"),  # the contact named in the request
        ("b@extern.ro", "submitted"),
        ("y@upt.ro", "awaiting_decision"),  # building Y's approver, and nobody else
    ]
    mine = next(m for m in server.sink.messages if _to(m) == "b@extern.ro")
    assert mine["Content-Language"] == "en"  # the account's language
    contact = next(m for m in server.sink.messages if _to(m) == "ana.popescu@upt.ro")
    assert contact["Content-Language"] == "ro"  # an address without an account: Romanian
    for message in server.sink.messages:
        parts = _parts(message)
        assert {"text/plain", "text/html"} <= parts.keys()
        assert "Hackathon UPT" in str(message["Subject"])
        assert f"/requests/{asked['id']}" in parts["text/plain"].get_content()

    server.sink.messages.clear()
    approved = await act(world.approver_y, asked, "approve")
    await runner.run_jobs()
    assert sorted(_received(server)) == [
        ("ana.popescu@upt.ro", "approved"),
        ("b@extern.ro", "approved"),
    ]
    method, invitation = _calendar(server.sink.messages[0])
    assert method == "REQUEST"
    assert str(invitation["METHOD"]) == "REQUEST"
    event = invitation.walk("VEVENT")[0]
    assert str(event["UID"]).startswith(f"booking-{asked['id']}@")
    attendee = str(event["ATTENDEE"]).lower()
    assert attendee == f"mailto:{_to(server.sink.messages[0])}"

    server.sink.messages.clear()
    await act(world.requester_b, approved, "cancel", comment="Anulat")
    await runner.run_jobs()
    assert sorted(_received(server)) == [
        ("ana.popescu@upt.ro", "cancelled"),
        ("b@extern.ro", "cancelled"),
    ]
    method, invitation = _calendar(server.sink.messages[0])
    assert method == "CANCEL"
    assert all(str(e["STATUS"]) == "CANCELLED" for e in invitation.walk("VEVENT"))
    assert await outbox_statuses() == {"sent": 7}


async def test_handing_a_message_over_twice_sends_it_once(
    runner, world: World, server: MailServer
) -> None:
    await request(world.requester_a, world.room_y)
    await runner.run_jobs()
    sent = len(server.sink.messages)
    assert sent == 3
    # The sweep, and the same attempts handed over again by hand: nothing more goes out.
    every = await outbox.listed([], None, 100, 0)
    again = [outbox.Due(m.id, m.attempts - 1, m.due_at) for m in every]
    await hand_over(runner.runner.queue, again)
    await runner.run_jobs()
    await runner.sweep()
    assert len(server.sink.messages) == sent
    _no_message_twice(server)


async def test_a_refused_recipient_fails_with_the_server_s_reason_and_the_others_go(
    runner, world: World, server: MailServer
) -> None:
    server.sink.refuse_recipients = {"gone@upt.ro"}
    asked = await request(world.requester_a, world.room_y, contact_email="gone@upt.ro")
    await runner.run_jobs()
    assert sorted(_received(server)) == [
        ("a@upt.ro", "submitted"),
        ("y@upt.ro", "awaiting_decision"),
    ]
    failed = await outbox.listed(["failed"], asked["id"], 10, 0)
    assert [m.address for m in failed] == ["gone@upt.ro"]
    assert "550" in failed[0].last_error

    # The administrators' API shows it with its reason; retried once the address works, it goes.
    admin = world.admin.client
    listed = (await admin.get("/api/notifications", params={"status": "failed"})).json()
    assert [(n["address"], n["status"]) for n in listed] == [("gone@upt.ro", "failed")]
    assert "550" in listed[0]["reason"]
    server.sink.refuse_recipients = set()
    retried = await admin.post(f"/api/notifications/{failed[0].id}/retry")
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "pending"
    await runner.sweep()
    assert ("gone@upt.ro", "submitted") in _received(server)
    assert (await admin.get(f"/api/notifications/{failed[0].id}")).json()["status"] == "sent"
    _no_message_twice(server)


async def test_an_administrator_discards_a_failed_message_with_a_reason(
    runner, world: World, server: MailServer
) -> None:
    server.sink.refuse_recipients = {"gone@upt.ro"}
    asked = await request(world.requester_a, world.room_y, contact_email="gone@upt.ro")
    await runner.run_jobs()
    (failed,) = await outbox.listed(["failed"], asked["id"], 10, 0)
    admin = world.admin.client
    path = f"/api/notifications/{failed.id}/discard"
    missing = await admin.post(path, json={"reason": ""})
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "reason"
    done = await admin.post(path, json={"reason": "The address left the university"})
    assert done.status_code == 200, done.text
    assert done.json()["discarded_reason"] == "The address left the university"
    # Discarded, it cannot be retried or discarded again; others may not see any of this.
    again = await admin.post(f"/api/notifications/{failed.id}/retry")
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "status"
    assert (await world.approver_y.client.get("/api/notifications")).status_code == 403
    assert (await admin.get("/api/notifications/999999")).status_code == 404


async def test_a_mail_server_that_refuses_for_a_while_gets_every_message_once_it_accepts(
    runner, world: World, server: MailServer
) -> None:
    server.sink.defer_all = True
    asked = await request(world.requester_a, world.room_y)
    await runner.run_jobs()
    await act(world.approver_y, asked, "approve")
    await runner.run_jobs()
    assert server.sink.messages == []
    waiting = await outbox.listed([], None, 100, 0)
    assert len(waiting) == 5
    assert {(m.status, m.attempts) for m in waiting} == {(outbox.Delivery.PENDING, 1)}
    assert all("451" in m.last_error for m in waiting)

    # Not due yet: the sweep leaves them; a minute later they are tried again, and deferred
    # again, but for the approver's: the request no longer waits for them, so it is dropped.
    await runner.sweep()
    assert {m.attempts for m in await outbox.listed([], None, 100, 0)} == {1}
    runner.clock.advance(timedelta(minutes=1, seconds=1))
    await runner.sweep()
    assert await _tries() == {("pending", 2): 4, ("discarded", 2): 1}
    (dropped,) = await outbox.listed(["discarded"], None, 10, 0)
    assert (dropped.kind, dropped.address) == ("awaiting_decision", "y@upt.ro")

    # The server is down altogether for a while, then accepts.
    server.sink.defer_all = False
    server.stop()
    runner.clock.advance(timedelta(minutes=2, seconds=1))
    await runner.sweep()
    assert await _tries() == {("pending", 3): 4, ("discarded", 2): 1}
    assert all("Connect" in m.last_error for m in await outbox.listed(["pending"], None, 9, 0))
    server.start()
    runner.clock.advance(timedelta(minutes=4, seconds=1))
    await runner.sweep()
    assert sorted(_received(server)) == [
        ("a@upt.ro", "approved"),
        ("a@upt.ro", "submitted"),
        ("ana.popescu@upt.ro", "approved"),
        ("ana.popescu@upt.ro", "submitted"),
    ]
    _no_message_twice(server)
    assert await outbox_statuses() == {"sent": 4, "discarded": 1}
    await runner.sweep()
    assert len(server.sink.messages) == 4


async def _tries() -> Counter[tuple[str, int]]:
    return Counter((m.status.value, m.attempts) for m in await outbox.listed([], None, 100, 0))


async def test_a_message_the_server_never_takes_fails_after_the_last_attempt(
    runner, world: World, server: MailServer
) -> None:
    server.sink.defer_all = True
    await request(world.requester_a, world.room_y, contact_email="a@upt.ro")
    await runner.run_jobs()
    for _ in range(10):
        runner.clock.advance(timedelta(hours=3))
        await runner.sweep()
    found = await outbox.listed([], None, 10, 0)
    assert {(m.status, m.attempts) for m in found} == {(outbox.Delivery.FAILED, 8)}
    assert server.sink.messages == []


async def test_with_redis_unreachable_requests_still_go_through_and_their_mail_follows_once(
    settings, app, world: World, server: MailServer
) -> None:
    async with harness(
        "arq",
        mail_to(settings, server.host, server.port),
        app.state.engine,
        redis_url=UNREACHABLE_REDIS_URL,
    ) as runner:
        asked = await request(world.requester_a, world.room_y)
        approved = await act(world.approver_y, asked, "approve")
        assert approved["status"] == "approved"
        await runner.runner.settle()
        assert await outbox_statuses() == {"pending": 5}  # relayed, but nobody could take them
        await runner.run_jobs()
        assert server.sink.messages == []

        # Redis is back: the web side's next commit, or the worker's sweep, hands them over.
        queue = ArqQueue(url=REDIS_URL)
        runner.runner.ctx["queue"] = queue
        await runner.sweep()
        await queue.close()
    # The approver's "waits for you" is dropped: the request was decided before it could go.
    assert sorted(_received(server)) == [
        ("a@upt.ro", "approved"),
        ("a@upt.ro", "submitted"),
        ("ana.popescu@upt.ro", "approved"),
        ("ana.popescu@upt.ro", "submitted"),
    ]
    _no_message_twice(server)
    assert await outbox_statuses() == {"sent": 4, "discarded": 1}


def test_delivery_job_ids_name_each_attempt() -> None:
    due_at = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    first = delivery_job_id(outbox.Due(7, 2, due_at))
    assert first == delivery_job_id(outbox.Due(7, 2, due_at))
    assert first != delivery_job_id(outbox.Due(7, 3, due_at))
    assert first != delivery_job_id(outbox.Due(7, 2, due_at + timedelta(minutes=5)))


async def test_approvers_asked_for_a_tier_decided_meanwhile_are_not_asked_any_more(
    runner, world: World, server: MailServer
) -> None:
    # Building X: its approvers first, then finance for an outside organiser.
    server.sink.defer_all = True
    asked = await request(world.requester_b, world.room_x, contact_email="b@extern.ro")
    await runner.run_jobs()
    waiting = await outbox.listed([], None, 100, 0)
    assert sorted((m.kind, m.address) for m in waiting if m.kind == "awaiting_decision") == [
        ("awaiting_decision", "rx@upt.ro"),
        ("awaiting_decision", "x@upt.ro"),
    ]
    await act(world.approver_x, asked, "approve")
    server.sink.defer_all = False
    runner.clock.advance(timedelta(minutes=1, seconds=1))
    await runner.run_jobs()
    await runner.sweep()
    assert sorted(_received(server)) == [
        ("b@extern.ro", "submitted"),
        ("fin@upt.ro", "awaiting_decision"),
    ]
    dropped = await outbox.listed(["discarded"], None, 10, 0)
    assert sorted(m.address for m in dropped) == ["rx@upt.ro", "x@upt.ro"]
    assert {m.discarded_reason for m in dropped} == {"the tier asked has decided meanwhile"}
