"""When the database stays locked, a write answers 503 with Retry-After and leaves nothing half
done, and a read never fails for the sake of a token's "last used" stamp.

On SQLite another process can hold the write lock for longer than the engine waits for it. Here
another connection holds it, which SQLite cannot tell from another process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
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
    # The engine would wait for the lock for as long as it is held: the read must not wait
    # for the stamp's sake, but give the stamp up and answer.
    monkeypatch.setitem(sqlite_engine.connection_kwargs, "timeout", 3600)
    async with write_lock_held_elsewhere(sqlite_engine):
        read = asyncio.create_task(ana.client.get("/api/auth/me"))
        # Held until the read answers; a read waiting for the lock is let go after half a minute.
        await asyncio.wait({read}, timeout=30)
        answered_while_held = read.done()
    response = await read
    assert answered_while_held, "the read waited for the write lock"
    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == "ana@upt.ro"
    assert await last_used(ana.token) is None  # skipped…
    assert (await ana.client.get("/api/auth/me")).status_code == 200
    assert await last_used(ana.token) is not None  # …and made by the next request


async def _read_with_a_failing_stamp(
    open_client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, error: Exception
) -> list[logging.LogRecord]:
    """Ana reads while her token's stamp is due and cannot be made for `error`: the read
    answers, the stamp was tried once for her token and is not there; returns what was
    logged of it."""
    ana = await person(open_client, "ana@upt.ro")
    (token,) = await ApiToken.select(ApiToken.id).where(ApiToken.token_hash == digest(ana.token))
    tried: list[int] = []

    async def failing(token_id: int, now: Any) -> None:
        tried.append(token_id)
        raise error

    monkeypatch.setattr(accounts, "touch_token", failing)
    with caplog.at_level(logging.INFO, logger="booking.accounts"):
        response = await ana.client.get("/api/auth/me")
    assert response.status_code == 200, response.text
    assert response.json()["user"]["email"] == "ana@upt.ro"
    assert tried == [token["id"]]
    assert await last_used(ana.token) is None
    return [r for r in caplog.records if r.name == "booking.accounts"]


async def test_a_stamp_that_cannot_be_made_does_not_fail_the_read(
    open_client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    busy = DatabaseBusy("the database is busy; try again in a moment")
    (record,) = await _read_with_a_failing_stamp(open_client, monkeypatch, caplog, busy)
    # Expected while the database is busy: said as such, not reported as a failure.
    assert record.levelno == logging.INFO
    assert record.getMessage().endswith("was not recorded: the database is busy")
    assert record.exc_info is None


async def test_a_stamp_that_fails_otherwise_is_reported_and_does_not_fail_the_read(
    open_client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    broken = RuntimeError("the stamp went wrong")
    (record,) = await _read_with_a_failing_stamp(open_client, monkeypatch, caplog, broken)
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert record.exc_info[1] is broken


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


@dataclass
class Ids:
    admin: int
    ana: int
    grant: int
    token: int
    membership: int
    lsac: int


# What each write changes, as (table, row, column) for a changed column, (table, row, "removed")
# for a removed row, and (table, what, "added") for a new row, `what` saying whose it is.
Writes = set[tuple[str, Any, str]]
WRITTEN: dict[str, Callable[[Ids], Writes]] = {
    "make-token": lambda ids: {("api_tokens", (ids.admin, "export script"), "added")},
    "revoke-token": lambda ids: {("api_tokens", ids.token, "revoked_at")},
    "change-preferences": lambda ids: {("users", ids.admin, "display_name")},
    "change-password": lambda ids: {
        ("users", ids.admin, "password_hash"),
        ("users", ids.admin, "sessions_valid_from"),
    },
    "create-user": lambda ids: {("users", "ion@upt.ro", "added")},
    "update-user": lambda ids: {("users", ids.ana, "active")},
    "grant-role": lambda ids: {("role_grants", (ids.ana, "admin"), "added")},
    "revoke-role": lambda ids: {("role_grants", ids.grant, "removed")},
    "add-membership": lambda ids: {("memberships", (ids.ana, ids.lsac), "added")},
    "remove-membership": lambda ids: {("memberships", ids.membership, "removed")},
}
_WHOSE: dict[str, Callable[[dict[str, Any]], Any]] = {
    "users": lambda row: row["email"],
    "api_tokens": lambda row: (row["user"], row["name"]),
    "role_grants": lambda row: (row["user"], row["role"]),
    "memberships": lambda row: (row["user"], row["organisation"]),
}


def written(
    before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]
) -> Writes:
    """What changed from `before` to `after`, in the terms of WRITTEN."""
    found: Writes = set()
    for table, rows in after.items():
        old = {row["id"]: row for row in before[table]}
        new = {row["id"]: row for row in rows}
        found |= {(table, _WHOSE[table](new[id_]), "added") for id_ in new.keys() - old.keys()}
        found |= {(table, id_, "removed") for id_ in old.keys() - new.keys()}
        found |= {
            (table, id_, column)
            for id_ in old.keys() & new.keys()
            for column, value in old[id_].items()
            if new[id_][column] != value
        }
    return found


async def account_write(api, admin, open_client, write: str) -> tuple[str, Ids]:
    """The url of the write, with what it needs made first: Ana, with a membership of OSUT and
    a grant, organisation LSAC, and a spare token of the admin's; and their ids."""
    path = ACCOUNT_WRITES[write][1]
    lsac = await make_organisation(code="LSAC")
    osut = await make_organisation(code="OSUT")
    ana = await person(
        open_client, "ana@upt.ro", organisations=[osut["id"]], roles=[("finance", None, None)]
    )
    (grant,) = await RoleGrant.select(RoleGrant.id).where(RoleGrant.user == ana.id)
    (membership,) = await Membership.select(Membership.id).where(Membership.user == ana.id)
    await make_token(admin.id)
    spare = (
        await ApiToken.select(ApiToken.id)
        .where(ApiToken.user == admin.id)
        .order_by(ApiToken.id, ascending=False)
    )
    assert (await api.get("/api/auth/me")).status_code == 200  # the caller's token is stamped
    url = path.format(ana=ana.id, grant=grant["id"], token=spare[0]["id"])
    return url, Ids(admin.id, ana.id, grant["id"], spare[0]["id"], membership["id"], lsac["id"])


