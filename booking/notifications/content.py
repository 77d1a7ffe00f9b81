"""What a builder of one kind of e-mail is given, and what it gives back.

A builder is `async def build(context: MessageContext) -> Content`: it reads what it needs (the
request, the waiting list…), renders the kind's templates in the recipient's language and says
whether a calendar invitation goes with it. It raises NothingToSay when there is nothing left to
say. booking.notifications.composing dispatches to the builders by kind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from booking.calendars.invitations import Mailbox, Method
from booking.core.booking import Booking
from booking.core.errors import NotFound
from booking.db.outbox import StoredMessage
from booking.feeds.invitations import invitation_of
from booking.i18n import Texts, texts
from booking.notifications.mail_templates import render


@dataclass(frozen=True, slots=True)
class Content:
    subject: str  # with the service's prefix
    text: str
    html: str
    calendar: tuple[bytes, Method] | None = None


@dataclass(frozen=True, slots=True)
class MessageContext:
    """One stored message to compose, at `now`, for the service at `base_url`."""

    message: StoredMessage
    now: datetime
    base_url: str
    default_zone: ZoneInfo
    organizer: Mailbox

    @property
    def texts(self) -> Texts:
        return texts(self.message.language)

    @property
    def data(self) -> Mapping[str, Any]:
        return self.message.data

    def link(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def content(
        self, values: Mapping[str, Any], calendar: tuple[bytes, Method] | None = None
    ) -> Content:
        """The message's own kind rendered with `values` (the recipient's name and the base
        URL besides)."""
        context = {"name": self.message.name, "base_url": self.base_url, **values}
        rendered = render(self.message.kind, self.message.language, context)
        return Content(rendered.subject, rendered.text, rendered.html, calendar)

    async def invitation(self, booking: Booking, method: Method) -> tuple[bytes, Method] | None:
        """The request's invitation for this recipient; None when it has no date to put in a
        calendar (every one cancelled or refused meanwhile)."""
        attendee = Mailbox(self.message.address, self.message.name)
        try:
            body = await invitation_of(
                booking,
                method,
                self.organizer,
                attendee,
                self.message.language,
                self.base_url,
                self.default_zone,
            )
        except NotFound:
            return None
        return body, method


Builder = Callable[[MessageContext], Awaitable[Content]]
