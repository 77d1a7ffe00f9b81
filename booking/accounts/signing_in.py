"""Signing in with a password, and changing it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from litestar.stores.base import Store

from booking.accounts import passwords, sessions, throttle
from booking.accounts.current_user import CurrentUser, Session
from booking.core.accounts import Account
from booking.core.errors import WrongCredentials, refused
from booking.core.messages import Message
from booking.db import accounts


@dataclass(frozen=True, slots=True)
class SignIn:
    session_id: str  # the cookie's value
    session: Session
    account: Account


async def sign_in(
    session_store: Store,
    throttle_store: Store,
    email: str,
    password: str,
    address: str,
    now: datetime,
) -> SignIn:
    """Check the password (throttled) and start a new session."""
    await throttle.count_attempt(throttle_store, email, address)
    found = await accounts.user_by_email(email)
    stored_hash = found[1] if found is not None and found[0].active else None
    if not await passwords.verify_password(stored_hash, password) or found is None:
        raise WrongCredentials()
    user, password_hash = found
    await throttle.record_success(throttle_store, email, address)
    if passwords.needs_rehash(password_hash):
        await accounts.set_password_hash(user.id, await passwords.hash_password(password))
    session_id, session = await sessions.start_session(session_store, user.id, now)
    (account,) = await accounts.accounts_of([user])
    return SignIn(session_id, session, account)


async def sign_in_anew(
    session_store: Store,
    throttle_store: Store,
    previous_cookie: str | None,
    email: str,
    password: str,
    address: str,
    now: datetime,
) -> SignIn:
    """Sign in, ending the session the browser came with: a new id at every sign-in, so a
    session id planted before it is worth nothing after."""
    if previous_cookie:
        previous = await sessions.load_session(session_store, previous_cookie, now)
        if previous is not None:
            await sessions.end_session(session_store, previous.key)
    return await sign_in(session_store, throttle_store, email, password, address, now)


async def change_own_password(
    user: CurrentUser,
    current: str,
    new: str,
    session_store: Store,
    throttle_store: Store,
    address: str,
    now: datetime,
) -> None:
    """The signed-in user's new password: every other session ends, the one it was given in
    (if any; not an API token) stays."""
    await change_password(user.email, current, new, throttle_store, address, now)
    if user.session is not None:
        await sessions.confirm_session(session_store, user.session, now)


async def change_password(
    email: str,
    current: str,
    new: str,
    throttle_store: Store,
    address: str,
    now: datetime,
) -> None:
    """A new password; every session of the user started before `now` ends. Wrong current
    passwords count against the same limits as failed sign-ins: a stolen session or token must
    not become a way to guess the password."""
    found = await accounts.user_by_email(email)
    assert found is not None
    user, password_hash = found
    await throttle.count_attempt(throttle_store, user.email, address)
    if not await passwords.verify_password(password_hash, current):
        raise refused("current_password", Message("password.not_current"))
    await throttle.record_success(throttle_store, user.email, address)
    problem = passwords.password_problem(new)
    if problem:
        raise refused("new_password", problem)
    await accounts.change_password_hash(user.id, await passwords.hash_password(new), now)
