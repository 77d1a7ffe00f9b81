"""Account links: the one-time links e-mailed to set a password, after "forgot my password" or
when an administrator invites someone to an account.

A link's secret is never stored. It is derived, with HMAC-SHA256 under the service's secret
key, from what the link's row holds anyway (its id and when it was made): the request that makes
the link and the delivery that writes the e-mail derive the same secret, and the outbox keeps
only the link's id. The row keeps the secret's SHA-256 (accounts.credentials.digest), to find
the link by.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class Purpose(StrEnum):
    RESET = "reset"  # "forgot my password"
    INVITATION = "invitation"  # an account an administrator made


# How long a link works after it is made. A reset link is asked for by whoever is about to use
# it, so an hour is plenty; an invitation waits for someone who did not expect it.
LIFETIME = {Purpose.RESET: timedelta(minutes=60), Purpose.INVITATION: timedelta(days=7)}


class State(StrEnum):
    USABLE = "usable"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"  # a later link was used, or an invitation sent again
    ACCOUNT_INACTIVE = "account_inactive"  # its account was deactivated


@dataclass(frozen=True, slots=True)
class AccountLink:
    id: int
    user_id: int
    purpose: Purpose
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime, account_active: bool = True) -> State:
        """Whether the link may set its account's password at `now`, and if not, why."""
        if self.used_at is not None:
            return State.USED
        if self.revoked_at is not None:
            return State.REVOKED
        if now >= self.expires_at:
            return State.EXPIRED
        if not account_active:
            return State.ACCOUNT_INACTIVE
        return State.USABLE


def link_secret(secret_key: str, link_id: int, created_at: datetime) -> str:
    """The link's secret: 256 bits, URL-safe. Anyone with the key and the row can derive it,
    nobody without the key can, and no two links share it."""
    # A time without a zone is UTC, as SQLite keeps it.
    aware = created_at if created_at.tzinfo is not None else created_at.replace(tzinfo=UTC)
    made = aware.astimezone(UTC).isoformat(timespec="microseconds")
    mac = hmac.new(secret_key.encode(), f"account-link\0{link_id}\0{made}".encode(), "sha256")
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()
