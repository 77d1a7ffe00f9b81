"""Use cases of accounts: signing in and out, tokens, and the administration of users."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from litestar.stores.base import Store

from booking.accounts import passwords, sessions, throttle
from booking.accounts.credentials import API_TOKEN_PREFIX, digest, new_api_token
from booking.accounts.schemas import (
    GrantCreate,
    GrantView,
    OrganisationRef,
    TokenCreated,
    TokenView,
    UserCreate,
    UserUpdate,
    UserView,
)
from booking.core.access import Role
from booking.core.errors import FieldProblem, NotFound, RuleViolation, WrongCredentials, refused
from booking.core.messages import Message
from booking.db import accounts, catalogue
from booking.db.tables import Building, Room


@dataclass(frozen=True, slots=True)
class SignIn:
    session_id: str
    session: sessions.Session
    user: UserView


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
    user = await accounts.user_by_email(email)
    stored_hash = user["password_hash"] if user is not None and user["active"] else None
    if not await passwords.verify_password(stored_hash, password) or user is None:
        raise WrongCredentials()
    await throttle.record_success(throttle_store, email, address)
    if passwords.needs_rehash(user["password_hash"]):
        await accounts.set_password_hash(user["id"], await passwords.hash_password(password))
    session_id, session = await sessions.start_session(session_store, user["id"], now)
    return SignIn(session_id, session, (await user_views([user]))[0])


async def change_password(
    user_id: int,
    current: str,
    new: str,
    throttle_store: Store,
    address: str,
    now: datetime,
) -> None:
    """A new password; every session of the user started before `now` ends. Wrong current
    passwords count against the same limits as failed sign-ins: a stolen session or token must
    not become a way to guess the password."""
    row = await accounts.user_by_id(user_id)
    assert row is not None
    full = await accounts.user_by_email(row["email"])
    assert full is not None
    await throttle.count_attempt(throttle_store, row["email"], address)
    if not await passwords.verify_password(full["password_hash"], current):
        raise refused("current_password", Message("password.not_current"))
    await throttle.record_success(throttle_store, row["email"], address)
    problem = passwords.password_problem(new)
    if problem:
        raise refused("new_password", problem)
    await accounts.change_password_hash(user_id, await passwords.hash_password(new), now)


async def user_views(rows: Sequence[dict[str, Any]]) -> list[UserView]:
    ids = [row["id"] for row in rows]
    grants: dict[int, list[GrantView]] = {i: [] for i in ids}
    for grant in await accounts.grants_of(ids):
        grants[grant["user"]].append(_grant_view(grant))
    organisations: dict[int, list[OrganisationRef]] = {i: [] for i in ids}
    for member in await accounts.memberships_of(ids):
        organisations[member["user"]].append(
            OrganisationRef(member["organisation"], member["code"], member["name"])
        )
    return [
        UserView(
            id=row["id"],
            email=row["email"],
            display_name=row["display_name"],
            language=row["language"],
            active=bool(row["active"]),
            created_at=row["created_at"],
            organisations=organisations[row["id"]],
            roles=grants[row["id"]],
        )
        for row in rows
    ]


def _grant_view(row: dict[str, Any]) -> GrantView:
    return GrantView(row["id"], row["role"], row["building"], row["room"], row["team"] or None)


async def get_user(user_id: int) -> UserView:
    row = await accounts.user_by_id(user_id)
    if row is None:
        raise NotFound("user")
    return (await user_views([row]))[0]


async def list_users(limit: int, offset: int) -> list[UserView]:
    return await user_views(await accounts.list_users(limit, offset))


async def create_user(data: UserCreate, now: datetime) -> UserView:
    """A new account; without a password it can only be used once an administrator sets one
    (or through tokens made for it)."""
    problems = []
    if await accounts.user_by_email(data.email) is not None:
        problems.append(FieldProblem("email", Message("accounts.email_taken")))
    if data.password is not None:
        problem = passwords.password_problem(data.password)
        if problem:
            problems.append(FieldProblem("password", problem))
    if not data.display_name.strip():
        problems.append(FieldProblem("display_name", Message("text.blank")))
    if problems:
        raise RuleViolation(problems)
    password_hash = await passwords.hash_password(data.password) if data.password else ""
    user_id = await accounts.insert_user(
        data.email, data.display_name, data.language, password_hash, now
    )
    return await get_user(user_id)


async def update_user(user_id: int, data: UserUpdate | Any) -> UserView:
    await get_user(user_id)
    values = {
        name: getattr(data, name)
        for name in data.__struct_fields__
        if getattr(data, name) is not msgspec.UNSET
    }
    if "display_name" in values:
        values["display_name"] = values["display_name"].strip()
        if not values["display_name"]:
            raise refused("display_name", Message("text.blank"))
    await accounts.update_user(user_id, values)
    return await get_user(user_id)


async def grant_role(user_id: int, data: GrantCreate) -> UserView:
    await get_user(user_id)
    problems = await _scope_problems(data)
    if problems:
        raise RuleViolation(problems)
    await accounts.add_grant(user_id, data.role, data.building, data.room, data.team or "")
    return await get_user(user_id)


async def _scope_problems(data: GrantCreate) -> list[FieldProblem]:
    problems = []
    if data.role == Role.APPROVER:
        if data.building is None and data.room is None:
            problems.append(FieldProblem("building", Message("grants.approver_needs_scope")))
        elif data.building is not None and data.room is not None:
            problems.append(FieldProblem("room", Message("grants.approver_one_scope")))
        if data.building is not None and not await Building.exists().where(
            Building.id == data.building
        ):
            problems.append(
                FieldProblem("building", Message("buildings.unknown", id=data.building))
            )
        if data.room is not None and not await Room.exists().where(Room.id == data.room):
            problems.append(FieldProblem("room", Message("rooms.unknown", id=data.room)))
    else:
        for name in ("building", "room"):
            if getattr(data, name) is not None:
                problems.append(
                    FieldProblem(name, Message("grants.no_scope", role=data.role, scope=name))
                )
    if data.role == Role.LOGISTICS and not data.team:
        problems.append(FieldProblem("team", Message("grants.logistics_needs_team")))
    if data.role != Role.LOGISTICS and data.team is not None:
        problems.append(
            FieldProblem("team", Message("grants.no_scope", role=data.role, scope="team"))
        )
    return problems


async def revoke_role(user_id: int, grant_id: int) -> UserView:
    if not await accounts.remove_grant(user_id, grant_id):
        raise NotFound("role")
    return await get_user(user_id)


async def add_membership(user_id: int, organisation_code: str) -> UserView:
    await get_user(user_id)
    organisation = await catalogue.organisation_by_code(organisation_code)
    if organisation is None:
        raise RuleViolation(
            [FieldProblem("organisation", Message("organisation.unknown", code=organisation_code))]
        )
    await accounts.add_membership(user_id, organisation.id)
    return await get_user(user_id)


async def remove_membership(user_id: int, organisation_code: str) -> UserView:
    organisation = await catalogue.organisation_by_code(organisation_code)
    if organisation is None or not await accounts.remove_membership(user_id, organisation.id):
        raise NotFound("membership")
    return await get_user(user_id)


def _token_view(row: dict[str, Any]) -> TokenView:
    return TokenView(
        id=row["id"],
        name=row["name"],
        prefix=row["prefix"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )


async def create_token(user_id: int, name: str, now: datetime) -> TokenCreated:
    if not name.strip():
        raise refused("name", Message("text.blank"))
    token = new_api_token()
    prefix = token[: len(API_TOKEN_PREFIX) + 6]
    row = await accounts.insert_token(user_id, name.strip(), digest(token), prefix, now)
    return TokenCreated(row["id"], row["name"], row["prefix"], row["created_at"], token)


async def list_tokens(user_id: int) -> list[TokenView]:
    return [_token_view(row) for row in await accounts.tokens_of(user_id)]


async def revoke_token(user_id: int, token_id: int, now: datetime) -> TokenView:
    row = await accounts.revoke_token(user_id, token_id, now)
    if row is None:
        raise NotFound("token")
    return _token_view(row)
