"""Personal API tokens: made, listed and revoked by their owner."""

from __future__ import annotations

from datetime import datetime

from booking.accounts.credentials import API_TOKEN_PREFIX, digest, new_api_token
from booking.core.accounts import Token
from booking.core.errors import NotFound, refused
from booking.core.messages import Message
from booking.db import accounts


async def create_token(user_id: int, name: str, now: datetime) -> tuple[Token, str]:
    """A new token, and the token itself: shown this once, only its digest is kept."""
    if not name.strip():
        raise refused("name", Message("text.blank"))
    secret = new_api_token()
    prefix = secret[: len(API_TOKEN_PREFIX) + 6]
    token = await accounts.insert_token(user_id, name.strip(), digest(secret), prefix, now)
    return token, secret


async def list_tokens(user_id: int) -> list[Token]:
    return await accounts.tokens_of(user_id)


async def revoke_token(user_id: int, token_id: int, now: datetime) -> Token:
    token = await accounts.revoke_token(user_id, token_id, now)
    if token is None:
        raise NotFound("token")
    return token
