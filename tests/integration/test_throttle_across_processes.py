"""The embedded service keeps login counts in files that all its web processes share; guesses
spread over several processes at once must still stop at the limit."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from booking.accounts.throttle import ACCOUNT_LIMIT

PROCESSES = 4
GUESSES_EACH = 10

# Each process makes its guesses at once, after a common start time, and prints how many the
# throttle let through.
GUESSER = """
import asyncio, sys, time
from litestar.stores.file import FileStore
from booking.accounts.throttle import Throttled, count_attempt

async def main(folder, start, guesses):
    store = FileStore(folder)
    await asyncio.sleep(max(0.0, start - time.time()))

    async def guess(n):
        try:
            await count_attempt(store, "ana@upt.ro", f"10.0.0.{n}")
            return 1
        except Throttled:
            return 0

    print(sum(await asyncio.gather(*(guess(n) for n in range(guesses)))))

asyncio.run(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3])))
"""


async def test_guesses_in_several_processes_share_one_count(tmp_path: Path) -> None:
    folder = tmp_path / "login_throttle"
    folder.mkdir()
    at = time.time() + 2.0  # late enough for every process to have started
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            GUESSER,
            str(folder),
            str(at),
            str(GUESSES_EACH),
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(PROCESSES)
    ]
    let_through = [int((await p.communicate())[0]) for p in processes]
    assert all(p.returncode == 0 for p in processes)
    assert sum(let_through) == ACCOUNT_LIMIT, let_through
