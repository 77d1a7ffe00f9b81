"""When the database refuses connections, callers are told to try again, not that we broke."""

from __future__ import annotations

import pytest
from asyncpg.exceptions import (
    ConnectionDoesNotExistError,
    InterfaceError,
    InternalClientError,
)

from booking.db import catalogue
from booking.db.connection_loss import ConnectionLost


class _Refused(Exception):
    def __init__(self, state: str) -> None:
        super().__init__("refused")
        self.sqlstate = state


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (_Refused("53300"), 503),  # too many clients already
        (_Refused("08006"), 503),  # connection failure
        (ConnectionRefusedError("refused"), 503),
        (ConnectionResetError("reset by peer"), 503),
        (ConnectionDoesNotExistError("connection was closed in the middle of operation"), 503),
        (InterfaceError("cannot perform operation: connection is closed"), 503),
        (ConnectionLost(InternalClientError("cannot switch to state 12")), 503),
        (RuntimeError("a bug"), 500),
        # One connection used by two tasks at once: a bug, not a database gone.
        (InterfaceError("cannot perform operation: another operation is in progress"), 500),
        # Only the database layer, which sees whether the connection closed, calls this lost.
        (
            InternalClientError("cannot switch to state 12; another operation (2) is in progress"),
            500,
        ),
    ],
    ids=[
        "too-many-clients",
        "connection-failure",
        "refused",
        "reset",
        "lost-in-flight",
        "closed",
        "lost",
        "bug",
        "connection-shared",
        "protocol-state",
    ],
)
async def test_an_unavailable_database_answers_503(api, monkeypatch, error, status) -> None:
    async def failing() -> list:
        raise error

    monkeypatch.setattr(catalogue, "buildings", failing)
    response = await api.get("/api/buildings")
    assert response.status_code == status
    body = response.json()
    assert set(body) >= {"status", "code", "message", "errors"}
    if status == 503:
        assert response.headers["Retry-After"] == "2"
        assert body["code"] == "unavailable"
