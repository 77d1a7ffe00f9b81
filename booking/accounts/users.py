"""Administration of users: accounts, their roles and their memberships."""

from __future__ import annotations

from datetime import datetime

from piccolo.engine.base import Engine

from booking.accounts.commands import GrantRequest, NewUser, UserChanges
from booking.accounts.current_user import CurrentUser
from booking.accounts.links import write_link
from booking.core.access import Role
from booking.core.account_links import AccountLink, Purpose
from booking.core.accounts import Account, User
from booking.core.errors import (
    FieldProblem,
    NotFound,
    RuleViolation,
    TransitionNotAllowed,
    refused,
)
from booking.core.messages import Message
from booking.db import account_links, accounts, catalogue, commits, outbox
from booking.db.transactions import in_writing_transaction


async def _user(user_id: int) -> User:
    user = await accounts.user_by_id(user_id)
    if user is None:
        raise NotFound("user")
    return user


async def _account(user: User) -> Account:
    (account,) = await accounts.accounts_of([user])
    return account


async def get_account(user_id: int) -> Account:
    return await _account(await _user(user_id))


async def list_accounts(limit: int, offset: int) -> list[Account]:
    return await accounts.accounts_of(await accounts.list_users(limit, offset))


async def create_user(
    engine: Engine,
    command: NewUser,
    inviter: CurrentUser,
    secret_key: str,
    domain: str,
    now: datetime,
) -> Account:
    """A new account, without a password, and in the same transaction the invitation e-mailed
    to its address: a link to choose the password, valid for a week. Nobody but the account's
    owner ever types its password."""
    problems = []
    if await accounts.user_by_email(command.email) is not None:
        problems.append(FieldProblem("email", Message("accounts.email_taken")))
    if not command.display_name.strip():
        problems.append(FieldProblem("display_name", Message("text.blank")))
    if problems:
        raise RuleViolation(problems)

    async def create_and_invite() -> tuple[int, list[outbox.Due]]:
        user_id = await accounts.insert_user(
            command.email, command.display_name, command.language, "", now
        )
        _, written = await _invite(await _user(user_id), inviter, secret_key, domain, now)
        return user_id, written

    user_id, written = await in_writing_transaction(engine, create_and_invite)
    commits.announce(engine, written)
    return await get_account(user_id)


async def invite_again(
    engine: Engine,
    user_id: int,
    inviter: CurrentUser,
    secret_key: str,
    domain: str,
    now: datetime,
) -> AccountLink:
    """A new invitation for an account whose owner has not chosen a password yet; the link of
    the earlier one no longer works."""
    user = await _user(user_id)
    if not user.active:
        raise TransitionNotAllowed(Message("invitation.account_inactive"))
    found = await accounts.user_by_email(user.email)
    if found is not None and found[1]:
        raise TransitionNotAllowed(Message("invitation.password_chosen"))

    async def revoke_and_invite() -> tuple[AccountLink, list[outbox.Due]]:
        await account_links.revoke_open(user.id, now, Purpose.INVITATION)
        return await _invite(user, inviter, secret_key, domain, now)

    link, written = await in_writing_transaction(engine, revoke_and_invite)
    commits.announce(engine, written)
    return link


async def _invite(
    user: User, inviter: CurrentUser, secret_key: str, domain: str, now: datetime
) -> tuple[AccountLink, list[outbox.Due]]:
    # The inviter is named as they were named when they sent it.
    inviter_data = {"inviter": inviter.display_name, "inviter_id": inviter.id}
    return await write_link(user, Purpose.INVITATION, secret_key, domain, now, inviter_data)


async def update_user(user_id: int, changes: UserChanges) -> Account:
    await _user(user_id)
    values = dict(changes.values)
    if "display_name" in values:
        values["display_name"] = values["display_name"].strip()
        if not values["display_name"]:
            raise refused("display_name", Message("text.blank"))
    await accounts.update_user(user_id, values)
    return await get_account(user_id)


async def _scope_problems(grant: GrantRequest) -> list[FieldProblem]:
    problems = []
    if grant.role == Role.APPROVER:
        if grant.building is None and grant.room is None:
            problems.append(FieldProblem("building", Message("grants.approver_needs_scope")))
        elif grant.building is not None and grant.room is not None:
            problems.append(FieldProblem("room", Message("grants.approver_one_scope")))
        if grant.building is not None and await catalogue.building(grant.building) is None:
            problems.append(
                FieldProblem("building", Message("buildings.unknown", id=grant.building))
            )
        if grant.room is not None and not await catalogue.rooms_by_id([grant.room]):
            problems.append(FieldProblem("room", Message("rooms.unknown", id=grant.room)))
    else:
        for name in ("building", "room"):
            if getattr(grant, name) is not None:
                problems.append(
                    FieldProblem(name, Message("grants.no_scope", role=grant.role, scope=name))
                )
    if grant.role == Role.LOGISTICS and not grant.team:
        problems.append(FieldProblem("team", Message("grants.logistics_needs_team")))
    if grant.role != Role.LOGISTICS and grant.team is not None:
        scope = Message("grants.no_scope", role=grant.role, scope="team")
        problems.append(FieldProblem("team", scope))
    return problems


async def grant_role(user_id: int, grant: GrantRequest) -> Account:
    user = await _user(user_id)
    problems = await _scope_problems(grant)
    if problems:
        raise RuleViolation(problems)
    await accounts.add_grant(user_id, grant.role, grant.building, grant.room, grant.team or "")
    return await _account(user)


async def revoke_role(user_id: int, grant_id: int) -> Account:
    if not await accounts.remove_grant(user_id, grant_id):
        raise NotFound("role")
    return await get_account(user_id)


async def add_membership(user_id: int, organisation_code: str) -> Account:
    user = await _user(user_id)
    organisation = await catalogue.organisation_by_code(organisation_code)
    if organisation is None:
        raise refused("organisation", Message("organisation.unknown", code=organisation_code))
    await accounts.add_membership(user_id, organisation.id)
    return await _account(user)


async def remove_membership(user_id: int, organisation_code: str) -> Account:
    organisation = await catalogue.organisation_by_code(organisation_code)
    if organisation is None or not await accounts.remove_membership(user_id, organisation.id):
        raise NotFound("membership")
    return await get_account(user_id)
