"""Account links in use: one is made with the e-mail that carries it, opened from that e-mail,
and used once to set the account's password.

Setting a password through a link ends every session of the account and revokes every other
link it has not used (an older reset link, an invitation): whoever held one of those holds
nothing now. It does not sign anyone in: the new password is typed once more on the sign-in
page (the reason is in docs/api.md, "Forgotten passwords and invitations").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid
from typing import Any

from litestar.stores.base import Store
from piccolo.engine.base import Engine

from booking.accounts import passwords, throttle
from booking.accounts.credentials import digest
from booking.core.account_links import LIFETIME, AccountLink, Purpose, State, link_secret
from booking.core.accounts import User
from booking.core.errors import Gone, NotFound, refused
from booking.core.messages import Message
from booking.core.notifications import Kind
from booking.db import account_links, accounts, outbox
from booking.db.transactions import in_writing_transaction

# The e-mail that carries each purpose's link.
KIND = {Purpose.RESET: Kind.PASSWORD_RESET, Purpose.INVITATION: Kind.ACCOUNT_INVITATION}
# Why a link cannot be used, as its opener is told.
_GONE = {
    State.USED: Message("account_link.used"),
    State.EXPIRED: Message("account_link.expired"),
    State.REVOKED: Message("account_link.revoked"),
    State.ACCOUNT_INACTIVE: Message("account_link.account_inactive"),
}
# A secret is 43 characters; anything much longer is not one, and is not looked up.
_LONGEST_SECRET = 100


@dataclass(frozen=True, slots=True)
class OpenedLink:
    link: AccountLink
    user: User


async def write_link(
    user: User,
    purpose: Purpose,
    secret_key: str,
    domain: str,
    now: datetime,
    data: Mapping[str, Any] | None = None,
) -> tuple[AccountLink, list[outbox.Due]]:
    """In the caller's transaction: a new link for `user`, and the e-mail that will carry it
    (its data names the link; the secret is derived again when the e-mail is written). The
    e-mail is returned too, for commits.announce once the transaction has committed."""
    link = await account_links.insert_link(user.id, purpose, now, now + LIFETIME[purpose])
    secret = link_secret(secret_key, link.id, link.created_at)
    await account_links.set_secret_digest(link.id, digest(secret))
    message = outbox.NewMessage(
        kind=KIND[purpose].value,
        dedupe_key=f"account-link:{link.id}",
        address=user.email,
        name=user.display_name,
        language=user.language,
        message_id=make_msgid(domain=domain),
        recipient_id=user.id,
        data={"link": link.id, **(data or {})},
    )
    written = await outbox.add([message], now)
    return link, written


async def open_link(secret: str, now: datetime) -> OpenedLink:
    """The link of `secret` and its account, if it may still be used: NotFound for a secret
    that is no link's, Gone for a link used, expired or revoked, or whose account was
    deactivated."""
    found = None
    if 0 < len(secret) <= _LONGEST_SECRET:
        found = await account_links.link_by_digest(digest(secret))
    user = await accounts.user_by_id(found.user_id) if found is not None else None
    if found is None or user is None:
        raise NotFound("account_link")
    state = found.state(now, user.active)
    if state is not State.USABLE:
        raise Gone(_GONE[state])
    return OpenedLink(found, user)


async def set_password(
    engine: Engine, throttle_store: Store, secret: str, password: str, now: datetime
) -> OpenedLink:
    """The account's new password, through its link; the link is used up."""
    opened = await open_link(secret, now)
    problem = passwords.password_problem(password)
    if problem:
        raise refused("password", problem)
    # Hashed before the transaction: nothing slow runs while it holds SQLite's write lock.
    password_hash = await passwords.hash_password(password)
    user = opened.user

    async def use_and_set() -> bool:
        if not await account_links.use(opened.link.id, now):
            return False
        await accounts.change_password_hash(user.id, password_hash, now)
        await account_links.revoke_open(user.id, now)
        return True

    if not await in_writing_transaction(engine, use_and_set):
        # Used, revoked or deactivated meanwhile (two tabs sent the form at once): say which.
        await open_link(secret, now)
        raise Gone(_GONE[State.USED])
    # Its owner just proved who they are: failed sign-ins of the account no longer hold it.
    await throttle.forget_failures(throttle_store, user.email)
    return opened
