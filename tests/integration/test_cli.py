"""The `booking` command as an operator uses it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, run_booking


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
    # 3 buildings, 14 rooms, 14 organisations, 2 tier chains, 8 accounts
    assert "demo data: 41" in first.stdout
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_on_a_bare_machine_starts_with_demo_rooms_and_api_docs(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        k: v
        for k, v in __import__("os").environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "booking", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env | {"VAR_DIR": str(tmp_path)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                docs = httpx.get(f"{base}/api/schema", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError("the service did not start") from None
                time.sleep(0.2)
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
