"""The service's texts in Romanian and English: message codes rendered from the Babel message
catalogues in frontend/translations, with their parameters in the reader's language.

The catalogues' message ids are the codes (`hours.closed_on`); each language's catalogue gives
the text, a Python format string over the message's parameters. They are read from the .po
files and compiled in memory (at start-up, or when first needed); nothing compiled is kept in
the repository.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from datetime import date, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import get_day_names
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from babel.units import format_unit

from booking.core.messages import Duration, Message, Weekday, message_from_data

TRANSLATIONS = Path(__file__).resolve().parent.parent / "frontend" / "translations"
DOMAIN = "messages"
LANGUAGES = ("ro", "en")
DEFAULT_LANGUAGE = "ro"


@cache
def translations(language: str) -> Translations:
    """The language's catalogue, compiled in memory from its .po file; a text it lacks is
    taken from the other language's (better read in the other language than as a code)."""
    others = [read_catalogue(other) for other in LANGUAGES if other != language]
    return with_fallbacks(read_catalogue(language), others)


def with_fallbacks(catalog: Catalog, others: Iterable[Catalog]) -> Translations:
    found = compiled(catalog)
    for other in others:
        found.add_fallback(compiled(other))
    return found


@cache
def read_catalogue(language: str) -> Catalog:
    path = TRANSLATIONS / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as source:
        return read_po(source, locale=language, domain=DOMAIN)


def compiled(catalog: Catalog) -> Translations:
    """The catalogue compiled in memory; an entry with no text is left out, so that a fallback
    gives it."""
    data = io.BytesIO()
    write_mo(data, catalog)
    data.seek(0)
    return Translations(data, domain=DOMAIN)


class Texts:
    """The texts of one language."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self.locale = Locale.parse(self.language)
        self.catalogue = translations(self.language)

    def __call__(self, message: Message) -> str:
        template = self.catalogue.gettext(message.code)
        params = {name: self.param(value) for name, value in message.params.items()}
        try:
            return template.format_map(params)
        except (KeyError, IndexError, ValueError):
            # A catalogue whose text names a parameter the message lacks: say the code rather
            # than fail the answer (the catalogue test catches it before release).
            return message.code

    def param(self, value: Any) -> str:
        if isinstance(value, Message):
            return self(value)
        if isinstance(value, Weekday):
            return str(get_day_names("wide", locale=self.locale)[int(value)])
        if isinstance(value, Duration):
            return self.duration(value)
        if isinstance(value, date):  # a datetime too
            return value.isoformat()
        if isinstance(value, time):
            return f"{value:%H:%M}"
        if isinstance(value, list | tuple):
            return ", ".join(self.param(item) for item in value)
        return str(value)

    def duration(self, span: timedelta) -> str:
        """Whole days, else whole hours, else minutes, in words."""
        if span % timedelta(days=1) == timedelta(0):
            return self._unit(span.days, "duration-day")
        hours, rest = divmod(span, timedelta(hours=1))
        if rest == timedelta(0):
            return self._unit(hours, "duration-hour")
        return self._unit(int(span.total_seconds() // 60), "duration-minute")

    def _unit(self, count: int, unit: str) -> str:
        return str(format_unit(count, unit, length="long", locale=self.locale))

    def rendered(self, value: Any) -> Any:
        """`value` with every message kept in stored data ({"message": {...}}) rendered."""
        if isinstance(value, Mapping):
            if set(value) == {"message"} and isinstance(value["message"], Mapping):
                return self(message_from_data(value["message"]))
            return {key: self.rendered(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.rendered(item) for item in value]
        return value


@cache
def texts(language: str) -> Texts:
    return Texts(language)


def load_catalogues() -> None:
    """Compile every language's catalogue now, at a web process's start, rather than in the
    first request that speaks the language: every request speaks one (the page language is
    set for each), and the first one in each process waited some 30 ms for it."""
    for language in LANGUAGES:
        texts(language)


def negotiate(account_language: str | None, accept_language: str | None) -> str:
    """The language to answer in: the account's, else the first of the Accept-Language
    header's that we speak, else Romanian."""
    if account_language in LANGUAGES:
        return account_language
    if accept_language:
        wanted = [
            tag.split(";")[0].strip().replace("-", "_")
            for tag in _by_quality(accept_language.split(","))
        ]
        found = negotiate_locale([w for w in wanted if w and w != "*"], LANGUAGES, sep="_")
        if found is not None:
            return str(found)
    return DEFAULT_LANGUAGE


def _by_quality(tags: Iterable[str]) -> list[str]:
    def quality(tag: str) -> float:
        for part in tag.split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name == "q":
                try:
                    return float(value)
                except ValueError:
                    return 0.0
        return 1.0

    weighted = [(quality(tag), -n, tag) for n, tag in enumerate(tags)]
    return [tag for q, _, tag in sorted(weighted, reverse=True) if q > 0]
