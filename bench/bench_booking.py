"""Benchmark on PostgreSQL: the free-room query and create-booking throughput.

Loads ROOMS rooms and OCCURRENCES occurrences into a fresh database, starts `booking serve`
against it and measures, through the HTTP API:

- the latency of "rooms free between X and Y with capacity >= N" (sequential requests), over
  one keep-alive connection, then on a new connection per request with and without equipment
  filters, beside the stack's floor measured the same way in the same run;
- create-booking throughput with CLIENTS concurrent clients, beside the rate of raw asyncpg
  single-row inserts into the same occurrences table with the same exclusion constraint,
  measured in the same run; then checks that no two approved occurrences overlap.

Prints medians and writes docs/benchmarks.md. Usage:

    .venv/bin/python bench/bench_booking.py [--occurrences 200000] [--clients 32]

`--only-search` measures the search alone and writes nothing (for iterating on it).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import asyncpg
import httpx
from new_connections import SLOW_MS, Tail, new_connection_latencies

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
SECRET = "benchmark-secret-key-0123456789-abcdefghij"
SLOT = timedelta(hours=3)
# The load generator signs in as a staff member with a personal API token, as a script would.
BENCH_TOKEN = "upt_benchmark-" + uuid.uuid4().hex


class KeepAliveClient:
    """One keep-alive HTTP/1.1 connection, one request at a time.

    The load generator shares the machine with the server, so it must cost next to nothing:
    httpx spends more CPU per request than the server does. Requests are pre-encoded and
    answers are read by Content-Length, which is all this server sends.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.token = BENCH_TOKEN
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> KeepAliveClient:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()

    def encode(self, method: str, target: str, body: bytes = b"") -> bytes:
        head = (
            f"{method} {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {self.token}\r\n"
        )
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        return head.encode() + b"\r\n" + body

    async def send(self, request: bytes) -> tuple[int, bytes]:
        assert self.reader is not None
        assert self.writer is not None
        self.writer.write(request)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of these processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [pid, *(int(p) for p in children.stdout.split())]


def postgres_processes() -> list[int]:
    found = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True)
    return [int(p) for p in found.stdout.split()]


