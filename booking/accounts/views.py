"""The API's views of accounts and tokens."""

from __future__ import annotations

import msgspec

from booking.accounts.schemas import GrantView, OrganisationRef, TokenCreated, TokenView, UserView
from booking.core.accounts import Account, Token


def account_view(account: Account) -> UserView:
    user = account.user
    return UserView(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        language=user.language,
        active=user.active,
        created_at=user.created_at,
        daily_digest=user.daily_digest,
        event_reminders=user.event_reminders,
        organisations=[
            OrganisationRef(m.organisation_id, m.code, m.name) for m in account.organisations
        ],
        roles=[GrantView(g.id, g.role, g.building_id, g.room_id, g.team) for g in account.grants],
    )


def token_view(token: Token) -> TokenView:
    return msgspec.convert(token, TokenView, from_attributes=True)


def created_token_view(token: Token, secret: str) -> TokenCreated:
    return TokenCreated(token.id, token.name, token.prefix, token.created_at, secret)
