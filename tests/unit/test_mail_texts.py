"""The e-mails' texts: every code their templates and builders say is in both catalogues, on its
own (not by the fallback), with the same parameters; and a text missing from one language falls
back to the other's rather than showing its code."""

from __future__ import annotations

import re
import string
from types import SimpleNamespace
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

from booking.core.notifications import Kind
from booking.i18n import LANGUAGES, read_catalogue, translations, with_fallbacks
from booking.notifications.composing import BUILDERS
from booking.notifications.mail_templates import TEMPLATES, render


def _mail_codes() -> dict[str, str]:
    """Each code the mail templates say, and one place that says it; and the subject's, which
    the rendering says."""
    found = {"mail.subject": "booking/notifications/mail_templates.py"}
    for filename, line, code, _, _ in extract_from_dir(
        TEMPLATES / "mail", [("**.j2", "jinja2")], keywords={"_": None}
    ):
        assert isinstance(code, str)
        found.setdefault(code, f"frontend/templates/mail/{filename}:{line}")
    return found


CODES = _mail_codes()
OWN = {
    language: {m.id: m.string for m in read_catalogue(language) if m.id} for language in LANGUAGES
}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_templates_say_codes() -> None:
    assert len(CODES) > 80
    assert "mail.approved.subject" in CODES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_mail_code_has_its_own_text(language: str) -> None:
    missing = {code: where for code, where in CODES.items() if not OWN[language].get(code)}
    assert not missing, f"no {language} text for: {missing}"


def test_both_languages_take_the_same_parameters() -> None:
    differ = {
        code: (_fields(OWN["en"][code]), _fields(OWN["ro"][code]))
        for code in CODES
        if _fields(OWN["en"][code]) != _fields(OWN["ro"][code])
    }
    assert not differ


def test_romanian_is_written_with_its_own_letters() -> None:
    """ș and ț with a comma below, never the cedilla look-alikes ş and ţ."""
    cedilla = {code: OWN["ro"][code] for code in CODES if set(OWN["ro"][code]) & set("şţŞŢ")}
    assert not cedilla


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_every_kind_built_has_its_templates(kind: Kind) -> None:
    for part in ("subject.txt", "txt", "html"):
        assert (TEMPLATES / "mail" / f"{kind.value}.{part}.j2").is_file()


def test_the_subject_says_the_service() -> None:
    assert OWN["ro"]["mail.subject"] == "[Rezervări UPT] {subject}"
    assert OWN["en"]["mail.subject"] == "[UPT Rooms] {subject}"


def _catalogue(language: str, entries: dict[str, str]) -> Catalog:
    catalog = Catalog(locale=language)
    for code, text in entries.items():
        catalog.add(code, text)
    return catalog


def test_a_missing_text_comes_from_the_other_language() -> None:
    english = _catalogue("en", {"mail.a": "A", "mail.b": ""})
    found = with_fallbacks(english, [_catalogue("ro", {"mail.a": "Ă", "mail.b": "Î"})])
    assert found.gettext("mail.a") == "A"
    assert found.gettext("mail.b") == "Î"  # empty in English: the Romanian text
    assert found.gettext("mail.c") == "mail.c"  # in neither: the code


@pytest.mark.parametrize(("language", "text"), [("en", "approved"), ("ro", "aprobată")])
def test_the_catalogues_in_use_speak_their_own_language_first(language: str, text: str) -> None:
    assert translations(language).gettext("status.approved") == text


TITLE = "<b>Seminar & co</b>"
_ns = SimpleNamespace
_dates = _ns(shown=["marți, 20 ianuarie 2027, 10:00–11:00"], more=2)
EVERYTHING: dict[str, Any] = {
    "name": "Ana",
    "base_url": "https://rooms.upt.ro",
    "request": _ns(
        title=TITLE, organisation="ETC", requester="Ana", organiser="Ion", attendance="20",
        status="pending", url="https://rooms.upt.ro/requests/1", dates=_dates,
        proposed=_ns(shown=[], more=0),
        rooms=[_ns(code="A1", name="Aula", building="Rectorat", address="Piața Victoriei 2")],
    ),
    "step": "tier 1 of 1", "my_requests": "https://rooms.upt.ro/requests", "change": False,
    "starts": "marți, 20 ianuarie 2027, 10:00", "comment": "a < b\nc", "calendar": True,
    "partly": False, "edit_url": "https://rooms.upt.ro/requests/1/edit", "approved": True,
    "until": "marți, 20 ianuarie 2027, 18:00", "finder_url": "https://rooms.upt.ro/?date=x&y=z",
    "alternatives": [_ns(room="Aula (A1)", building="Rectorat", when="10:00", url="/book?a=1&b=2")],
    "action": "dates_moved", "day": "marți, 20 ianuarie 2027", "moves": [("a", "b"), ("", "c")],
    "that_day": _dates, "count": 1,
    "waiting": [_ns(title=TITLE, organisation="ETC", first_date="x", waited="2 days", url="/r")],
    "failures": [_ns(id=1, kind="approved", recipient="a@upt.ro", reason="550", retry="/api/x")],
    "since": "luni", "audience": "requester", "optional": True,
    "settings_url": "https://rooms.upt.ro/account#notifications",
}  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(BUILDERS))
def test_every_template_renders_escaping_only_the_html(kind: Kind, language: str) -> None:
    """Every name a template uses is given (StrictUndefined would fail), no code is left
    unsaid, and what people typed is escaped in the HTML only."""
    rendered = render(kind.value, language, EVERYTHING)
    for said in (rendered.subject, rendered.text, rendered.html):
        assert re.search(r"\bmail\.[a-z]", said) is None, said
    assert "<b>" not in rendered.html
    if kind not in (Kind.DIGEST, Kind.FAILED_SUMMARY):
        assert TITLE in rendered.subject
        assert TITLE in rendered.text
        assert "&lt;b&gt;Seminar &amp; co&lt;/b&gt;" in rendered.html
    assert f'<html lang="{language}">' in rendered.html
