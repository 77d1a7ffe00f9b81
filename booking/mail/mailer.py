"""What sends a message: an SMTP server in production, files in a directory otherwise."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand the message over for delivery to the addresses in its To header.

        Returns once it is accepted; raises DeliveryRefused (never send it again) or
        DeliveryDeferred (send it again later). Several sends may run at once.
        """
        ...

    async def close(self) -> None:
        """Let go of what the mailer holds open; a send after it opens again."""
        ...
