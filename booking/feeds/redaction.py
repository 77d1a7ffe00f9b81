"""Feed secrets never reach a log line: the access log and the error log see the path of a
private feed with its token cut to its first characters."""

from __future__ import annotations

import logging
import re

_SECRET_IN_PATH = re.compile(r"(/feeds/private/[A-Za-z0-9_-]{0,10})[A-Za-z0-9_-]*")
# The loggers that write request paths: uvicorn's access and error logs, ours, Litestar's.
_LOGGERS = ("uvicorn.access", "uvicorn.error", "booking.api", "litestar")


class HideFeedSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/feeds/private/" in message:
            record.msg = _SECRET_IN_PATH.sub(r"\1…", message)
            record.args = None
        return True


def hide_feed_secrets_in_logs() -> None:
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideFeedSecrets) for f in logger.filters):
            logger.addFilter(HideFeedSecrets())
