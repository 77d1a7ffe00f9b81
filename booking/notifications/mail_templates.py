"""The e-mails' templates (frontend/templates/mail): a subject, a plain text and an HTML body
per kind of message, in the recipient's language.

One Jinja environment of their own, shared by every render: it escapes the HTML templates
(`*.html.j2`) and leaves the text ones alone. `_("mail.approved.intro", title=…)` says a message
code in the language of the render under way, which a context variable holds, so concurrent
renders in different languages never mix (a language installed on the shared environment for
each render would).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from booking.core.messages import Message
from booking.i18n import DEFAULT_LANGUAGE, Texts, texts

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "frontend" / "templates"

_speaking: ContextVar[Texts | None] = ContextVar("mail_texts", default=None)


def say(code: str, /, **params: Any) -> str:
    """The text of message `code` in the language of the e-mail being rendered."""
    return (_speaking.get() or texts(DEFAULT_LANGUAGE))(Message(code, **params))


@contextmanager
def speaking(language: str) -> Iterator[Texts]:
    token = _speaking.set(texts(language))
    try:
        yield texts(language)
    finally:
        _speaking.reset(token)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        auto_reload=False,
    )
    env.globals.update(_=say)
    return env


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(kind: str, language: str, context: Mapping[str, Any]) -> Rendered:
    """The e-mail of `kind` in `language`: mail/<kind>.subject.txt.j2, .txt.j2 and .html.j2.
    The subject is given to the bodies too (the HTML's title and heading)."""
    env = environment()
    with speaking(language) as said:
        plain = env.get_template(f"mail/{kind}.subject.txt.j2").render(context)
        subject = " ".join(plain.split())
        values = {**context, "subject": subject, "language": said.language}
        return Rendered(
            subject=said(Message("mail.subject", subject=subject)),
            text=_tidy(env.get_template(f"mail/{kind}.txt.j2").render(values)),
            html=env.get_template(f"mail/{kind}.html.j2").render(values),
        )


def _tidy(text: str) -> str:
    """Plain text without the blank lines and trailing spaces that optional parts leave."""
    # "-- " keeps its space: it is how mail clients know the signature.
    lines = [line if line == "-- " else line.rstrip() for line in text.strip().splitlines()]
    kept = [line for n, line in enumerate(lines) if line or (n > 0 and lines[n - 1])]
    return "\n".join(kept) + "\n"
