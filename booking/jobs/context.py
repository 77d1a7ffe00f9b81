"""What every job function gets: the `ctx` mapping arq passes, filled the same way by both runners.

Keys: "engine" (the database), "settings", "mailer", "composer" (compose(message, now)), "queue"
(where jobs are handed over: arq's Redis or this process), and, in tests only, "clock" (a
callable giving the time, so that a test can move it on).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from piccolo.engine.base import Engine

from booking.mail import mailer_for
from booking.notifications.account_mail import register_account_mail
from booking.notifications.composing import Composer
from booking.notifications.envelope import Sender
from booking.settings import Settings


def now_of(ctx: dict[str, Any]) -> datetime:
    clock: Callable[[], datetime] | None = ctx.get("clock")
    return clock() if clock is not None else datetime.now(UTC)


def job_context(settings: Settings, engine: Engine) -> dict[str, Any]:
    """The context of the jobs of a process on `engine`, without its queue (the runner's)."""
    mail = settings.mail
    sender = Sender(from_address=mail.mail_from, reply_to=mail.reply_to, organizer=mail.organizer)
    composer = Composer(settings.base_url, sender, settings.default_zone)
    # The account e-mails derive their links from the secret key, which the composer lacks.
    register_account_mail(composer, settings.secret_key)
    return {
        "engine": engine,
        "settings": settings,
        "mailer": mailer_for(settings),
        "composer": composer,
    }
