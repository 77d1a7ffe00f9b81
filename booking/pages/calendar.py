"""The resource calendar of a building: its rooms as columns for a day, as rows on a week."""

from __future__ import annotations

from litestar import Controller


class CalendarPages(Controller):
    include_in_schema = False