@pytest.mark.sqlite_only
@pytest.mark.parametrize("write", ACCOUNT_WRITES)
async def test_an_account_write_under_a_held_write_lock_answers_503_and_changes_nothing(
    sqlite_engine: SQLiteEngine, api, admin, open_client, write: str
) -> None:
    method, _, body = ACCOUNT_WRITES[write]
    url, ids = await account_write(api, admin, open_client, write)
    before = await account_rows()

    async with write_lock_held_elsewhere(sqlite_engine):
        assert_busy(await api.request(method, url, json=body))

    assert await account_rows() == before
    again = await api.request(method, url, json=body)
    assert again.is_success, again.text
    assert written(before, await account_rows()) == WRITTEN[write](ids)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("write", ACCOUNT_WRITES)
async def test_an_account_write_waits_for_a_write_lock_given_up_in_time(
    sqlite_engine: SQLiteEngine, api, admin, open_client, monkeypatch, write: str
) -> None:
    """A write waits for the write lock as long as the engine's timeout says, and goes
    through once the lock is given up."""
    method, _, body = ACCOUNT_WRITES[write]
    url, ids = await account_write(api, admin, open_client, write)
    before = await account_rows()
    monkeypatch.setitem(sqlite_engine.connection_kwargs, "timeout", 10)
    giving_up = asyncio.Event()

    async def given_up_after_a_moment() -> None:
        async with write_lock_held_elsewhere(sqlite_engine):
            held.set()
            await asyncio.sleep(0.5)
            giving_up.set()

    held = asyncio.Event()
    holder = asyncio.create_task(given_up_after_a_moment())
    await held.wait()
    response = await api.request(method, url, json=body)
    # It went through only once the lock was being given up: it waited for it.
    assert response.is_success, response.text
    assert giving_up.is_set()
    await holder
    assert written(before, await account_rows()) == WRITTEN[write](ids)
