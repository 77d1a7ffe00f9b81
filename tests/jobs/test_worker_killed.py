"""A real `booking worker` killed in the middle of a batch loses nothing: after a restart every
message is delivered, and the only one that may go twice is the one in flight at the kill, with
its Message-ID unchanged."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from arq import create_pool
from arq.connections import RedisSettings

from booking.core.notifications import Kind
from booking.db import outbox
from booking.db.tables import OutboxMessage
from booking.db.transactions import in_writing_transaction
from tests.conftest import ROOT, _child_environment, environment_of
from tests.integration.world import make_world, request
from tests.jobs.runners import REDIS_URL, outbox_statuses
from tests.mail_server import MailServer, Sink, mail_server

MESSAGES = 40


class SlowSink(Sink):
    """Takes a tenth of a second over each message, so that a kill finds a batch under way."""

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        await asyncio.sleep(0.1)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
async def server() -> AsyncIterator[MailServer]:
    async with mail_server(sink=SlowSink()) as found:
        yield found


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "booking", "worker"],
            env=_child_environment(env),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def _wait_for(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        await asyncio.sleep(0.05)


async def test_a_worker_killed_mid_batch_loses_nothing(
    settings, app, open_client, admin, server: MailServer, tmp_path: Path
) -> None:
    world = await make_world(open_client, admin)
    asked = await request(world.requester_a, world.room_y)
    now = datetime.now(UTC)
    batch = [
        outbox.NewMessage(
            kind=Kind.SUBMITTED.value,
            dedupe_key=f"test:{n}",
            address=f"person{n}@upt.ro",
            name=f"Person {n}",
            language="ro",
            message_id=f"<test-{n}-{os.getpid()}@upt.ro>",
            booking_id=asked["id"],
        )
        for n in range(MESSAGES)
    ]
    await in_writing_transaction(app.state.engine, lambda: outbox.add(batch, now))
    redis = await create_pool(RedisSettings.from_dsn(REDIS_URL))
    await redis.flushdb()
    env = environment_of(settings) | {
        "REDIS_URL": REDIS_URL,
        "SMTP_HOST": server.host,
        "BASE_URL": "https://rooms.upt.ro",
        "SMTP_PORT": str(server.port),
        "SMTP_SECURITY": "none",
    }
    log = tmp_path / "worker.log"
    worker = _start_worker(env, log)
    try:
        # The request's own three messages and the batch: kill once a dozen are through.
        await _wait_for(lambda: _at_least(server, 12), 60, "a dozen messages")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        taken_at_kill = len(server.sink.messages)
        statuses = await outbox_statuses()
        assert statuses["sent"] < MESSAGES + 3, statuses  # the kill came mid-batch
        assert statuses["sending"] >= 1, statuses  # some held by the dead worker

        # Time passes, here at once: the leases of the messages the dead worker held run out
        # (five minutes), and so do arq's marks of the jobs it was running (the job's timeout),
        # so that arq runs them again. A new worker takes over.
        await OutboxMessage.update(
            {OutboxMessage.lease_until: datetime.now(UTC) - timedelta(seconds=1)}
        ).where(OutboxMessage.status == "sending")
        for key in await redis.keys("arq:in-progress:*"):
            await redis.delete(key)
        worker = _start_worker(env, log)

        async def all_sent() -> bool:
            return (await outbox_statuses()) == {"sent": MESSAGES + 3}

        try:
            await _wait_for(all_sent, 90, "every message sent")
        except AssertionError:
            raise AssertionError((await outbox_statuses(), log.read_text()[-4000:])) from None
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        await redis.flushdb()
        await redis.aclose()

    sent = await outbox.listed([], None, 1000, 0)
    counted = Counter(str(m["Message-ID"]) for m in server.sink.messages)
    assert set(counted) == {m.message_id for m in sent}, log.read_text()[-3000:]
    twice = [mid for mid, n in counted.items() if n > 1]
    assert len(twice) <= 1, (twice, taken_at_kill)
    assert all(n <= 2 for n in counted.values())
    assert _recipients(server.sink.messages) >= {f"person{n}@upt.ro" for n in range(MESSAGES)}


async def _at_least(server: MailServer, count: int) -> bool:
    return len(server.sink.messages) >= count


def _recipients(messages: list[EmailMessage]) -> set[str]:
    return {str(m["To"].addresses[0].addr_spec) for m in messages}
