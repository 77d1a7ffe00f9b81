"""Secrets in paths never reach a log line: the access log and the error log see the path of a
private feed with its token cut to its first characters, and the path of an e-mailed link to
set a password without its secret."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

# A feed's path keeps the start of its token, to tell feeds apart in the log; a link to set a
# password keeps nothing of its secret.
_SECRET_IN_PATH = re.compile(r"(/feeds/private/[A-Za-z0-9_-]{0,10}|/reset-password/)[A-Za-z0-9_-]*")
_SECRET_PATHS = ("/feeds/private/", "/reset-password/")
# The loggers that write request paths: uvicorn's access and error logs, ours, Litestar's.
_LOGGERS = ("uvicorn.access", "uvicorn.error", "booking.api", "litestar")


def _cut(value: Any) -> Any:
    return _SECRET_IN_PATH.sub(r"\1…", value) if isinstance(value, str) else value


class HideFeedSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if not any(path in message for path in _SECRET_PATHS):
            return True
        # Cut the secret where it is, in the text and in its arguments, which keep their shape:
        # uvicorn's access formatter unpacks its five arguments itself, and emptied it fails
        # on every such line (a traceback instead of the line, filling whatever reads it).
        record.msg = _cut(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_cut(value) for value in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {key: _cut(value) for key, value in record.args.items()}
        if record.getMessage() != _cut(message):
            # The secret sits in an argument that is not text: the whole line, cut, instead.
            record.msg, record.args = _cut(message), ()
        return True


def hide_feed_secrets_in_logs() -> None:
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideFeedSecrets) for f in logger.filters):
            logger.addFilter(HideFeedSecrets())
