"""Composing: an outbox message becomes the e-mail its recipient reads, in their language.

    composer = Composer(settings.base_url, sender, settings.default_zone)
    try:
        mail = await composer.compose(message, now)    # an email.message.EmailMessage
    except NothingToSay as gone:
        ...  # discard the message with gone.reason: its request is gone, nothing waits …

Each kind of message (core.notifications.Kind) has a builder, looked up in `Composer.builders`.
A builder is an async function of a MessageContext (the stored message, the time, the base URL,
the default time zone, the invitations' organizer) returning a Content: the subject, the plain
text, the HTML and, for an invitation, the calendar part with its method. Builders render the
kind's templates, frontend/templates/mail/<kind>.subject.txt.j2, <kind>.txt.j2 and
<kind>.html.j2, with `context.content(values)`, and raise NothingToSay when there is nothing left
to say. A kind is added, or its builder replaced, with `composer.register(kind, builder)`:

    async def password_reset(context: MessageContext) -> Content:
        return context.content({"reset_url": context.link(...), "audience": "requester"})

    composer.register(Kind.PASSWORD_RESET, password_reset)

Every subject starts with the service's name, "[Rezervări UPT] " or "[UPT Rooms] " (the catalogue
code mail.subject), so that people can sort and filter the e-mails; the envelope
(booking.notifications.envelope) adds the headers.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from booking.core.notifications import Kind
from booking.db.outbox import StoredMessage
from booking.notifications import alternatives, decisions, digest, failures, reminders, waiting
from booking.notifications.content import Builder, MessageContext
from booking.notifications.date_changes import dates_changed
from booking.notifications.envelope import Sender, envelope

BUILDERS: dict[Kind, Builder] = {
    Kind.SUBMITTED: waiting.submitted,
    Kind.AWAITING_DECISION: waiting.awaiting_decision,
    Kind.PENDING_SOON: waiting.pending_soon,
    Kind.APPROVED: decisions.approved,
    Kind.REJECTED: decisions.rejected,
    Kind.CHANGES_REQUESTED: decisions.changes_requested,
    Kind.HELD: decisions.held,
    Kind.HOLD_LAPSED: decisions.hold_lapsed,
    Kind.CANCELLED: decisions.cancelled,
    Kind.CHANGE_DECIDED: decisions.change_decided,
    Kind.DECLINED: alternatives.declined,
    Kind.DATES_CHANGED: dates_changed,
    Kind.REMINDER: reminders.reminder,
    Kind.DIGEST: digest.digest,
    Kind.FAILED_SUMMARY: failures.failed_summary,
}


_KINDS = frozenset(kind.value for kind in Kind)


class Composer:
    def __init__(self, base_url: str, sender: Sender, default_zone: ZoneInfo) -> None:
        self.base_url = base_url.rstrip("/")
        self.sender = sender
        self.default_zone = default_zone
        self.builders: dict[Kind, Builder] = dict(BUILDERS)

    def register(self, kind: Kind, builder: Builder) -> None:
        """Compose messages of `kind` with `builder` from now on."""
        self.builders[kind] = builder

    async def compose(self, message: StoredMessage, now: datetime) -> EmailMessage:
        """The e-mail of `message` at `now`. Raises NothingToSay when there is nothing left to
        say, LookupError for a kind no builder composes (a message to keep, not to discard:
        the builder may come with the next release), ValueError for an address no e-mail can
        go to."""
        builder = self.builders.get(Kind(message.kind)) if message.kind in _KINDS else None
        if builder is None:
            raise LookupError(f"no builder composes messages of kind {message.kind!r}")
        context = MessageContext(
            message=message,
            now=now,
            base_url=self.base_url,
            default_zone=self.default_zone,
            organizer=self.sender.organizer_mailbox,
        )
        content = await builder(context)
        return envelope(
            message,
            self.sender,
            content.subject,
            content.text,
            content.html,
            content.calendar,
            now=now,
        )
