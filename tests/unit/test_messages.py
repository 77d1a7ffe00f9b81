"""Every message code the service can say has its text in both catalogues, and the texts take
exactly the parameters their messages carry."""

from __future__ import annotations

import string
import tomllib
from datetime import date, datetime, time, timedelta

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from booking.core.messages import Duration, Message, Weekday, message_data, message_from_data
from booking.i18n import LANGUAGES, TRANSLATIONS, negotiate, texts
from tests.conftest import ROOT


def _codes_in_the_code() -> dict[str, str]:
    """Each code the code base and the templates say, as `pybabel extract` finds it (with the
    keywords of pyproject.toml, and `_` in templates), and one place that says it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["babel"]
    keywords = dict.fromkeys(config["extract_messages"]["keywords"].split())
    found: dict[str, str] = {}
    for folder, method, words in (
        ("booking", ("**.py", "python"), keywords),
        ("frontend/templates", ("**.j2", "jinja2"), {"_": None}),
    ):
        for filename, line, code, _, _ in extract_from_dir(ROOT / folder, [method], keywords=words):
            assert isinstance(code, str)
            found.setdefault(code, f"{folder}/{filename}:{line}")
    return found


CODES = _codes_in_the_code()


def _catalogue(language: str) -> dict[str, str]:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return {m.id: m.string for m in read_po(source) if m.id}


CATALOGUES = {language: _catalogue(language) for language in LANGUAGES}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_code_says_codes() -> None:
    assert len(CODES) > 200
    assert "hours.closed_on" in CODES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_code_has_a_text(language: str) -> None:
    missing = {code: where for code, where in CODES.items() if not CATALOGUES[language].get(code)}
    assert not missing, f"no {language} text for: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_text_outlives_its_code(language: str) -> None:
    assert set(CATALOGUES[language]) <= set(CODES)


def test_both_languages_take_the_same_parameters() -> None:
    differ = {
        code: (_fields(CATALOGUES["en"][code]), _fields(CATALOGUES["ro"][code]))
        for code in CODES
        if _fields(CATALOGUES["en"][code]) != _fields(CATALOGUES["ro"][code])
    }
    assert not differ


def test_a_message_is_said_with_its_parameters_in_each_language() -> None:
    closed = Message("hours.closed_on", room="CC-AULA", weekday=Weekday(6))
    assert texts("en")(closed) == "CC-AULA is closed on Sundays"
    assert texts("ro")(closed) == "CC-AULA este închisă în zilele de duminică"
    notice = Message("window.notice", room="R1", at=Duration(days=20))
    assert texts("en")(notice) == "R1 must be requested at least 20 days ahead"
    assert texts("ro")(notice) == "R1 trebuie cerută cu cel puțin 20 de zile înainte"
    nested = Message("rules.broken_on", day=date(2027, 1, 20), reason=closed)
    assert texts("ro")(nested) == "2027-01-20: CC-AULA este închisă în zilele de duminică"


@pytest.mark.parametrize(
    ("span", "english", "romanian"),
    [
        (timedelta(days=1), "1 day", "1 zi"),
        (timedelta(hours=2), "2 hours", "2 ore"),
        (timedelta(minutes=90), "90 minutes", "90 de minute"),
    ],
)
def test_durations_are_said_in_words(span: timedelta, english: str, romanian: str) -> None:
    assert texts("en").duration(span) == english
    assert texts("ro").duration(span) == romanian


def test_a_stored_message_reads_back_the_same() -> None:
    message = Message(
        "rules.broken_on",
        day=date(2027, 1, 20),
        reason=Message("window.advance", room="R1", at=Duration(days=3)),
        at=datetime(2027, 1, 20, 10, 0),
        times=[time(9, 30), Weekday(2)],
    )
    assert message_from_data(message_data(message)) == message


@pytest.mark.parametrize(
    ("account", "header", "language"),
    [
        ("en", "ro", "en"),
        (None, "en-GB,en;q=0.9,ro;q=0.8", "en"),
        (None, "fr, ro;q=0.5, en;q=0.4", "ro"),
        (None, "de, *", "ro"),
        (None, "en;q=0, ro-RO", "ro"),
        # q=0 means "not this one": English refused, and nothing else we speak, is Romanian.
        (None, "en;q=0", "ro"),
        (None, "de, en-GB;q=0", "ro"),
        (None, None, "ro"),
    ],
)
def test_the_language_of_an_answer(account: str | None, header: str | None, language: str) -> None:
    assert negotiate(account, header) == language
