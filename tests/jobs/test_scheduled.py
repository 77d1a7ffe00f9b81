"""The scheduled messages, run as the job functions both runners call, with a clock the test
moves: who gets each message, from when, once only, and not when a user turned it off.

The requests are made through the API as people make them; the jobs get the context both
runners give them (engine, settings, clock, queue), with a queue that records what it was
handed over instead of delivering it.
"""

from __future__ import annotations

import asyncio
import warnings
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from arq import create_pool
from arq.connections import RedisSettings
from arq.worker import Worker

from booking.core.notifications import Kind, address_key
from booking.db import outbox
from booking.db.tables import BookingRequest, OutboxMessage
from booking.jobs.holds import lapse_expired_holds
from booking.jobs.in_process import periodic_jobs
from booking.jobs.notifications import purge_outbox, relay_notifications
from booking.jobs.schedule import EVERY_MINUTE, FUNCTIONS, HOURLY
from booking.jobs.scheduled import (
    send_daily_digests,
    send_failed_summaries,
    send_pending_soon,
    send_reminders,
)
from booking.jobs.worker import WorkerSettings
from tests.factories import booking_body, day, make_user
from tests.integration.world import World, act, make_expired_hold, make_world, request

ZONE = ZoneInfo("Europe/Bucharest")
MINUTE = timedelta(minutes=1)
# Redis database 12 is the schedule's tests' own.
REDIS = RedisSettings(host="127.0.0.1", port=6379, database=12)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class RecordingQueue:
    """Takes the jobs handed over and keeps their names and arguments."""

    def __init__(self) -> None:
        self.jobs: list[tuple[str, tuple[Any, ...], str]] = []

    async def enqueue(self, function: str, *args: Any, job_id: str) -> None:
        self.jobs.append((function, args, job_id))

    async def close(self) -> None:
        return None


def local(on: date, hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime.combine(on, time(hours, minutes), tzinfo=ZONE).astimezone(UTC)


@pytest.fixture
async def world(open_client, admin) -> World:
    return await make_world(open_client, admin)


@pytest.fixture
def ctx(app, settings) -> dict[str, Any]:
    return {
        "engine": app.state.engine,
        "settings": settings,
        "clock": Clock(datetime.now(UTC)),
        "queue": RecordingQueue(),
    }


async def messages(kind: Kind | None = None) -> list[outbox.StoredMessage]:
    query = OutboxMessage.select(OutboxMessage.id).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind.value)
    found = [await outbox.message(row["id"]) for row in await query]
    return [m for m in found if m is not None]


def addresses(found: list[outbox.StoredMessage]) -> list[str]:
    return sorted(m.address for m in found)


async def run_at(job: Any, ctx: dict[str, Any], now: datetime) -> int:
    ctx["clock"].now = now
    handed: int = await job(ctx)
    return handed


async def set_preferences(who: Any, **wanted: bool) -> None:
    response = await who.client.patch("/api/auth/me", json=wanted)
    assert response.status_code == 200, response.text


async def approved(world: World, room: dict[str, Any], **body: Any) -> dict[str, Any]:
    pending = await request(world.requester_a, room, **body)
    approver = world.approver_y if room is world.room_y else world.approver_x
    return await act(approver, pending, "approve")


