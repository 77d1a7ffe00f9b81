"""The `booking` command as an operator uses it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import run_booking, start_booking_server


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DATABASE_URL": "mysql://localhost/booking"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://127.0.0.1/booking"}, "SECRET_KEY"),
        ({"REDIS_URL": "http://localhost"}, "REDIS_URL"),
        ({"BASE_URL": "rooms.upt.ro"}, "BASE_URL"),
        ({"DEFAULT_TIME_ZONE": "Europe/Timisoara"}, "DEFAULT_TIME_ZONE"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line(tmp_path: Path, env, variable) -> None:
    result = run_booking(env | {"VAR_DIR": str(tmp_path)}, "migrate", check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {variable}:")


def test_seed_is_idempotent(tmp_path: Path) -> None:
    env = {"VAR_DIR": str(tmp_path)}
    first = run_booking(env, "seed")
    # 3 buildings, 14 rooms, 14 organisations, 2 tier chains, 14 rooms' rules, 33 public
    # holidays in 2026 and 2027 (1 June 2026 is two at once) closing 3 buildings, 8 accounts
    assert "demo data: 154 " in first.stdout
    sign_ins = tmp_path / "demo-accounts.txt"
    assert sign_ins.stat().st_mode & 0o777 == 0o600
    lines = sign_ins.read_text().splitlines()
    assert len(lines) == 8
    assert all(len(line.split("\t")[1]) >= 12 for line in lines)
    second = run_booking(env, "seed")
    assert "demo data: 0" in second.stdout
    assert sign_ins.read_text().splitlines() == lines


def test_create_admin_makes_or_promotes_an_administrator(tmp_path: Path) -> None:
    env = {"VAR_DIR": str(tmp_path), "BOOKING_ADMIN_PASSWORD": "a long admin password"}
    made = run_booking(env, "create-admin", "--email", "Sef@UPT.ro", "--name", "Șef")
    assert made.stdout.strip().endswith("administrator sef@upt.ro created")
    again = run_booking(env, "create-admin", "--email", "sef@upt.ro")
    assert again.stdout.strip().endswith("administrator sef@upt.ro updated")
    short = run_booking(
        env | {"BOOKING_ADMIN_PASSWORD": "short"},
        "create-admin",
        "--email",
        "x@upt.ro",
        check=False,
    )
    assert short.returncode != 0
    assert "password: must be at least" in short.stderr


@pytest.mark.slow
def test_serve_on_a_bare_machine_starts_with_demo_rooms_and_api_docs(tmp_path: Path) -> None:
    server, base = start_booking_server({"VAR_DIR": str(tmp_path)})
    try:
        docs = httpx.get(f"{base}/api/schema", timeout=5)
        assert docs.status_code == 200
        assert "swagger" in docs.text.lower()
        rooms = httpx.get(f"{base}/api/rooms", timeout=5).json()
        assert {r["building"]["code"] for r in rooms} == {"CC", "BUPT", "REC"}
        assert (tmp_path / "booking.sqlite3").exists()
    finally:
        server.terminate()
        server.wait(timeout=20)
        if server.stdout:
            server.stdout.close()
