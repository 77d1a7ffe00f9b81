"""Dates and times as people say them, in the page's language and the building's zone:
"marți, 20 ianuarie 2027, 14:00–16:00" / "Wednesday 20 January 2027, 14:00–16:00".

Each function speaks the page's language unless given the `texts` of another (an e-mail speaks
its recipient's)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal

from booking.i18n import Texts
from booking.web.language import current_texts

_DAY_PATTERN = {"ro": "EEEE, d MMMM y", "en": "EEEE d MMMM y"}
_SHORT_DAY_PATTERN = {"ro": "EEE, d MMM", "en": "EEE d MMM"}


def _local(moment: datetime, zone: ZoneInfo | None) -> datetime:
    return moment.astimezone(zone) if zone is not None else moment


def day_long(day: date | datetime, zone: ZoneInfo | None = None, texts: Texts | None = None) -> str:
    texts = texts or current_texts()
    if isinstance(day, datetime):
        day = _local(day, zone).date()
    return str(format_date(day, _DAY_PATTERN[texts.language], locale=texts.locale))


def day_short(
    day: date | datetime, zone: ZoneInfo | None = None, texts: Texts | None = None
) -> str:
    texts = texts or current_texts()
    if isinstance(day, datetime):
        day = _local(day, zone).date()
    return str(format_date(day, _SHORT_DAY_PATTERN[texts.language], locale=texts.locale))


def clock(moment: datetime, zone: ZoneInfo | None = None, texts: Texts | None = None) -> str:
    locale = (texts or current_texts()).locale
    return str(format_time(_local(moment, zone), "HH:mm", locale=locale))


def time_span(
    start: datetime, end: datetime, zone: ZoneInfo | None = None, texts: Texts | None = None
) -> str:
    """14:00–16:00; an end on a later day carries its date."""
    first, last = _local(start, zone), _local(end, zone)
    if last.date() == first.date() or (
        last - first <= timedelta(days=1) and last.time() == datetime.min.time()
    ):
        return f"{clock(first, texts=texts)}–{clock(last, texts=texts)}"
    return f"{clock(first, texts=texts)}–{day_short(last, texts=texts)} {clock(last, texts=texts)}"


def when(
    start: datetime, end: datetime, zone: ZoneInfo | None = None, texts: Texts | None = None
) -> str:
    """marți, 20 ianuarie 2027, 14:00–16:00"""
    return f"{day_long(start, zone, texts)}, {time_span(start, end, zone, texts)}"


def number(value: int | float, texts: Texts | None = None) -> str:
    return str(format_decimal(value, locale=(texts or current_texts()).locale))