async def request_on(who: Any, room: dict[str, Any], on: date, **overrides: Any) -> dict[str, Any]:
    body = booking_body(
        [room["id"]], f"{on.isoformat()}T10:00:00", f"{on.isoformat()}T11:00:00", **overrides
    )
    response = await who.client.post("/api/bookings", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


# ── the schedule ──────────────────────────────────────────────────────────────────────────


SCHEDULED = (send_reminders, send_pending_soon, send_daily_digests, send_failed_summaries)


def test_both_runners_run_every_scheduled_job_each_minute() -> None:
    for job in (*SCHEDULED, lapse_expired_holds):
        assert job in EVERY_MINUTE
        assert FUNCTIONS[job.__name__] is job
    assert purge_outbox in HOURLY
    crons = {cron.name: cron for cron in WorkerSettings.cron_jobs}
    for job in (*SCHEDULED, lapse_expired_holds):
        cron = crons[f"cron:{job.__name__}"]
        assert cron.second == {15}
        assert cron.minute is None  # each minute
        assert cron.run_at_startup  # a worker back from an outage catches up at once


# ── holds lapse at their time ─────────────────────────────────────────────────────────────


async def test_a_lapsed_hold_ends_in_a_message_to_its_requester(world, ctx) -> None:
    held = await make_expired_hold(world)
    assert await run_at(lapse_expired_holds, ctx, datetime.now(UTC)) == 1
    await relay_notifications(ctx)
    lapsed = await messages(Kind.HOLD_LAPSED)
    # the requester's account, and the contact the request names
    assert addresses(lapsed) == ["a@upt.ro", "ana.popescu@upt.ro"]
    assert {m.booking_id for m in lapsed} == {held["id"]}
    assert {m.recipient_id for m in lapsed} == {world.requester_a.id, None}
    handed = {args[0] for name, args, _ in ctx["queue"].jobs if name == "deliver_notification"}
    assert {m.id for m in lapsed} <= handed


# ── reminders ─────────────────────────────────────────────────────────────────────────────


async def test_a_reminder_goes_the_evening_before_to_the_requester_and_the_contact(
    world, ctx
) -> None:
    booking = await approved(world, world.room_y)
    eve = day(-1)
    assert await run_at(send_reminders, ctx, local(eve, "17:59")) == 0
    assert await messages(Kind.REMINDER) == []

    assert await run_at(send_reminders, ctx, local(eve, "18:00")) == 2
    sent = await messages(Kind.REMINDER)
    assert addresses(sent) == ["a@upt.ro", "ana.popescu@upt.ro"]
    when = day(0).isoformat()
    assert {m.dedupe_key for m in sent} == {
        f"reminder:{booking['id']}:{when}:{address_key('a@upt.ro')}",
        f"reminder:{booking['id']}:{when}:{address_key('ana.popescu@upt.ro')}",
    }
    assert all(m.booking_id == booking["id"] and m.data == {"date": when} for m in sent)
    assert {m.recipient_id for m in sent} == {world.requester_a.id, None}
    assert {args[0] for _, args, _ in ctx["queue"].jobs} == {m.id for m in sent}

    # every later run that evening finds it written
    assert await run_at(send_reminders, ctx, local(eve, "18:01")) == 0
    assert await run_at(send_reminders, ctx, local(eve, "23:59")) == 0
    assert len(await messages(Kind.REMINDER)) == 2


async def test_a_worker_down_at_18_00_reminds_when_it_is_back_that_evening(world, ctx) -> None:
    await approved(world, world.room_y)
    # once the day of the event has begun, a reminder "for tomorrow" is no more
    assert await run_at(send_reminders, ctx, local(day(0), "00:00")) == 0
    assert await run_at(send_reminders, ctx, local(day(-1), "21:40")) == 2


async def test_a_series_has_a_reminder_for_each_of_its_dates(world, ctx) -> None:
    body = booking_body(
        [world.room_y["id"]],
        f"{day(0).isoformat()}T10:00:00",
        f"{day(0).isoformat()}T11:00:00",
        recurrence={"frequency": "weekly", "weekdays": [day(0).weekday()], "count": 3},
        contact_email="a@upt.ro",  # the requester's own address: one message per date
    )
    response = await world.requester_a.client.post("/api/bookings", json=body)
    assert response.status_code == 201, response.text
    series = await act(world.approver_y, response.json(), "approve")
    second = series["occurrences"][1]
    await act(world.requester_a, series, f"occurrences/{second['id']}/cancel")

    for week in range(3):
        await run_at(send_reminders, ctx, local(day(7 * week - 1), "18:30"))
    sent = await messages(Kind.REMINDER)
    # the date cancelled on its own has no event to remind of
    assert [m.data["date"] for m in sent] == [day(0).isoformat(), day(14).isoformat()]
    assert addresses(sent) == ["a@upt.ro", "a@upt.ro"]


async def test_reminders_only_of_approved_requests(world, ctx) -> None:
    await request(world.requester_a, world.room_y)  # pending
    cancelled = await approved(world, world.room_x, start="12:00", end="13:00")
    await act(world.requester_a, cancelled, "cancel")
    assert await run_at(send_reminders, ctx, local(day(-1), "18:00")) == 0
    assert await messages(Kind.REMINDER) == []


async def test_who_turned_reminders_off_gets_none_but_a_contact_without_account_does(
    world, ctx
) -> None:
    await set_preferences(world.requester_a, event_reminders=False)
    first = await approved(world, world.room_y)
    # a contact who has an account, and turned reminders off too
    await set_preferences(world.approver_x, event_reminders=False)
    second = await approved(world, world.room_x, contact_email="X@upt.ro")
    await run_at(send_reminders, ctx, local(day(-1), "18:00"))
    sent = await messages(Kind.REMINDER)
    assert [(m.booking_id, m.address) for m in sent] == [(first["id"], "ana.popescu@upt.ro")]
    assert second["id"] not in {m.booking_id for m in sent}

    await set_preferences(world.requester_a, event_reminders=True)
    await run_at(send_reminders, ctx, local(day(-1), "18:05"))
    assert addresses(await messages(Kind.REMINDER)) == [
        "a@upt.ro",
        "a@upt.ro",
        "ana.popescu@upt.ro",
    ]


@pytest.mark.parametrize(
    ("event_day", "due_utc"),
    [
        # the eve is the spring change's day: 18:00 summer time
        (date(2027, 3, 29), datetime(2027, 3, 28, 15, 0, tzinfo=UTC)),
        # the event is on that day: the eve is still winter time
        (date(2027, 3, 28), datetime(2027, 3, 27, 16, 0, tzinfo=UTC)),
        # the eve is the autumn change's day: 18:00 winter time again
        (date(2027, 11, 1), datetime(2027, 10, 31, 16, 0, tzinfo=UTC)),
    ],
)
async def test_reminders_keep_18_00_on_the_days_the_clocks_change(
    world, ctx, event_day, due_utc
) -> None:
    created = await request_on(world.requester_a, world.room_y, event_day, contact_email="a@upt.ro")
    await act(world.approver_y, created, "approve")
    assert await run_at(send_reminders, ctx, due_utc - MINUTE) == 0
    assert await run_at(send_reminders, ctx, due_utc) == 1
    (sent,) = await messages(Kind.REMINDER)
    assert sent.data == {"date": event_day.isoformat()}


# ── requests about to start undecided ─────────────────────────────────────────────────────


async def test_the_approvers_deciding_now_are_warned_48_hours_before_the_start(world, ctx) -> None:
    pending = await request(world.requester_a, world.room_x)
    starts = local(day(0), "10:00")
    assert await run_at(send_pending_soon, ctx, starts - timedelta(hours=48) - MINUTE) == 0
    # the room's manager and the building's, who decide the room managers' tier
    assert await run_at(send_pending_soon, ctx, starts - timedelta(hours=48)) == 2
    sent = await messages(Kind.PENDING_SOON)
    assert addresses(sent) == ["rx@upt.ro", "x@upt.ro"]
    assert all(m.booking_id == pending["id"] for m in sent)
    assert all(m.data == {"starts_at": starts.isoformat()} for m in sent)
    assert {m.dedupe_key for m in sent} == {
        f"pending-soon:{pending['id']}:{starts.isoformat()}:{address_key('rx@upt.ro')}",
        f"pending-soon:{pending['id']}:{starts.isoformat()}:{address_key('x@upt.ro')}",
    }
    # once per request
    assert await run_at(send_pending_soon, ctx, starts - timedelta(hours=12)) == 0
    assert len(await messages(Kind.PENDING_SOON)) == 2


async def test_a_request_waiting_for_finance_warns_finance(world, ctx) -> None:
    pending = await request(world.requester_b, world.room_x)  # an outside organiser
    await act(world.approver_x, pending, "approve")  # the room managers' tier
    await run_at(send_pending_soon, ctx, local(day(-1), "09:00"))
    assert addresses(await messages(Kind.PENDING_SOON)) == ["fin@upt.ro"]


async def test_a_held_request_is_still_undecided_and_a_decided_one_is_not(world, ctx) -> None:
    soon = datetime.now(UTC).astimezone(ZONE).date() + timedelta(days=3)
    held = await request_on(world.requester_a, world.room_y, soon)
    until = f"{(soon - timedelta(days=1)).isoformat()}T18:00"
    held = await act(world.approver_y, held, "hold", until=until)
    assert held["status"] == "held"
    decided = await request_on(world.requester_a, world.room_x, soon)
    await act(world.approver_x, decided, "approve")
    rejected = await request_on(world.requester_a, world.room_x2, soon)
    await act(world.approver_x, rejected, "reject", comment="Sala este în renovare")
    # still held then: the hold ends the evening before
    await run_at(send_pending_soon, ctx, local(soon - timedelta(days=1), "12:00"))
    sent = await messages(Kind.PENDING_SOON)
    assert [(m.booking_id, m.address) for m in sent] == [(held["id"], "y@upt.ro")]


async def test_a_request_that_has_begun_is_not_warned_of(world, ctx) -> None:
    await request(world.requester_a, world.room_y)
    assert await run_at(send_pending_soon, ctx, local(day(0), "10:00")) == 0


# ── the approvers' daily digest ───────────────────────────────────────────────────────────


async def test_each_approver_gets_what_waits_for_them_from_07_30(world, ctx) -> None:
    in_x = await request(world.requester_a, world.room_x, day=1)
    in_y = await request(world.requester_a, world.room_y)
    on = day(-3)
    assert await run_at(send_daily_digests, ctx, local(on, "07:29")) == 0
    assert await run_at(send_daily_digests, ctx, local(on, "07:30")) == 4
    sent = {m.address: m for m in await messages(Kind.DIGEST)}
    # finance decides nothing that waits, and a requester decides nothing
    assert set(sent) == {"x@upt.ro", "rx@upt.ro", "y@upt.ro", "admin@upt.ro"}
    assert sent["x@upt.ro"].data == {"waiting": [in_x["id"]], "day": on.isoformat()}
    assert sent["rx@upt.ro"].data["waiting"] == [in_x["id"]]
    assert sent["y@upt.ro"].data["waiting"] == [in_y["id"]]
    # an administrator decides every tier; soonest event first
    assert sent["admin@upt.ro"].data["waiting"] == [in_y["id"], in_x["id"]]
    for message in sent.values():
        assert message.booking_id is None
        assert message.dedupe_key == f"digest:{on.isoformat()}:{message.recipient_id}"

    assert await run_at(send_daily_digests, ctx, local(on, "07:31")) == 0
    assert await run_at(send_daily_digests, ctx, local(on, "16:00")) == 0
    assert len(await messages(Kind.DIGEST)) == 4
    # the next morning, the next digest
    assert await run_at(send_daily_digests, ctx, local(day(-2), "07:30")) == 4


async def test_no_digest_when_nothing_waits_or_when_turned_off(world, ctx) -> None:
    assert await run_at(send_daily_digests, ctx, local(day(-3), "07:30")) == 0
    await request(world.requester_a, world.room_y)
    await set_preferences(world.approver_y, daily_digest=False)
    await run_at(send_daily_digests, ctx, local(day(-3), "07:35"))
    assert addresses(await messages(Kind.DIGEST)) == ["admin@upt.ro"]


async def test_what_came_after_07_30_waits_for_tomorrow_s_digest(world, ctx) -> None:
    early = await request(world.requester_a, world.room_x)
    late = await request(world.requester_a, world.room_y)
    on = day(-3)
    await BookingRequest.update({BookingRequest.updated_at: local(on, "08:15")}).where(
        BookingRequest.id == late["id"]
    )
    # a worker down until 10:00 writes the digest 07:30 would have had
    await run_at(send_daily_digests, ctx, local(on, "10:00"))
    sent = {m.address: m.data["waiting"] for m in await messages(Kind.DIGEST)}
    assert sent == {
        "x@upt.ro": [early["id"]],
        "rx@upt.ro": [early["id"]],
        "admin@upt.ro": [early["id"]],
    }
    await run_at(send_daily_digests, ctx, local(day(-2), "07:30"))
    tomorrow = [m for m in await messages(Kind.DIGEST) if m.data["day"] == day(-2).isoformat()]
    assert {m.address for m in tomorrow} == {"x@upt.ro", "rx@upt.ro", "y@upt.ro", "admin@upt.ro"}


@pytest.mark.parametrize(
    ("on", "at_utc"),
    [
        (date(2027, 3, 28), datetime(2027, 3, 28, 4, 30, tzinfo=UTC)),  # 07:30 summer time
        (date(2027, 10, 31), datetime(2027, 10, 31, 5, 30, tzinfo=UTC)),  # 07:30 winter time
    ],
)
async def test_the_digest_keeps_07_30_on_the_days_the_clocks_change(world, ctx, on, at_utc) -> None:
    waiting = await request_on(world.requester_a, world.room_y, date(2027, 12, 6))
    await set_preferences(world.admin, daily_digest=False)
    assert await run_at(send_daily_digests, ctx, at_utc - MINUTE) == 0
    assert await run_at(send_daily_digests, ctx, at_utc) == 1
    (sent,) = await messages(Kind.DIGEST)
    assert sent.address == "y@upt.ro"
    assert sent.data == {"waiting": [waiting["id"]], "day": on.isoformat()}


# ── the administrators' weekly summary of failed deliveries ───────────────────────────────


async def _stored(key: str, status: str, created: datetime, failed: datetime | None = None) -> int:
    (due,) = await outbox.add(
        [
            outbox.NewMessage(
                kind=Kind.SUBMITTED.value,
                dedupe_key=key,
                address=f"{key}@upt.ro",
                name="",
                language="ro",
                message_id=f"<{key}@test>",
            )
        ],
        created,
    )
    failed_at = (failed or created) if status == "failed" else None
    await OutboxMessage.update(
        {OutboxMessage.status: status, OutboxMessage.failed_at: failed_at}
    ).where(OutboxMessage.id == due.id)
    return due.id


MONDAY = date(2027, 3, 29)  # the day after the spring change: 08:00 is 05:00 UTC


async def test_administrators_get_the_week_s_failures_from_monday_08_00(world, ctx) -> None:
    monday_8 = datetime(2027, 3, 29, 5, 0, tzinfo=UTC)
    recent = await _stored("recent", "failed", monday_8 - timedelta(days=3))
    await _stored("older", "failed", monday_8 - timedelta(days=8))
    # Written long before, failed this week (the last of its attempts, or once retried).
    late = await _stored(
        "late", "failed", monday_8 - timedelta(days=9), failed=monday_8 - timedelta(days=1)
    )
    await _stored("waiting", "pending", monday_8 - timedelta(days=1))
    await _stored("delivered", "sent", monday_8 - timedelta(days=1))
    second_admin = await _admin(world)

    assert await run_at(send_failed_summaries, ctx, monday_8 - MINUTE) == 0
    assert await run_at(send_failed_summaries, ctx, monday_8) == 2
    sent = await messages(Kind.FAILED_SUMMARY)
    assert addresses(sent) == ["admin2@upt.ro", "admin@upt.ro"]
    since = datetime(2027, 3, 22, 6, 0, tzinfo=UTC).isoformat()  # the Monday before, 08:00
    for message in sent:
        assert message.booking_id is None
        assert message.data == {"since": since, "failed": [recent, late]}
    assert {m.dedupe_key for m in sent} == {
        f"failed-summary:2027-W13:{world.admin.id}",
        f"failed-summary:2027-W13:{second_admin}",
    }
    # later that week, and after a worker was down on Monday: once
    assert await run_at(send_failed_summaries, ctx, monday_8 + timedelta(days=2)) == 0
    assert len(await messages(Kind.FAILED_SUMMARY)) == 2


async def _admin(world: World) -> int:
    user = await make_user("admin2@upt.ro", roles=[("admin", None, None)])
    admin_id: int = user["id"]
    return admin_id


async def test_no_summary_without_failures(world, ctx) -> None:
    await _stored("delivered", "sent", datetime(2027, 3, 28, tzinfo=UTC))
    assert await run_at(send_failed_summaries, ctx, datetime(2027, 3, 29, 6, tzinfo=UTC)) == 0
    assert await messages(Kind.FAILED_SUMMARY) == []


# ── forgetting delivered messages ─────────────────────────────────────────────────────────


async def test_delivered_messages_are_purged_after_90_days(world, ctx) -> None:
    now = datetime(2027, 6, 1, 12, tzinfo=UTC)
    await _stored("sent-old", "sent", now - timedelta(days=91))
    await _stored("discarded-old", "discarded", now - timedelta(days=91))
    kept = [
        await _stored("sent-recent", "sent", now - timedelta(days=89)),
        await _stored("pending-old", "pending", now - timedelta(days=100)),
        await _stored("failed-old", "failed", now - timedelta(days=100)),
    ]
    assert await run_at(purge_outbox, ctx, now) == 2
    assert [m.id for m in await messages()] == kept
    assert await run_at(purge_outbox, ctx, now) == 0


# ── the same jobs on each runner ──────────────────────────────────────────────────────────


async def test_the_in_process_runner_runs_the_scheduled_jobs(world, ctx) -> None:
    await request(world.requester_a, world.room_y)
    ctx["clock"].now = local(day(-1), "09:00")
    async with periodic_jobs(0.01, EVERY_MINUTE, ctx):
        for _ in range(500):
            if await messages(Kind.PENDING_SOON):
                break
            await asyncio.sleep(0.01)
    assert addresses(await messages(Kind.PENDING_SOON)) == ["y@upt.ro"]


async def test_an_arq_worker_runs_the_scheduled_jobs(world, ctx) -> None:
    await request(world.requester_a, world.room_y)
    redis = await create_pool(REDIS)
    try:
        await redis.flushdb()
        job = await redis.enqueue_job("send_daily_digests", _job_id="digest-test")
        assert job is not None

        async def startup(worker_ctx: dict[str, Any]) -> None:
            worker_ctx.update(ctx)
            worker_ctx["clock"].now = local(day(-3), "07:45")

        worker = Worker(
            functions=list(FUNCTIONS.values()),
            redis_pool=redis,
            on_startup=startup,
            burst=True,
            poll_delay=0,
            handle_signals=False,
        )
        await worker.main()
        assert (worker.jobs_complete, worker.jobs_failed) == (1, 0)
        assert await job.result(timeout=5) == 2
        with warnings.catch_warnings():
            # arq 0.28 closes its pool with redis-py's deprecated close(); not ours to fix.
            warnings.simplefilter("ignore", DeprecationWarning)
            await worker.close()
    finally:
        await redis.flushdb()
        await redis.aclose()
    assert addresses(await messages(Kind.DIGEST)) == ["admin@upt.ro", "y@upt.ro"]
