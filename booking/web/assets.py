"""Static files under versioned URLs: `/static/site.css?v=<content hash>`. A changed file gets a
new URL, so browsers may keep every version for a year without asking again."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent.parent / "frontend" / "static"
# A year: the URL changes with the content, so a cached copy is never stale.
CACHE_SECONDS = 365 * 24 * 3600


@cache
def _version(path: str) -> str:
    try:
        content = (STATIC / path).read_bytes()
    except OSError:
        return "missing"
    return hashlib.sha256(content).hexdigest()[:12]


def static_url(path: str) -> str:
    return f"/static/{path}?v={_version(path)}"
