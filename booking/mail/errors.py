"""Why a message was not sent: for good, or for now.

The outbox decides from the class alone: a refused message is recorded as failed and never tried
again; a deferred one is tried again later, unchanged.
"""

from __future__ import annotations


class DeliveryRefused(Exception):
    """The server refused this message for good (5xx): sending it again cannot succeed.

    A recipient that does not exist, a message the server will not take, an address no server
    could accept.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # what the server said, its code first: "550 5.1.1 …"


class DeliveryDeferred(Exception):
    """The message could not be sent now; the same message may well go through later.

    A 4xx answer, a server that cannot be reached, a connection reset or timed out, a TLS
    handshake that failed. Rejected credentials count here too: they are the service's
    configuration, not the message's fault, and once an operator fixes them the messages waiting
    must still go.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
