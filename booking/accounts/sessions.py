"""Server-side sessions: the cookie carries a random id, the store keeps the rest.

The store is keyed by the id's digest, so a copy of the store does not hand out live cookies.
Every sign-in starts a new session (no fixation); signing out deletes it. A session lapses after
SESSION_IDLE without use and after SESSION_MAX_AGE whatever happens, and a password change ends
every session of the user but the one it was made in.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from litestar.datastructures import Cookie
from litestar.stores.base import Store

from booking.accounts.credentials import digest, new_secret
from booking.accounts.current_user import Session
from booking.settings import Settings

COOKIE = "upt_session"
CSRF_HEADER = "x-csrf-token"
# A page's form sends the token as this field instead of the header.
CSRF_FIELD = "csrf_token"
# Visitors' forms (sign-in, language) have no session: the token is also kept in this cookie,
# and a form is taken only when both agree (a page elsewhere can send the cookie, not read it).
VISITOR_CSRF_COOKIE = "upt_csrf"
SESSION_IDLE = timedelta(hours=8)
SESSION_MAX_AGE = timedelta(days=7)


async def start_session(store: Store, user_id: int, now: datetime) -> tuple[str, Session]:
    """A new session for `user_id`; returns the cookie value and the session."""
    session_id = new_secret()
    session = Session(digest(session_id), user_id, new_secret(), now, now)
    await _store(store, session)
    return session_id, session


async def _store(store: Store, session: Session) -> None:
    payload = {
        "user": session.user_id,
        "csrf": session.csrf_token,
        "started": session.started_at.isoformat(),
        "confirmed": session.confirmed_at.isoformat(),
    }
    await store.set(session.key, json.dumps(payload), expires_in=SESSION_IDLE)


async def load_session(store: Store, session_id: str, now: datetime) -> Session | None:
    key = digest(session_id)
    raw = await store.get(key, renew_for=SESSION_IDLE)
    if raw is None:
        return None
    try:
        payload = json.loads(raw)
        started = datetime.fromisoformat(payload["started"]).astimezone(UTC)
        confirmed = datetime.fromisoformat(payload.get("confirmed", payload["started"]))
        session = Session(
            key, int(payload["user"]), str(payload["csrf"]), started, confirmed.astimezone(UTC)
        )
    except (ValueError, KeyError, TypeError):
        await store.delete(key)
        return None
    if now - session.started_at > SESSION_MAX_AGE:
        await store.delete(key)
        return None
    return session


def ended_by_password_change(session: Session, sessions_valid_from: datetime | None) -> bool:
    return sessions_valid_from is not None and session.confirmed_at < sessions_valid_from


async def confirm_session(store: Store, session: Session, now: datetime) -> None:
    """The password was given in this session `now`: a password change made in it does not
    end it. Its cookie, CSRF token and start (for SESSION_MAX_AGE) stay."""
    await _store(store, replace(session, confirmed_at=now))


async def end_session(store: Store, key: str) -> None:
    await store.delete(key)


def site_cookie(
    key: str,
    value: str,
    settings: Settings,
    max_age: int | None = None,
    *,
    httponly: bool = True,
) -> Cookie:
    """A cookie of this site: for every path, not sent along by other sites' forms and images
    (SameSite=Lax), and over HTTPS only when the service is served so."""
    return Cookie(
        key=key,
        value=value,
        max_age=max_age,
        path="/",
        httponly=httponly,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
    )


def session_cookie(value: str, settings: Settings, max_age: int) -> Cookie:
    """The session cookie: `value` for `max_age` seconds (0 and "" remove it)."""
    return site_cookie(COOKIE, value, settings, max_age)
