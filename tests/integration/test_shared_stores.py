"""With REDIS_URL set, sessions and login throttles live in Redis: every web process sees the
same ones. Two app instances stand for two processes here."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
import redis.asyncio as redis
from litestar import Litestar

from booking.accounts.sessions import COOKIE
from booking.accounts.stores import SESSIONS, THROTTLE
from booking.accounts.throttle import ACCOUNT_LIMIT
from booking.app import create_app
from booking.db.engine import bind_tables
from booking.settings import Settings
from tests.factories import PASSWORD, make_user

# A database of its own, so the tests never meet another user of this Redis.
REDIS_URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
async def two_processes(
    app: Litestar, settings: Settings, empty: None
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    shared = dataclasses.replace(settings, redis_url=REDIS_URL)
    apps = []
    for _ in range(2):
        instance = create_app(shared)
        # Both instances use the test's open engine, as two processes share one database.
        instance.state.engine = app.state.engine
        apps.append(instance)
    bind_tables(app.state.engine)
    for name in (SESSIONS, THROTTLE):
        await apps[0].stores.get(name).delete_all()
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://testserver")
        for a in apps
    ]
    try:
        yield clients[0], clients[1]
    finally:
        for client in clients:
            await client.aclose()
        for instance in apps:
            for name in (SESSIONS, THROTTLE):
                await instance.stores.get(name).delete_all()
            root = instance.stores.get(SESSIONS)._redis  # type: ignore[attr-defined]
            await root.aclose(close_connection_pool=True)


async def test_a_session_started_on_one_process_works_on_the_other(two_processes) -> None:
    first, second = two_processes
    await make_user("ana@upt.ro")
    signed = await first.post("/api/auth/login", json={"email": "ana@upt.ro", "password": PASSWORD})
    assert signed.status_code == 200
    second.cookies.set(COOKIE, first.cookies[COOKIE])
    me = await second.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["user"]["email"] == "ana@upt.ro"
    csrf = signed.json()["csrf_token"]
    assert (
        await second.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    ).status_code == 204
    assert (await first.get("/api/auth/me")).status_code == 401


async def test_failed_sign_ins_count_across_processes(two_processes) -> None:
    first, second = two_processes
    await make_user("ana@upt.ro")
    wrong = {"email": "ana@upt.ro", "password": "not the password"}
    for n in range(ACCOUNT_LIMIT):
        client = first if n % 2 else second
        assert (await client.post("/api/auth/login", json=wrong)).status_code == 401
    right = {"email": "ana@upt.ro", "password": PASSWORD}
    assert (await first.post("/api/auth/login", json=right)).status_code == 429
    assert (await second.post("/api/auth/login", json=right)).status_code == 429


async def test_the_stores_are_really_in_redis(two_processes) -> None:
    first, _ = two_processes
    await make_user("ana@upt.ro")
    await first.post("/api/auth/login", json={"email": "ana@upt.ro", "password": PASSWORD})
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match="booking_sessions:*")]
    finally:
        await client.aclose()
    assert keys


async def test_session_cookies_are_secure_behind_https(app, settings, empty) -> None:
    https = create_app(dataclasses.replace(settings, base_url="https://rooms.upt.ro"))
    https.state.engine = app.state.engine
    bind_tables(app.state.engine)
    await make_user("ana@upt.ro")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=https), base_url="https://rooms.upt.ro"
    ) as client:
        signed = await client.post(
            "/api/auth/login", json={"email": "ana@upt.ro", "password": PASSWORD}
        )
    assert signed.status_code == 200
    cookie = signed.headers["set-cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
