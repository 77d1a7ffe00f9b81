"""When the database stays locked, a write answers 503 with Retry-After and leaves nothing half
done, and a read never fails for the sake of a token's "last used" stamp.

On SQLite another process can hold the write lock for longer than the engine waits for it. Here
another connection holds it, which SQLite cannot tell from another process.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator
from typing import Any

import aiosqlite
import httpx
import pytest
from piccolo.engine.sqlite import SQLiteEngine

from booking.accounts.credentials import digest
from booking.db import accounts, catalogue
from booking.db.tables import ApiToken, Membership, RoleGrant, UserAccount
from booking.db.transactions import DatabaseBusy
from tests.factories import PASSWORD, make_organisation, make_token, person

ERROR_SHAPE = {"status", "code", "message", "message_code", "errors"}


@pytest.fixture
def sqlite_engine(app, monkeypatch: pytest.MonkeyPatch) -> SQLiteEngine:
    """The app's engine on SQLite, waiting 0.2 s for the write lock instead of 30 s."""
    engine = app.state.engine
    monkeypatch.setitem(engine.connection_kwargs, "timeout", 0.2)
    return engine


@contextlib.asynccontextmanager
async def write_lock_held_elsewhere(engine: SQLiteEngine) -> AsyncIterator[None]:
    other = await aiosqlite.connect(engine.path, isolation_level=None)
    try:
        await other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        await other.close()  # rolls its transaction back


async def account_rows() -> dict[str, list[dict[str, Any]]]:
    return {
        table._meta.tablename: await table.select().order_by(table.id)
        for table in (UserAccount, ApiToken, RoleGrant, Membership)
    }


async def last_used(token: str) -> Any:
    row = await ApiToken.select(ApiToken.last_used_at).where(ApiToken.token_hash == digest(token))
    return row[0]["last_used_at"]


def assert_busy(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "1"
    body = response.json()
    assert set(body) == ERROR_SHAPE
    assert body["status"] == 503
    assert body["code"] == "busy"


@pytest.mark.sqlite_only
async def test_a_read_whose_token_stamp_is_due_answers_while_the_write_lock_is_held(
    sqlite_engine: SQLiteEngine, open_client, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = await person(open_client, "ana@upt.ro")
    assert await last_used(ana.token) is None  # never used: the stamp is due
    # The read must not sit out the engine's whole wait for a stamp either.
    monkeypatch.setitem(sqlite_engine.connection_kwargs, "timeout", 5)
    async with write_lock_held_elsewhere(sqlite_engine):
        started = time.monotonic()
        response = await ana.client.get("/api/auth/me")
        waited = time.monotonic() - started
        assert response.status_code == 200, response.text
        assert response.json()["user"]["email"] == "ana@upt.ro"
    assert waited < 2.5
    assert await last_used(ana.token) is None  # skipped…
    assert (await ana.client.get("/api/auth/me")).status_code == 200
    assert await last_used(ana.token) is not None  # …and made by the next request


async def test_a_stamp_that_cannot_be_made_does_not_fail_the_read(
    open_client, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = await person(open_client, "ana@upt.ro")

    async def busy(token_id: int, now: Any) -> None:
        raise DatabaseBusy("the database is busy; try again in a moment")

    monkeypatch.setattr(accounts, "touch_token", busy)
    response = await ana.client.get("/api/auth/me")
    assert response.status_code == 200, response.text


async def test_a_locked_database_anywhere_answers_503_with_retry_after(
    api, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def locked() -> list[Any]:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(catalogue, "buildings", locked)
    assert_busy(await api.get("/api/buildings"))


# Each write of accounts, as (method, path, body); {ana}, {grant} and {token} are filled in.
ACCOUNT_WRITES = {
    "make-token": ("POST", "/api/auth/tokens", {"name": "export script"}),
    "revoke-token": ("DELETE", "/api/auth/tokens/{token}", None),
    "change-preferences": ("PATCH", "/api/auth/me", {"display_name": "Administratorul"}),
    "change-password": (
        "POST",
        "/api/auth/password",
        {"current_password": PASSWORD, "new_password": "a brand new password"},
    ),
    "create-user": ("POST", "/api/users", {"email": "ion@upt.ro", "display_name": "Ion"}),
    "update-user": ("PATCH", "/api/users/{ana}", {"active": False}),
    "grant-role": ("POST", "/api/users/{ana}/roles", {"role": "admin"}),
    "revoke-role": ("DELETE", "/api/users/{ana}/roles/{grant}", None),
    "add-membership": ("POST", "/api/users/{ana}/memberships", {"organisation": "LSAC"}),
    "remove-membership": ("DELETE", "/api/users/{ana}/memberships/OSUT", None),
}


async def account_write_url(api, admin, open_client, path: str) -> str:
    """`path` of ACCOUNT_WRITES filled in, with what its write needs made first: Ana, with a
    membership of OSUT and a grant, organisation LSAC, and a spare token of the admin's."""
    await make_organisation(code="LSAC")
    osut = await make_organisation(code="OSUT")
    ana = await person(
        open_client, "ana@upt.ro", organisations=[osut["id"]], roles=[("finance", None, None)]
    )
    (grant,) = await RoleGrant.select(RoleGrant.id).where(RoleGrant.user == ana.id)
    await make_token(admin.id)
    spare = (
        await ApiToken.select(ApiToken.id)
        .where(ApiToken.user == admin.id)
        .order_by(ApiToken.id, ascending=False)
    )
    assert (await api.get("/api/auth/me")).status_code == 200  # the caller's token is stamped
    return path.format(ana=ana.id, grant=grant["id"], token=spare[0]["id"])


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("method", "path", "body"), ACCOUNT_WRITES.values(), ids=ACCOUNT_WRITES)
async def test_an_account_write_under_a_held_write_lock_answers_503_and_changes_nothing(
    sqlite_engine: SQLiteEngine, api, admin, open_client, method, path, body
) -> None:
    url = await account_write_url(api, admin, open_client, path)
    before = await account_rows()

    async with write_lock_held_elsewhere(sqlite_engine):
        assert_busy(await api.request(method, url, json=body))

    assert await account_rows() == before
    again = await api.request(method, url, json=body)
    assert again.is_success, again.text
    assert await account_rows() != before


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("method", "path", "body"), ACCOUNT_WRITES.values(), ids=ACCOUNT_WRITES)
async def test_an_account_write_waits_for_a_write_lock_given_up_in_time(
    sqlite_engine: SQLiteEngine, api, admin, open_client, monkeypatch, method, path, body
) -> None:
    """A write waits for the write lock as long as the engine's timeout says, and goes
    through once the lock is given up."""
    url = await account_write_url(api, admin, open_client, path)
    before = await account_rows()
    monkeypatch.setitem(sqlite_engine.connection_kwargs, "timeout", 10)

    async def given_up_after_a_moment() -> None:
        async with write_lock_held_elsewhere(sqlite_engine):
            held.set()
            await asyncio.sleep(0.5)

    held = asyncio.Event()
    holder = asyncio.create_task(given_up_after_a_moment())
    await held.wait()
    started = time.monotonic()
    response = await api.request(method, url, json=body)
    waited = time.monotonic() - started
    await holder
    assert response.is_success, response.text
    assert waited >= 0.3
    assert await account_rows() != before