def database_url(name: str) -> str:
    return urlunsplit(urlsplit(ADMIN_URL)._replace(path=f"/{name}"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def load(url: str, rooms: int, occurrences: int, base: datetime) -> None:
    """Rooms in three buildings; each room busy 2 hours of every 3, from `base` onwards."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO buildings (code, name, name_en, zone, address, is_demo) VALUES "
            "('CC','Centrul de Conferințe','Conference Centre','Europe/Bucharest','',false),"
            "('BUPT','Biblioteca UPT','UPT Library','Europe/Bucharest','',false),"
            "('REC','Rectorat','Rectorate','Europe/Bucharest','',false)"
        )
        capacities = [10, 20, 30, 40, 60, 80, 120, 150, 200, 400]
        await conn.executemany(
            "INSERT INTO rooms (building, code, name, capacity, equipment, setup_minutes,"
            " teardown_minutes, instant_book, active, description, is_demo)"
            " VALUES ($1, $2, $3, $4, $5, 0, 15, true, true, '', false)",
            [
                (
                    i % 3 + 1,
                    f"ROOM-{i:03d}",
                    f"Sala {i}",
                    capacities[i % len(capacities)],
                    '["projector"]',
                )
                for i in range(rooms)
            ],
        )
        await conn.execute(
            "INSERT INTO bookings (title, description, organiser_name, contact_email,"
            " contact_phone, expected_attendance, is_public, status, version, created_at,"
            " updated_at) SELECT 'Eveniment ' || g, '', 'Organizator', 'org@upt.ro', '', 10,"
            " g % 2 = 0, CASE WHEN g % 20 = 0 THEN 'cancelled' WHEN g % 20 = 1 THEN 'pending'"
            " ELSE 'approved' END, 1, now(), now() FROM generate_series(1, $1::int) AS g",
            occurrences,
        )
        await conn.execute(
            "INSERT INTO occurrences (booking, room, starts_at, ends_at, blocked_from,"
            " blocked_until, status)"
            " SELECT b.id, (b.id - 1) % $1::int + 1, s.t, s.t + interval '2 hours', s.t,"
            " s.t + interval '2 hours 15 minutes', b.status"
            " FROM bookings b, LATERAL (SELECT $2::timestamptz"
            "   + ((b.id - 1) / $1::int) * interval '3 hours' AS t) s",
            rooms,
            base,
        )
        user_id = await conn.fetchval(
            "INSERT INTO users (email, display_name, language, password_hash, active, created_at,"
            " is_demo) VALUES ('bench@upt.ro', 'Benchmark', 'en', '', true, now(), false)"
            " RETURNING id"
        )
        await conn.execute(
            'INSERT INTO role_grants ("user", role, building, room, team)'
            " VALUES ($1, 'admin', NULL, NULL, '')",
            user_id,
        )
        await conn.execute(
            'INSERT INTO api_tokens ("user", name, token_hash, prefix, created_at)'
            " VALUES ($1, 'bench', $2, 'upt_bench', now())",
            user_id,
            hashlib.sha256(BENCH_TOKEN.encode()).hexdigest(),
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "DATABASE_POOL_SIZE": "20",
        "VAR_DIR": str(ROOT / "var" / "bench"),
    }
    command = ["-m", "booking", "serve", "--port", str(port), "--workers", str(workers)]
    return serve([*command, "--no-access-log"], env, port)


def start_floor_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """The floor of the stack (bench/floor_app.py), served by uvicorn as `booking serve` is."""
    command = ["-m", "uvicorn", "--app-dir", str(ROOT / "bench"), "floor_app:app"]
    command += ["--port", str(port), "--workers", str(workers), "--no-access-log"]
    return serve(command, os.environ | {"FLOOR_DATABASE_URL": url}, port)


def serve(arguments: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """Starts a server process and waits until it answers HTTP on the port."""
    server = subprocess.Popen(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/buildings", timeout=2)
            return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server on port {port} did not start")


async def free_room_latency(
    port: int, loaded_from: datetime, span_days: int, samples: int
) -> list[float]:
    rng = random.Random(7)
    timings = []
    async with KeepAliveClient("127.0.0.1", port) as client:
        for i in range(samples + 50):
            start = loaded_from + timedelta(minutes=15 * rng.randrange(span_days * 96))
            end = start + timedelta(minutes=15 * rng.randint(4, 12))
            query = urlencode(
                {
                    "free_start": start.isoformat(),
                    "free_end": end.isoformat(),
                    "min_capacity": rng.choice([10, 50, 100]),
                }
            )
            request = client.encode("GET", f"/api/rooms?{query}")
            began = time.perf_counter()
            status, body = await client.send(request)
            elapsed = time.perf_counter() - began
            assert status == 200, body
            if i >= 50:  # the first ones warm the connection pools up
                timings.append(elapsed * 1000)
    return timings


# The searches measured on new connections, by the query parameters they add to the window
# and the capacity. Every benchmark room has a projector and none has wheelchair access.
SEARCH_KINDS: dict[str, tuple[tuple[str, str], ...]] = {
    "capacity": (),
    "equipment=projector": (("equipment", "projector"),),
    "equipment=wheelchair_access": (("equipment", "wheelchair_access"),),
    "equipment=wheelchair_access&equipment=projector": (
        ("equipment", "wheelchair_access"),
        ("equipment", "projector"),
    ),
}
# The sides measured with the same requests, a chunk each in turn, so that whatever else the
# machine does at a moment falls on all of them alike.
SIDES = ("service", "read", "fixed answer")
CHUNK = 25

SearchTails = dict[str, dict[str, Tail]]


def search_queries(loaded_from: datetime, span_days: int, samples: int) -> list[tuple[str, str]]:
    """`samples` searches of every kind, shuffled, as (kind, query string)."""
    rng = random.Random(11)
    queries = []
    for kind, extra in SEARCH_KINDS.items():
        for _ in range(samples):
            start = loaded_from + timedelta(minutes=15 * rng.randrange(span_days * 96))
            end = start + timedelta(minutes=15 * rng.randint(4, 12))
            query = [
                ("free_start", start.isoformat()),
                ("free_end", end.isoformat()),
                ("min_capacity", str(rng.choice([10, 50, 100]))),
                *extra,
            ]
            queries.append((kind, urlencode(query)))
    rng.shuffle(queries)
    return queries


async def search_on_new_connections(
    port: int, floor_port: int, loaded_from: datetime, span_days: int, samples: int
) -> SearchTails:
    """Every search on a new connection to the service, to the floor's read and to its fixed
    answer; the servers are fresh, so every web process meets every kind for a first time."""
    queries = search_queries(loaded_from, span_days, samples)
    headers = {"Authorization": f"Bearer {BENCH_TOKEN}"}
    paths = {"service": (port, "/api/rooms"), "read": (floor_port, "/api/rooms")}
    paths["fixed answer"] = (floor_port, "/api/fixed")
    timings: dict[str, dict[str, list[float]]] = {
        side: {kind: [] for kind in SEARCH_KINDS} for side in SIDES
    }
    for first in range(0, len(queries), CHUNK):
        chunk = queries[first : first + CHUNK]
        for side in SIDES:
            side_port, path = paths[side]
            targets = [f"{path}?{query}" for _, query in chunk]
            answers = await new_connection_latencies(side_port, targets, headers=headers)
            for (kind, _), elapsed in zip(chunk, answers, strict=True):
                timings[side][kind].append(elapsed)
    tails = {
        side: {kind: Tail.of(values) for kind, values in by_kind.items()}
        for side, by_kind in timings.items()
    }
    for side, by_kind in timings.items():
        tails[side]["all"] = Tail.of([t for values in by_kind.values() for t in values])
    return tails


def print_search_tails(tails: SearchTails) -> None:
    fixed = tails["fixed answer"]["all"].p50
    for kind in ("all", *SEARCH_KINDS):
        service = tails["service"][kind]
        print(
            f"new connections, {kind}: {service}; p50 {service.p50 / fixed:.1f}x and p95"
            f" {service.p95 / fixed:.1f}x the fixed answer's p50;"
            f" p95 {service.p95 / service.p50:.2f}x its own p50"
        )
    for side in SIDES[1:]:
        print(f"new connections, the floor's {side}: {tails[side]['all']}")


async def create_throughput(
    port: int, room_ids: list[int], region: datetime, clients: int, requests: int, round_no: int
) -> tuple[float, int, int]:
    """Requests per second; 1 in 10 asks again for a slot already asked for (a conflict)."""
    rng = random.Random(round_no)
    bodies = []
    for k in range(requests):
        n = k if k % 10 or k == 0 else rng.randrange(k)
        room = room_ids[n % len(room_ids)]
        start = region + (n // len(room_ids)) * SLOT
        bodies.append(
            json.dumps(
                {
                    "title": f"Bench {round_no}-{k}",
                    "rooms": [room],
                    "start": start.isoformat(),
                    "end": (start + timedelta(hours=1)).isoformat(),
                    "expected_attendance": 5,
                    "organiser_name": "Bench",
                    "contact_email": "bench@upt.ro",
                }
            ).encode()
        )
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    statuses: list[int] = []

    async def worker() -> None:
        async with KeepAliveClient("127.0.0.1", port) as client:
            await ready.wait()
            while not queue.empty():
                body = queue.get_nowait()
                status, _ = await client.send(client.encode("POST", "/api/bookings", body))
                statuses.append(status)

    ready = asyncio.Event()
    workers = [asyncio.create_task(worker()) for _ in range(clients)]
    await asyncio.sleep(0.2)  # let every client connect before the clock starts
    for body in bodies:
        queue.put_nowait(body)
    began = time.perf_counter()
    ready.set()
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - began
    unexpected = [s for s in statuses if s not in (201, 409)]
    assert not unexpected, f"unexpected statuses: {sorted(set(unexpected))}"
    return len(statuses) / elapsed, statuses.count(201), statuses.count(409)


async def read_throughput(port: int, clients: int, requests: int) -> float:
    """Requests per second of the lightest authenticated request there is: the building list
    (the token with its roles, then the buildings). A ceiling for any request of this server."""
    queue: asyncio.Queue[None] = asyncio.Queue()
    for _ in range(requests):
        queue.put_nowait(None)
    statuses: list[int] = []

    async def worker() -> None:
        async with KeepAliveClient("127.0.0.1", port) as client:
            request = client.encode("GET", "/api/buildings")
            while not queue.empty():
                queue.get_nowait()
                status, _ = await client.send(request)
                statuses.append(status)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - began
    assert set(statuses) == {200}, sorted(set(statuses))
    return requests / elapsed


async def raw_insert_rate(
    url: str, room_ids: list[int], region: datetime, clients: int, requests: int
) -> tuple[float, float]:
    """Single-row autocommit inserts of approved occurrences with asyncpg, no conflicts.

    Returns inserts per second and PostgreSQL CPU milliseconds per insert.
    """
    connections = [await asyncpg.connect(url) for _ in range(clients)]
    try:
        booking_id = await connections[0].fetchval("SELECT min(id) FROM bookings")
        queue: asyncio.Queue[tuple[int, datetime]] = asyncio.Queue()
        for k in range(requests):
            queue.put_nowait((room_ids[k % len(room_ids)], region + (k // len(room_ids)) * SLOT))

        async def worker(conn: asyncpg.Connection) -> None:
            while not queue.empty():
                room, start = queue.get_nowait()
                await conn.execute(
                    "INSERT INTO occurrences (booking, room, starts_at, ends_at, blocked_from,"
                    " blocked_until, status) VALUES ($1, $2, $3, $4, $3, $5, 'approved')",
                    booking_id,
                    room,
                    start,
                    start + timedelta(hours=1),
                    start + timedelta(hours=1, minutes=15),
                )

        # Every postgres process, the raw connections' own backends included.
        pids = postgres_processes()
        cpu_before = cpu_seconds(pids)
        began = time.perf_counter()
        await asyncio.gather(*(worker(conn) for conn in connections))
        rate = requests / (time.perf_counter() - began)
        return rate, (cpu_seconds(pids) - cpu_before) * 1000 / requests
    finally:
        for conn in connections:
            await conn.close()


async def double_bookings(url: str) -> int:
    """Approved occurrences that overlap an earlier approved one in the same room.

    One sorted pass per room: an occurrence overlaps an earlier one exactly when it starts
    before the latest end among those that started before it. A self-join does the same in
    minutes, not seconds, on the loaded table.
    """
    conn = await asyncpg.connect(url)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM (SELECT blocked_from, max(blocked_until) OVER (PARTITION"
                " BY room ORDER BY blocked_from, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1"
                " PRECEDING) AS earlier_end FROM occurrences WHERE status = 'approved') o"
                " WHERE blocked_from < earlier_end"
            )
        )
    finally:
        await conn.close()


@asynccontextmanager
async def migrated_database() -> AsyncIterator[str]:
    """A database of its own on the benchmark's PostgreSQL, migrated by `booking migrate`, and
    dropped afterwards; yields its URL."""
    name = f"booking_bench_{uuid.uuid4().hex[:8]}"
    url = database_url(name)
    admin = await asyncpg.connect(ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": SECRET}
        await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "booking", "migrate"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=40)
    parser.add_argument("--occurrences", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=3000, help="creates per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=500, help="free-room queries")
    parser.add_argument("--workers", type=int, default=2, help="web processes")
    parser.add_argument(
        "--new-connection-samples",
        type=int,
        default=400,
        help="free-room searches of each kind on new connections",
    )
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument(
        "--only-search", action="store_true", help="measure the search alone, write nothing"
    )
    args = parser.parse_args()

    async with migrated_database() as url:
        server = floor = None
        try:
            now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
            loaded_from = now - timedelta(days=300)
            began = time.perf_counter()
            await load(url, args.rooms, args.occurrences, loaded_from)
            load_seconds = time.perf_counter() - began
            loaded_days = args.occurrences // args.rooms * 3 // 24
            print(
                f"loaded {args.rooms} rooms, {args.occurrences} occurrences over {loaded_days} days"
                f" in {load_seconds:.1f} s"
            )

            port = free_port()
            server = await asyncio.to_thread(start_server, url, port, args.workers)
            floor_port = free_port()
            floor = await asyncio.to_thread(start_floor_server, url, floor_port, args.workers)
            # First, while every web process is fresh.
            tails = await search_on_new_connections(
                port, floor_port, now, loaded_days - 300, args.new_connection_samples
            )
            print_search_tails(tails)
            latencies = await free_room_latency(port, now, loaded_days - 300, args.samples)
            p50, p90, p99 = (percentile(latencies, f) for f in (0.5, 0.9, 0.99))
            # The same requests to the floor's read: one indexed select behind the same stack.
            floor_p50 = percentile(
                await free_room_latency(floor_port, now, loaded_days - 300, args.samples), 0.5
            )
            print(
                f"free rooms query: p50 {p50:.2f} ms, p90 {p90:.2f} ms, p99 {p99:.2f} ms"
                f" ({len(latencies)} requests); the stack's floor p50 {floor_p50:.2f} ms,"
                f" so {p50 / floor_p50:.2f} times the floor"
            )
            if args.only_search:
                return

            room_ids = list(range(1, args.rooms + 1))
            rates: dict[str, list[float]] = {"api": [], "floor": [], "raw": [], "read": []}
            server_cpu, api_pg_cpu, raw_pg_cpu = [], [], []
            created = conflicts = 0
            server_pids = process_tree(server.pid)
            for round_no in range(args.rounds):
                # Regions far beyond the loaded data, a fresh one for every round and every side.
                api_region = now + timedelta(days=1000 + 400 * round_no)
                floor_region = now + timedelta(days=2000 + 400 * round_no)
                raw_region = now + timedelta(days=3000 + 400 * round_no)
                before = cpu_seconds(server_pids), cpu_seconds(postgres_processes())
                rate, ok, refused = await create_throughput(
                    port, room_ids, api_region, args.clients, args.requests, round_no
                )
                server_cpu.append((cpu_seconds(server_pids) - before[0]) * 1000 / args.requests)
                api_pg_cpu.append(
                    (cpu_seconds(postgres_processes()) - before[1]) * 1000 / args.requests
                )
                raw, raw_cpu = await raw_insert_rate(
                    url, room_ids, raw_region, args.clients, args.requests
                )
                raw_pg_cpu.append(raw_cpu)
                floor_rate, _, _ = await create_throughput(
                    floor_port, room_ids, floor_region, args.clients, args.requests, round_no
                )
                rates["api"].append(rate)
                rates["floor"].append(floor_rate)
                rates["raw"].append(raw)
                rates["read"].append(await read_throughput(port, args.clients, args.requests))
                created += ok
                conflicts += refused
                print(
                    f"round {round_no + 1}: API {rate:.0f} creates/s ({ok} created, {refused}"
                    f" refused as conflicts); the stack's floor {floor_rate:.0f} creates/s; raw"
                    f" asyncpg {raw:.0f} inserts/s; lightest authenticated read"
                    f" {rates['read'][-1]:.0f}/s"
                )
            api_median, raw_median = (
                statistics.median(rates["api"]),
                statistics.median(rates["raw"]),
            )
            cpu = (
                statistics.median(server_cpu),
                statistics.median(api_pg_cpu),
                statistics.median(raw_pg_cpu),
            )
            print(
                f"CPU per create: web {cpu[0]:.2f} ms + PostgreSQL {cpu[1]:.2f} ms;"
                f" per raw insert: PostgreSQL {cpu[2]:.2f} ms"
            )
            overlaps = await double_bookings(url)
            print(
                f"create throughput: median {api_median:.0f}/s through the API, {raw_median:.0f}/s"
                f" raw asyncpg; median of the rounds' ratios"
                f" {100 * same_round_ratio(rates['api'], rates['raw']):.0f}%, the stack's floor's"
                f" {100 * same_round_ratio(rates['floor'], rates['raw']):.0f}%; the API at"
                f" {100 * same_round_ratio(rates['api'], rates['floor']):.0f}% of the floor;"
                f" double bookings: {overlaps}"
            )
            if not args.no_write:
                write_report(
                    cpu,
                    args,
                    load_seconds,
                    (p50, p90, p99, floor_p50),
                    tails,
                    rates,
                    created,
                    conflicts,
                    overlaps,
                )
        finally:
            for process in (server, floor):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=30)


def search_tail_report(tails: SearchTails, samples: int) -> list[str]:
    """The searches on new connections, and where their tail came from."""
    fixed = tails["fixed answer"]["all"].p50
    lines = [
        "## The same search on new connections: its tail",
        "",
        f"{samples} searches of each kind below, shuffled, each on a new TCP connection (as"
        " calendar clients poll), from the moment the servers answer: so each of the web"
        " processes meets each kind of search, and each of its pooled database connections"
        " each statement, for a first time. The same requests, a chunk of"
        f" {CHUNK} each in turn, go to the floor's read (one indexed select) and to its fixed"
        " answer (`GET /api/fixed`: a few constant bytes, no database), the least any GET"
        " through this stack costs. Every benchmark room has a projector and none has"
        f" wheelchair access. Slow: over {SLOW_MS:.0f} ms. Goal: p95 within 2 times p50.",
        "",
        "| search | p50 | p95 | p99 | max | slow | p95 over p50 | p50 over the fixed"
        " answer's | p95 over the fixed answer's p50 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    rows = [(f"`{kind}`", tails["service"][kind]) for kind in SEARCH_KINDS]
    rows.append(("**every search**", tails["service"]["all"]))
    rows += [(f"the floor's {side}", tails[side]["all"]) for side in SIDES[1:]]
    for name, tail in rows:
        lines.append(
            f"| {name} | {tail.p50:.2f} ms | {tail.p95:.2f} ms | {tail.p99:.2f} ms |"
            f" {tail.max:.1f} ms | {tail.slow} of {tail.count} | {tail.p95 / tail.p50:.2f} |"
            f" {tail.p50 / fixed:.1f} | {tail.p95 / fixed:.1f} |"
        )
    lines += [
        "",
        "A search that finds no room (wheelchair access) skips the reads of occupations and"
        " rules, so it answers sooner; mixing the kinds spreads every search's p95 over p50"
        " wider than any one kind's. The floor's own p95 over p50 is the noise of the machine"
        " (shared by the load generator, both servers and PostgreSQL) in the same run.",
        "",
        *TAIL_FINDINGS,
        "",
    ]
    return lines


# What was found, with the figures of the day; the table above is measured on every run.
TAIL_FINDINGS = [
    "### Where the tail came from",
    "",
    "Before the changes below (the service at c43dc8f, this benchmark, this machine, two"
    " runs): every search p50 3.29 and 4.20 ms, p95 5.86 and 6.37 ms, p99 10.76 and 12.49 ms,"
    " max 85 and 110 ms; 8 and 10 of 1,600 answers over 20 ms, most of them searches over"
    " many rooms (capacity alone, whose p99 was 31.7 and 32.0 ms, or a projector); the"
    " slowest were a web process's first request (3. below). The floor's fixed answer: p50 0.44 and"
    " 0.52 ms, none slow. (The tracker saw the searches for wheelchair access slow in most of"
    " its runs; here, those find no room, and they were the fastest: the mechanisms below"
    " strike whichever requests meet a fresh plan or a fresh process first.) Found with"
    " EXPLAIN (ANALYZE, BUFFERS, SUMMARY) of each statement the search issues, PostgreSQL's"
    " statement log per backend (parse, bind and execute times of each pooled connection),"
    " and cProfile of a web process's first requests:",
    "",
    "1. **A join chosen for fifty times the rows.** The search reads the occupations of its"
    " window: occurrences whose blocked span overlaps it, each with its booking. PostgreSQL"
    " estimates `blocked_from` in the window's bounds and `blocked_until` after its start as"
    " if the two were independent, so for a window near today with all 40 rooms it expected"
    " 1,757 rows where there were 36, and for that many it hashed the bookings: a scan of all"
    " 200,000, 31-35 ms (35-59 ms without parallel workers) for a read whose rows take 0.3 ms"
    " (31 index buffers). Which windows trip it depends on their date and on the number of"
    " candidate rooms. It struck first requests most: each statement's first five executions"
    " on each pooled connection are planned for their values (custom plans) and these chose"
    " the hash join; later ones get the generic plan (73 rows expected, a nested loop). With"
    " the rooms written as an `IN` list, each count of candidate rooms is a statement of its"
    " own, so each met that again. Now each occurrence fetches its booking by its key"
    " (`booking/db/occurrences.py`, a lateral subquery with OFFSET 0), whatever the estimate:"
    " 0.3-0.6 ms for those windows, custom or generic plan alike. Larger windows gained too:"
    " a building's 62 days (6,448 occurrences) 47 ms → 17 ms, a month of 40 rooms (9,120)"
    " 49 ms → 22 ms.",
    "2. **Parallel workers for a 0.3 ms read.** Where the estimate stayed below the hash join,"
    " PostgreSQL still planned a Gather with one or two workers: 6.8-11 ms to start them for"
    " 0.3 ms of work (0.31 ms without). The service's connections now run with"
    " `max_parallel_workers_per_gather = 0` beside `jit = off` (`booking/db/engine.py`); this"
    " holds for every endpoint, calendar feeds included. Booking lists (5-28 ms) and the"
    " series conflict check (nested loops, 1.3-7.6 ms) measured the same either way.",
    "3. **The message catalogues compiled inside the first request.** Every request sets its"
    " language (the page language middleware), and the first one in each web process"
    " compiled that language's .po catalogue: 31 ms of a 46 ms first search (cProfile), once"
    " per process and per language, for every endpoint. They are compiled at start-up now"
    " (`booking/i18n.py`, called from the app's lifespan).",
    "4. **A query for no room.** A search whose filters leave no candidate (equipment no room"
    " has) still asked for the occupations of room -1; it asks nothing now.",
    "",
    "Looked at and left alone:",
    "",
    "- JIT: already off for the service's connections; these plans cost at most 9,300, far"
    " below `jit_above_cost` (100,000), so it was not compiling here anyway.",
    "- `plan_cache_mode`: left `auto`. With the booking fetched by key, custom and generic"
    " plans are the same nested loop; the generic one spares 0.2-0.3 ms of planning.",
    "- Indexes: `occurrences_blocked_window` serves the window (31 buffers); none missing.",
    "- The equipment filter is applied in Python to the catalogue the search reads anyway"
    " (40 rooms, one query), not as JSON in SQL.",
    "- asyncpg's type introspection: the search's statements use built-in types only, so"
    " none. Passing the rooms as one `int[]` (one statement whatever their number) was tried"
    " and dropped: asyncpg then introspects the array types on every new connection, 7 ms"
    " (parse 1.6 ms, bind 5.1 ms).",
    "- A pooled connection's first use: opening one takes 4.5 ms and its first statements"
    " some 6 ms more (a fresh backend fills its catalogue caches): a first search on a fresh"
    " connection took 8-12 ms against 3.3 ms after. The pool opens two connections per"
    " process at start and hands out the most recently used one, so sequential requests meet"
    " warm ones; a burst that opens more pays it once per connection. Opening them all at"
    " start would hold pool size × processes connections for good; not done.",
]


def same_round_ratio(rates: list[float], raw_rates: list[float]) -> float:
    """The median of each round's ratio: both sides of a ratio are measured in one round."""
    return statistics.median(a / b for a, b in zip(rates, raw_rates, strict=True))


def write_report(
    cpu: tuple[float, float, float],
    args: argparse.Namespace,
    load_seconds: float,
    query: tuple[float, ...],
    tails: SearchTails,
    rates: dict[str, list[float]],
    created: int,
    conflicts: int,
    overlaps: int,
) -> None:
    medians = {side: statistics.median(values) for side, values in rates.items()}
    ratios = {side: same_round_ratio(values, rates["raw"]) for side, values in rates.items()}
    with os.popen("psql --version 2>/dev/null") as out:
        pg = out.read().strip() or "PostgreSQL"
    lines = [
        "# Benchmarks",
        "",
        "Made by `bench/bench_booking.py` (run it again to refresh this page). A long series"
        " against a busy room: [benchmarks-series.md](benchmarks-series.md). The pages (the"
        " finder, a building's calendar, the form's live check, a first visit's bytes):"
        " [benchmarks-pages.md](benchmarks-pages.md). A room's calendar feed of 5,000 dates,"
        " rendered and answered 304 (`bench/bench_feeds.py`):"
        " [benchmarks-feeds.md](benchmarks-feeds.md). 5,000 notifications from enqueue to"
        " delivered by two workers (`bench/bench_notifications.py`):"
        " [benchmarks-notifications.md](benchmarks-notifications.md).",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d}; machine: {os.cpu_count()} cores,"
        f" {platform.machine()}, Python {platform.python_version()}, {pg}; the load generator,"
        " the server and PostgreSQL share the machine.",
        f"- Data: {args.rooms} rooms, {args.occurrences:,} occurrences (loaded in"
        f" {load_seconds:.1f} s); server: `booking serve --workers {args.workers}`.",
        "",
        "## Free rooms between X and Y with capacity ≥ N, through the API",
        "",
        f"{args.samples} sequential `GET /api/rooms?free_start&free_end&min_capacity` with random"
        " windows inside the loaded data.",
        "",
        "| p50 | p90 | p99 | goal | the stack's floor p50 | p50 over the floor's |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| {query[0]:.2f} ms | {query[1]:.2f} ms | {query[2]:.2f} ms | p50 ≤ 10 ms |"
        f" {query[3]:.2f} ms | {query[0] / query[3]:.2f} |",
        "",
        "The floor's read (`GET /api/rooms` of `bench/floor_app.py`) takes the same requests"
        " through the same HTTP stack and answers with one indexed select of the rooms: no"
        " sign-in, no occupations, no rules. The ratio says how much of the search's time is"
        " the service's own work, whatever the machine's speed that day.",
        "",
        *search_tail_report(tails, args.new_connection_samples),
        "## Create-booking throughput",
        "",
        f"{args.clients} concurrent clients, {args.requests} `POST /api/bookings` per round (one"
        " in ten asks for a slot already asked for, so is refused with 409), against raw asyncpg"
        f" single-row inserts by {args.clients} connections into the same `occurrences` table"
        " with the same exclusion constraint, in the same run.",
        "",
        "Beside them, in the same rounds: the stack's floor, and the lightest authenticated"
        " request there is. The floor (`bench/floor_app.py`) is the same HTTP stack, Litestar"
        " served by uvicorn with as many processes, taking the same requests with nothing but"
        " the raw baseline's insert behind them: no sign-in, no rules, no booking or audit row."
        " No create through this stack can be faster. The lightest authenticated request is the"
        " building list (the token with its roles, then the buildings: two small queries).",
        "",
        "| round | API creates/s | raw asyncpg inserts/s | API ratio | the stack's floor/s |"
        " its ratio | lightest authenticated read/s | its ratio |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for i, (api, floor, raw, read) in enumerate(
        zip(rates["api"], rates["floor"], rates["raw"], rates["read"], strict=True), start=1
    ):
        lines.append(
            f"| {i} | {api:.0f} | {raw:.0f} | {100 * api / raw:.0f}% | {floor:.0f} |"
            f" {100 * floor / raw:.0f}% | {read:.0f} | {100 * read / raw:.0f}% |"
        )
    lines += [
        f"| **median** | **{medians['api']:.0f}** | **{medians['raw']:.0f}** |"
        f" **{100 * ratios['api']:.0f}%** (goal ≥ 40%) | {medians['floor']:.0f} |"
        f" {100 * ratios['floor']:.0f}% | {medians['read']:.0f} | {100 * ratios['read']:.0f}% |",
        "",
        f"Against the floor itself, round by round: the API reached"
        f" {100 * same_round_ratio(rates['api'], rates['floor']):.0f}% of the floor's rate"
        " (median of the rounds' ratios).",
        "",
        "A ratio's median is the median of the rounds' ratios, since both sides of a ratio are"
        f" measured in one round. Created {created}, refused {conflicts} as conflicts, no other"
        f" status. Overlapping approved occurrences afterwards: **{overlaps}**.",
        "",
        "### Where the time goes",
        "",
        f"CPU per request, median of the rounds: the web processes spend {cpu[0]:.2f} ms and"
        f" PostgreSQL {cpu[1]:.2f} ms per create, against {cpu[2]:.2f} ms of PostgreSQL per raw"
        f" insert. On {os.cpu_count()} cores shared by all of them, that alone caps the API near"
        f" {1000 * (os.cpu_count() or 1) / (cpu[0] + cpu[1]):.0f} creates/s. A create on"
        " PostgreSQL is an authenticated HTTP request (the API token with its roles: one query),"
        " validation, the rooms, their approval tiers, their opening hours and windows, and the"
        " blackouts of the period (four queries), and one statement that stores the booking,"
        " its occurrence, the audit row and its events in the change log, with no transaction"
        " around it; the raw baseline is one single-row autocommit insert. The service runs"
        " without REDIS_URL here, so after each answer its web processes also relay the"
        " change's events and compose and write its e-mails (as files under var/bench/mail);"
        " with Redis that work is the workers'.",
        "",
        "The floor bounds what any create can reach here: the HTTP stack with one insert"
        f" behind it and nothing else reached {100 * ratios['floor']:.0f}% of the raw rate, and"
        f" the lightest authenticated request {100 * ratios['read']:.0f}%. A create signs its"
        " caller in as that request does, and on top of it validates, checks the booking rules"
        " and writes the booking and its audit row as well as the occurrence.",
        "",
    ]
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(lines))


if __name__ == "__main__":
    asyncio.run(main())
