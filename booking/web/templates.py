"""The Jinja environment of the pages: `_()` says a message code in the page's language, the
filters say dates and times in words, `static_url()` gives versioned asset URLs.

Texts in templates are message codes from the same catalogues as the API's messages
(frontend/translations): `{{ _("finder.title") }}`, `{{ _("finder.found", count=3) }}`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from booking.core.messages import Message
from booking.web import formatting
from booking.web.assets import static_url
from booking.web.language import current_texts

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "frontend" / "templates"


def say(code: str, /, **params: Any) -> str:
    """The text of message `code` in the page's language."""
    return current_texts()(Message(code, **params))


def said(message: Message) -> str:
    """A message the service decided (a refusal, a reason), in the page's language."""
    return current_texts()(message)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # A name a template uses but no page passes is a mistake to hear of at once.
        undefined=StrictUndefined,
        auto_reload=False,
    )
    env.globals.update(_=say, static_url=static_url)
    env.filters.update(
        said=said,
        day_long=formatting.day_long,
        day_short=formatting.day_short,
        clock=formatting.clock,
        time_span=formatting.time_span,
        when=formatting.when,
        number=formatting.number,
    )
    return env
