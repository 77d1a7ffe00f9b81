"""A requester's own requests: the list, one request with its dates, history and actions."""

from __future__ import annotations

from litestar import Controller


class MyRequestPages(Controller):
    include_in_schema = False
