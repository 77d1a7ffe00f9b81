"""Messages written as .eml files instead of sent: the embedded default, with no SMTP server.

Any mail client opens the files. A file is named after its message's Message-ID alone, so a
message sent again replaces its file: a directory of the files shows each message once, as
last sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from booking.mail.errors import DeliveryDeferred

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_LONGEST_NAME = 200  # file systems allow 255 bytes; room is left for ".eml"


class FileMailer:
    """A Mailer that writes each message into `directory` (created when needed)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: EmailMessage) -> None:
        data = message.as_bytes(policy=SMTP)
        name = file_name(message, data)
        try:
            await asyncio.to_thread(self._write, name, data)
        except OSError as error:
            # A full disk or a directory not writable: fixed by an operator, then sent again.
            raise DeliveryDeferred(f"{self.directory / name}: {error}") from error

    async def close(self) -> None:
        """Nothing is held open between messages."""

    def _write(self, name: str, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Written beside its final name, then renamed over it: a reader never sees half a
        # message. The file keeps mkstemp's owner-only mode, as messages hold people's data.
        descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.directory / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def file_name(message: EmailMessage, data: bytes) -> str:
    """`<Message-ID's local part>.eml`, made safe for a file name.

    A message without a Message-ID is named after a digest of its bytes instead, so the same
    message still lands in the same file.
    """
    message_id = str(message.get("Message-ID", "")).strip().strip("<>")
    local_part = message_id.rpartition("@")[0] or message_id
    safe = _UNSAFE.sub("_", local_part).lstrip(".")
    if not safe:
        return f"{hashlib.sha256(data).hexdigest()[:32]}.eml"
    if len(safe) > _LONGEST_NAME:
        # Cut, with a digest of the whole so two long ids that start alike stay apart.
        digest = hashlib.sha256(local_part.encode()).hexdigest()[:16]
        safe = f"{safe[: _LONGEST_NAME - 17]}-{digest}"
    return f"{safe}.eml"
