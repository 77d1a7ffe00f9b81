"""A local SMTP sink for the notification benchmark: takes every message and writes its
Message-ID, one a line, to a file the benchmark reads (so duplicates and losses can be counted).

    .venv/bin/python bench/smtp_sink.py PORT IDS_FILE
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class Sink:
    def __init__(self, ids: Path) -> None:
        self._out = ids.open("ab", buffering=0)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content: bytes = envelope.original_content or b""
        head = content.split(b"\r\n\r\n", 1)[0]
        found = MESSAGE_ID.search(head)
        self._out.write((found.group(1) if found else b"<none>") + b"\n")
        return "250 OK"


def main() -> None:
    port, ids = int(sys.argv[1]), Path(sys.argv[2])
    controller = Controller(Sink(ids), hostname="127.0.0.1", port=port)
    controller.start()
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    print("ready", flush=True)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    main()
