"""The booking form: when and where, about the event, organiser and contact, check, sent."""

from __future__ import annotations

from litestar import Controller


class RequestFormPages(Controller):
    include_in_schema = False
