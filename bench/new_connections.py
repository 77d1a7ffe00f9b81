"""Latency on new connections: one TCP connection per request, as calendar clients poll.

A keep-alive client meets a web process once and then only its warm paths. A client that
connects anew for every request may land on any of the web processes, and each of them meets
each kind of request for a first time: that is where first-use costs (a pooled database
connection's first statement, a plan chosen after a few executions, a first encode) show, and
where they are measured here.

The client costs next to nothing, so that it measures the server and not itself on a machine
they share: requests are encoded once, and an answer is read to the end of the connection,
whatever its framing (Content-Length, chunked, or a 304 without a body).

Used by bench_booking.py (the free-room search) and meant for any other GET measured the same
way (a feed's full render, its 304).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

# An answer slower than this is counted as slow; the tails this measurement was made for are
# of 30 ms and more, against a floor under a millisecond.
SLOW_MS = 20.0

Target = str | tuple[str, Mapping[str, str]]
"""A request target (`/api/rooms?...`), or a target with headers of its own
(`If-None-Match`, for a 304)."""


def encode_get(host: str, port: int, target: str, headers: Mapping[str, str]) -> bytes:
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def new_connection_latencies(
    port: int,
    targets: Iterable[Target],
    *,
    headers: Mapping[str, str] | None = None,
    expect: Collection[int] = (200,),
    host: str = "127.0.0.1",
) -> list[float]:
    """Milliseconds from opening the connection to the answer's last byte, one new connection
    per target, one at a time, in the order given. `headers` go with every request; an answer
    whose status is not in `expect` stops the measurement."""
    common = dict(headers or {})
    requests = []
    for target in targets:
        path, own = (target, {}) if isinstance(target, str) else target
        requests.append(encode_get(host, port, path, common | dict(own)))
    timings = []
    for request in requests:
        began = time.perf_counter()
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(request)
        answer = await reader.read(-1)
        elapsed = time.perf_counter() - began
        writer.close()
        await writer.wait_closed()
        status = int(answer.split(b" ", 2)[1]) if answer else 0
        if status not in expect:
            raise AssertionError(f"{status} for {request!r}: {answer[:500]!r}")
        timings.append(elapsed * 1000)
    return timings


@dataclass(frozen=True, slots=True)
class Tail:
    """Percentiles of a list of latencies, and how many answers were slow."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float
    slow: int

    @classmethod
    def of(cls, timings: Sequence[float], slow_ms: float = SLOW_MS) -> Tail:
        ordered = sorted(timings)

        def at(fraction: float) -> float:
            return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

        return cls(
            count=len(ordered),
            p50=at(0.5),
            p95=at(0.95),
            p99=at(0.99),
            max=ordered[-1],
            slow=sum(1 for t in ordered if t > slow_ms),
        )

    def __str__(self) -> str:
        return (
            f"p50 {self.p50:.2f} ms, p95 {self.p95:.2f} ms, p99 {self.p99:.2f} ms,"
            f" max {self.max:.1f} ms, {self.slow} of {self.count} over {SLOW_MS:.0f} ms"
        )
