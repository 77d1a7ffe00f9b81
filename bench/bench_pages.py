"""Benchmark on PostgreSQL: the pages' server time, and the bytes of a first visit to the form.

Loads ROOMS rooms and OCCURRENCES occurrences into a fresh database (bench_booking.load),
starts `booking serve` against it and the stack's floor (bench/floor_app.py) beside it, and
measures with sequential keep-alive requests:

- the room finder's results, as the page asks for them while the user types (the htmx fragment
  of `GET /?date&start&end&people`);
- a building's day in the resource calendar (`GET /calendar/<building>/data?start&end`, the
  JSON the calendar draws);
- the booking form's live check of a slot (`POST /book/check`, the fragment beside the fields);
- the floor's read of the same machine, stack and database in the same run (`GET /api/rooms`
  of floor_app: one indexed select), so that each figure is also a ratio to it;

and the bytes a first visit to the form transfers, gzip-compressed as a browser receives them:
the page and every style sheet, script and icon it names.

Prints medians and writes the pages' section of docs/benchmarks-pages.md. Usage:

    .venv/bin/python bench/bench_pages.py [--occurrences 200000] [--samples 400]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_booking import (
    BENCH_TOKEN,
    ROOT,
    KeepAliveClient,
    free_port,
    load,
    migrated_database,
    percentile,
    start_floor_server,
    start_server,
)

ZONE = ZoneInfo("Europe/Bucharest")
GOAL_MS = 25.0
GOAL_BYTES = 250 * 1024
WARM_UP = 30


class PageClient(KeepAliveClient):
    """The keep-alive client, asking as htmx does (a fragment) and able to post a form."""

    def encode(self, method: str, target: str, body: bytes = b"") -> bytes:
        head = (
            f"{method} {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {self.token}\r\nHX-Request: true\r\n"
        )
        if body:
            head += (
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n"
            )
        return head.encode() + b"\r\n" + body


Request = Callable[[random.Random], tuple[str, str, bytes]]


async def latencies(
    port: int, make: Request, samples: int, client_class: type = PageClient
) -> list[float]:
    rng = random.Random(11)
    timings = []
    async with client_class("127.0.0.1", port) as client:
        for i in range(samples + WARM_UP):
            method, target, body = make(rng)
            request = client.encode(method, target, body)
            began = time.perf_counter()
            status, answer = await client.send(request)
            elapsed = time.perf_counter() - began
            assert status == 200, (target, status, answer[:500])
            if i >= WARM_UP:
                timings.append(elapsed * 1000)
    return timings


def a_slot(rng: random.Random, first_day: datetime, days: int) -> tuple[datetime, datetime]:
    """A local slot on a working day inside the loaded data: 08:00–18:00, 1–3 hours."""
    day = (first_day + timedelta(days=rng.randrange(days))).astimezone(ZONE).date()
    start = datetime(day.year, day.month, day.day, rng.randrange(8, 16), 0, tzinfo=ZONE)
    return start, start + timedelta(hours=rng.randint(1, 3))


def finder_request(first_day: datetime, days: int) -> Request:
    def make(rng: random.Random) -> tuple[str, str, bytes]:
        start, end = a_slot(rng, first_day, days)
        query = {
            "date": start.date().isoformat(),
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
            "people": str(rng.choice([10, 50, 100])),
        }
        return "GET", f"/?{urlencode(query)}", b""

    return make


def calendar_request(first_day: datetime, days: int) -> Request:
    def make(rng: random.Random) -> tuple[str, str, bytes]:
        day = (first_day + timedelta(days=rng.randrange(days))).astimezone(ZONE).date()
        query = {
            "start": f"{day.isoformat()}T00:00:00",
            "end": f"{day + timedelta(days=1)}T00:00:00",
        }
        return "GET", f"/calendar/{rng.choice(['CC', 'BUPT', 'REC'])}/data?{urlencode(query)}", b""

    return make


def check_request(first_day: datetime, days: int, rooms: int) -> Request:
    def make(rng: random.Random) -> tuple[str, str, bytes]:
        start, end = a_slot(rng, first_day, days)
        form = {
            "room": f"ROOM-{rng.randrange(rooms):03d}",
            "date": start.date().isoformat(),
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
        }
        return "POST", "/book/check", urlencode(form).encode()

    return make


def floor_request(first_day: datetime, days: int) -> Request:
    def make(rng: random.Random) -> tuple[str, str, bytes]:
        start, end = a_slot(rng, first_day, days)
        query = {
            "free_start": start.isoformat(),
            "free_end": end.isoformat(),
            "min_capacity": rng.choice([10, 50, 100]),
        }
        return "GET", f"/api/rooms?{urlencode(query)}", b""

    return make


ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def first_visit_bytes(port: int) -> tuple[int, int, list[tuple[str, int]]]:
    """What a browser with an empty cache downloads for the form: (compressed, raw, parts)."""
    parts: list[tuple[str, int]] = []
    raw_total = 0
    headers = {"Authorization": f"Bearer {BENCH_TOKEN}", "Accept-Encoding": "gzip, br"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
        page = client.get("/book")
        assert page.status_code == 200, page.text[:500]
        parts.append(("/book", page.num_bytes_downloaded))
        raw_total += len(page.content)
        for asset in dict.fromkeys(ASSET.findall(page.text)):
            answer = client.get(asset)
            assert answer.status_code == 200, asset
            parts.append((asset.split("?")[0], answer.num_bytes_downloaded))
            raw_total += len(answer.content)
    return sum(size for _, size in parts), raw_total, parts


def summary(values: list[float]) -> tuple[float, float, float]:
    return percentile(values, 0.5), percentile(values, 0.9), percentile(values, 0.99)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=40)
    parser.add_argument("--occurrences", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=400, help="requests per measure")
    parser.add_argument("--workers", type=int, default=2, help="web processes")
    parser.add_argument("--no-write", action="store_true", help="do not write the report")
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
                f"loaded {args.rooms} rooms, {args.occurrences} occurrences in {load_seconds:.1f} s"
            )
            # Ahead of now (the finder and the form refuse the past), inside the loaded data.
            first, days = now + timedelta(days=7), loaded_days - 300 - 14

            port = free_port()
            server = await asyncio.to_thread(start_server, url, port, args.workers)
            floor_port = free_port()
            floor = await asyncio.to_thread(start_floor_server, url, floor_port, args.workers)

            measures = {
                "finder": finder_request(first, days),
                "calendar": calendar_request(first, days),
                "check": check_request(first, days, args.rooms),
            }
            results: dict[str, list[float]] = {key: [] for key in [*measures, "floor"]}
            # Interleaved rounds, so that a drift of the machine's speed touches every measure.
            for _ in range(3):
                for key, make in measures.items():
                    results[key] += await latencies(port, make, args.samples // 3)
                results["floor"] += await latencies(
                    floor_port, floor_request(first, days), args.samples // 3, KeepAliveClient
                )
            floor_p50 = percentile(results["floor"], 0.5)
            rows = []
            for key in measures:
                p50, p90, p99 = summary(results[key])
                rows.append((key, p50, p90, p99, p50 / floor_p50))
                print(
                    f"{key}: p50 {p50:.2f} ms, p90 {p90:.2f} ms, p99 {p99:.2f} ms;"
                    f" {p50 / floor_p50:.1f}× the floor's p50 {floor_p50:.2f} ms"
                )
            compressed, raw, parts = await asyncio.to_thread(first_visit_bytes, port)
            print(
                f"first visit to the form: {compressed / 1024:.1f} KB compressed"
                f" ({raw / 1024:.1f} KB raw)"
            )
            if not args.no_write:
                write_report(args, load_seconds, rows, floor_p50, compressed, raw, parts)
        finally:
            for process in (server, floor):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=30)


LABELS = {
    "finder": "Room finder results (`GET /?date&start&end&people`, the htmx fragment)",
    "calendar": "A building's day in the resource calendar (`GET /calendar/<building>/data`)",
    "check": "The form's live check of a slot (`POST /book/check`)",
}


def write_report(
    args: argparse.Namespace,
    load_seconds: float,
    rows: list[tuple[str, float, float, float, float]],
    floor_p50: float,
    compressed: int,
    raw: int,
    parts: list[tuple[str, int]],
) -> None:
    postgres = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# Benchmarks of the pages",
        "",
        "Made by `bench/bench_pages.py` (run it again to refresh this page).",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d}; machine: {os.cpu_count()} cores,"
        f" {platform.machine()}, Python {platform.python_version()}, {postgres}; the load"
        " generator, the server and PostgreSQL share the machine.",
        f"- Data: {args.rooms} rooms in 3 buildings, {args.occurrences:,} occurrences (loaded in"
        f" {load_seconds:.1f} s); server: `booking serve --workers {args.workers}`, signed in"
        " with an API token as an administrator (who sees every request).",
        f"- {args.samples} sequential keep-alive requests per measure (after {WARM_UP} to warm"
        " up), random slots on working days inside the loaded data, in three interleaved rounds"
        " with the floor's.",
        "",
        "## Server time",
        "",
        "| what | p50 | p90 | p99 | goal | p50 over the floor's |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key, p50, p90, p99, ratio in rows:
        lines.append(
            f"| {LABELS[key]} | {p50:.2f} ms | {p90:.2f} ms | {p99:.2f} ms |"
            f" p50 ≤ {GOAL_MS:.0f} ms | {ratio:.1f} |"
        )
    lines += [
        "",
        f"The stack's floor (`GET /api/rooms` of `bench/floor_app.py`: the same HTTP stack and"
        f" database, one indexed select, no sign-in) took {floor_p50:.2f} ms at the median in the"
        " same run; the ratios say how much of each page's time is the service's own work,"
        " whatever the machine's speed that day.",
        "",
        "## A first visit to the booking form",
        "",
        f"**{compressed / 1024:.1f} KB** transferred, compressed (goal ≤ {GOAL_BYTES // 1024} KB);"
        f" {raw / 1024:.1f} KB once decompressed. The calendar's scripts are not loaded here.",
        "",
        "| part | bytes transferred |",
        "| --- | --- |",
        *(f"| `{path}` | {size:,} |" for path, size in parts),
        "",
    ]
    (ROOT / "docs" / "benchmarks-pages.md").write_text("\n".join(lines))
    print("wrote docs/benchmarks-pages.md")


if __name__ == "__main__":
    asyncio.run(main())
