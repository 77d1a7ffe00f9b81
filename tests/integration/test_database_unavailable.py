"""When the database refuses connections, callers are told to try again, not that we broke."""

from __future__ import annotations

import pytest

from booking.db import catalogue


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
        (RuntimeError("a bug"), 500),
    ],
    ids=["too-many-clients", "connection-failure", "refused", "bug"],
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
