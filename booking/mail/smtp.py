"""Sending through an SMTP server, over one connection kept open from one message to the next.

A batch of notifications goes over one connection instead of one connection (and TLS handshake,
and login) per message. Servers close idle connections after a while, so a kept connection is
asked whether it is still there (NOOP) before it carries a message, and replaced when it is not.
Checking first, rather than retrying a message after a failure, never sends a message twice:
a connection lost after the message's last line was sent may well have delivered it.
"""

from __future__ import annotations

import asyncio
import logging
from email.message import EmailMessage

import aiosmtplib

from booking.mail.errors import DeliveryDeferred, DeliveryRefused
from booking.settings import MailSettings

log = logging.getLogger(__name__)

# Answers about the service's own credentials, not about the message: authentication required
# (530), credentials rejected (535), encryption required to log in (538). Sent again once an
# operator has fixed the settings, the message goes through.
_CREDENTIALS_CODES = frozenset({530, 535, 538})


class SmtpMailer:
    """A Mailer on aiosmtplib; concurrent sends on one mailer take turns on its connection."""

    def __init__(self, settings: MailSettings) -> None:
        if settings.smtp_host is None:
            raise ValueError("SmtpMailer needs SMTP_HOST; without it use FileMailer")
        self._settings = settings
        self._client: aiosmtplib.SMTP | None = None
        self._turn = asyncio.Lock()

    async def send(self, message: EmailMessage) -> None:
        async with self._turn:
            client = await self._connection()
            try:
                # The recipients are read from the message's To, Cc and Bcc (Bcc is not sent).
                refused, _ = await client.send_message(
                    message, sender=self._settings.sender_address
                )
            except (
                aiosmtplib.SMTPRecipientsRefused,
                aiosmtplib.SMTPResponseException,
                aiosmtplib.SMTPNotSupported,
                ValueError,
            ) as error:
                # The server answered (aiosmtplib has reset the transaction), or the message
                # cannot be put on the wire at all: the connection is still good.
                raise _answer_to_error(error) from error
            except (aiosmtplib.SMTPException, OSError) as error:
                self._discard()
                raise DeliveryDeferred(_describe(error)) from error
            except BaseException:
                # Cancelled halfway through a transaction: the connection's state is unknown.
                self._discard()
                raise
        if refused:
            # Accepted for the other recipients, who must not get it twice: only logged. Our
            # notifications have one recipient each, and one refused recipient raises above.
            log.warning(
                "message %s refused for %s",
                message.get("Message-ID", "(no Message-ID)"),
                "; ".join(
                    f"{address}: {answer.code} {answer.message}"
                    for address, answer in refused.items()
                ),
            )

    async def close(self) -> None:
        async with self._turn:
            client, self._client = self._client, None
            if client is None:
                return
            try:
                if client.is_connected:
                    await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                pass  # closing anyway; a server that has gone needs no goodbye
            finally:
                client.close()

    async def _connection(self) -> aiosmtplib.SMTP:
        """The kept connection if the server still answers on it, else a new one."""
        client = self._client
        if client is not None:
            if client.is_connected:
                try:
                    await client.noop()
                    return client
                except (aiosmtplib.SMTPException, OSError):
                    pass
            self._discard()
        settings = self._settings
        client = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            timeout=settings.smtp_timeout,
            use_tls=settings.smtp_security == "tls",
            # Never opportunistic: "none" means plain text, "starttls" insists on the upgrade.
            start_tls=settings.smtp_security == "starttls",
            validate_certs=settings.smtp_tls_verify,
            username=settings.smtp_username,
            password=settings.smtp_password,
        )
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError) as error:
            # Whatever fails before a message is under way (the greeting, STARTTLS, the login,
            # even a 5xx answer to one of them) is about the server or the settings, not about
            # a message: every message waits for it to be fixed.
            raise DeliveryDeferred(
                f"{settings.smtp_host}:{settings.smtp_port}: {_describe(error)}"
            ) from error
        self._client = client
        return client

    def _discard(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _answer_to_error(error: Exception) -> DeliveryRefused | DeliveryDeferred:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        reason = "; ".join(_describe(refusal) for refusal in error.recipients)
        if all(_is_permanent(refusal) for refusal in error.recipients):
            return DeliveryRefused(reason)
        return DeliveryDeferred(reason)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        if _is_permanent(error) and not isinstance(error, aiosmtplib.SMTPHeloError):
            return DeliveryRefused(_describe(error))
        return DeliveryDeferred(_describe(error))
    # SMTPNotSupported (an address needs SMTPUTF8, which the server lacks) or ValueError (no
    # recipient, an address that cannot go on an SMTP command line): no retry will change it.
    return DeliveryRefused(_describe(error))


def _is_permanent(answer: aiosmtplib.SMTPResponseException) -> bool:
    return answer.code >= 500 and answer.code not in _CREDENTIALS_CODES


def _describe(error: BaseException) -> str:
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return f"{error.code} {error.message}"
    return str(error) or type(error).__name__
