"""The e-mails about an account: a link to set a new password ("forgot my password"), and the
invitation to an account an administrator made.

Each carries the account's link. The outbox holds only the link's id: the secret is derived
again here from the link's row and the service's secret key (core.account_links), which is why
the builder is made with the key. A link used, expired or replaced before its e-mail goes out
leaves the e-mail nothing to say.
"""

from __future__ import annotations

from booking.core.account_links import AccountLink, State, link_secret
from booking.core.messages import Duration
from booking.core.notifications import Kind
from booking.db import account_links, accounts
from booking.notifications.composing import Composer
from booking.notifications.content import Content, MessageContext
from booking.notifications.envelope import NothingToSay
from booking.notifications.request_view import moment

# The page where a link's secret is used (booking.pages.password_links; that layer is above
# this one), and the one where another link is asked for.
SET_PASSWORD_PAGE = "/reset-password/"
FORGOT_PASSWORD_PAGE = "/forgot-password"


class AccountLinkMail:
    """The builder of both kinds of account e-mail."""

    def __init__(self, secret_key: str) -> None:
        self._secret_key = secret_key

    async def __call__(self, context: MessageContext) -> Content:
        link = await _usable_link(context)
        secret = link_secret(self._secret_key, link.id, link.created_at)
        values = {
            "url": context.link(SET_PASSWORD_PAGE + secret),
            "forgot_url": context.link(FORGOT_PASSWORD_PAGE),
            "email": context.message.address,
            "lifetime": context.texts.duration(Duration.of(link.expires_at - link.created_at)),
            "expires": moment(link.expires_at, context.default_zone, context.texts),
            "inviter": str(context.data.get("inviter", "")),
            "audience": "account",
        }
        return context.content(values)


async def _usable_link(context: MessageContext) -> AccountLink:
    link_id = context.data.get("link")
    link = await account_links.link_by_id(link_id) if isinstance(link_id, int) else None
    if link is None:
        raise NothingToSay("its account link is gone")
    user = await accounts.user_by_id(link.user_id)
    state = link.state(context.now, user is not None and user.active)
    if state is State.ACCOUNT_INACTIVE:
        raise NothingToSay("its account is deactivated")
    if state is not State.USABLE:
        # A later link was used or sent, or this one ran out while the e-mail waited.
        raise NothingToSay(f"its account link is {state.value} already")
    return link


def register_account_mail(composer: Composer, secret_key: str) -> None:
    builder = AccountLinkMail(secret_key)
    composer.register(Kind.PASSWORD_RESET, builder)
    composer.register(Kind.ACCOUNT_INVITATION, builder)
