"""HTTP endpoints: sign-in and out, the caller's own account and tokens, user administration."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, TooManyRequestsException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import (
    HTTP_202_ACCEPTED,
    HTTP_204_NO_CONTENT,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
)
from piccolo.engine.base import Engine

from booking.accounts import links, password_reset, signing_in, tokens, users
from booking.accounts.commands import GrantRequest, NewUser, UserChanges
from booking.accounts.current_user import CurrentUser
from booking.accounts.guards import requires_admin, requires_login
from booking.accounts.schemas import (
    GrantCreate,
    InvitationSent,
    Me,
    MembershipCreate,
    PasswordChange,
    PasswordReset,
    PasswordResetRequest,
    PasswordResetRequested,
    PreferencesUpdate,
    SignedIn,
    SignInForm,
    TokenCreate,
    TokenCreated,
    TokenView,
    UserCreate,
    UserUpdate,
    UserView,
)
from booking.accounts.sessions import (
    COOKIE,
    SESSION_MAX_AGE,
    end_session,
    session_cookie,
)
from booking.accounts.stores import SESSIONS, THROTTLE
from booking.accounts.throttle import Throttled
from booking.accounts.views import account_view, created_token_view, token_view
from booking.api import MAX_OFFSET
from booking.api.places import building_id, room_id
from booking.api.updates import sent_fields
from booking.core.messages import Message
from booking.i18n import Texts
from booking.settings import Settings


def client_address(request: Request[Any, Any, Any]) -> str:
    """What the login limits count per client (the proxy's forwarded address, if trusted)."""
    return request.client.host if request.client else "unknown"


@contextmanager
def _throttled_as_429(message: Message) -> Iterator[None]:
    try:
        yield
    except Throttled as throttled:
        raise TooManyRequestsException(
            headers={"Retry-After": str(throttled.retry_after)}, extra={"message": message}
        ) from None


class AuthController(Controller):
    path = "/api/auth"
    tags = ("accounts",)

    @post(
        "/login",
        status_code=200,
        opt={"csrf_exempt": True},
        summary="Sign in with e-mail and password",
        description="Sets the session cookie and returns the CSRF token to send as X-CSRF-Token "
        "with every change. 401 without saying which of e-mail or password was wrong; 429 "
        "after too many failures.",
    )
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SignInForm],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> Response[SignedIn]:
        if request.content_type[0] != "application/json":
            # Sign-in is the one change without a CSRF token. A page elsewhere can post a form
            # whose text/plain body reads as JSON, and sign a visitor into its author's account;
            # it cannot send application/json without the browser asking this server first.
            raise ClientException(
                status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                extra={"message": Message("sign_in.send_json")},
            )
        with _throttled_as_429(Message("sign_in.throttled")):
            signed = await signing_in.sign_in_anew(
                request.app.stores.get(SESSIONS),
                request.app.stores.get(THROTTLE),
                request.cookies.get(COOKIE),
                data.email,
                data.password,
                client_address(request),
                now,
            )
        return Response(
            SignedIn(account_view(signed.account), signed.session.csrf_token),
            cookies=[
                session_cookie(signed.session_id, settings, int(SESSION_MAX_AGE.total_seconds()))
            ],
        )

    @post(
        "/logout",
        status_code=HTTP_204_NO_CONTENT,
        guards=[requires_login],
        summary="Sign out: the session ends on the server",
    )
    async def sign_out(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[CurrentUser],
        settings: NamedDependency[Settings],
    ) -> Response[None]:
        if user.session is not None:
            await end_session(request.app.stores.get(SESSIONS), user.session.key)
        return Response(None, status_code=204, cookies=[session_cookie("", settings, 0)])

    @get("/me", guards=[requires_login], summary="The signed-in user, roles and memberships")
    async def me(self, user: NamedDependency[CurrentUser]) -> Me:
        csrf = user.session.csrf_token if user.session else None
        return Me(account_view(await users.get_account(user.id)), csrf)

    @patch(
        "/me",
        guards=[requires_login],
        summary="Change your name, language or which e-mails you get",
        description="daily_digest: the approvers' morning list of requests waiting for them;"
        " event_reminders: the e-mail the evening before each of your events. Decisions on"
        " your own requests are always sent.",
    )
    async def update_me(
        self, user: NamedDependency[CurrentUser], data: JSONBody[PreferencesUpdate]
    ) -> UserView:
        return account_view(await users.update_user(user.id, UserChanges(sent_fields(data))))

    @post(
        "/password",
        status_code=HTTP_204_NO_CONTENT,
        guards=[requires_login],
        summary="Change your password",
    )
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        user: NamedDependency[CurrentUser],
        data: JSONBody[PasswordChange],
        now: NamedDependency[datetime],
    ) -> None:
        with _throttled_as_429(Message("password.throttled")):
            await signing_in.change_own_password(
                user,
                data.current_password,
                data.new_password,
                request.app.stores.get(SESSIONS),
                request.app.stores.get(THROTTLE),
                client_address(request),
                now,
            )

    @post(
        "/password-reset-request",
        status_code=HTTP_202_ACCEPTED,
        opt={"csrf_exempt": True},
        summary="Forgot your password: ask for a link to set a new one",
        description="If an active account has this address, it is e-mailed a link to set a new "
        "password, valid for 60 minutes and once. The answer is the same whether or not "
        "one has: it never says which addresses have an account. 429 after too many "
        "requests for one address or from one client.",
    )
    async def request_password_reset(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PasswordResetRequest],
        engine: NamedDependency[Engine],
        settings: NamedDependency[Settings],
        texts: NamedDependency[Texts],
        now: NamedDependency[datetime],
    ) -> Response[PasswordResetRequested]:
        with _throttled_as_429(Message("password_reset.throttled")):
            await password_reset.count_request(
                request.app.stores.get(THROTTLE), data.email, client_address(request)
            )
        send = BackgroundTask(
            password_reset.send_link_after_answer,
            engine,
            data.email,
            settings.secret_key,
            settings.mail.message_id_domain,
            now,
        )
        answer = PasswordResetRequested(texts(Message("password_reset.requested")))
        return Response(answer, status_code=HTTP_202_ACCEPTED, background=send)

    @post(
        "/password-reset",
        status_code=HTTP_204_NO_CONTENT,
        opt={"csrf_exempt": True},
        summary="Set a password with an e-mailed link",
        description="`secret` is the last part of the link's path (/reset-password/<secret>), "
        "from a password reset or an invitation. Every session of the account ends and "
        "every other link it was sent stops working; sign in with the new password. 404 "
        "for a secret that is no link's, 410 for a link used, expired or replaced.",
    )
    async def reset_password(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PasswordReset],
        engine: NamedDependency[Engine],
        now: NamedDependency[datetime],
    ) -> None:
        throttle_store = request.app.stores.get(THROTTLE)
        await links.set_password(engine, throttle_store, data.secret, data.password, now)

    @get("/tokens", guards=[requires_login], summary="Your API tokens (never the tokens)")
    async def list_tokens(self, user: NamedDependency[CurrentUser]) -> list[TokenView]:
        return [token_view(token) for token in await tokens.list_tokens(user.id)]

    @post(
        "/tokens",
        guards=[requires_login],
        summary="Make a personal API token",
        description="The token is in this answer only; send it as 'Authorization: Bearer …'.",
    )
    async def create_token(
        self,
        user: NamedDependency[CurrentUser],
        data: JSONBody[TokenCreate],
        now: NamedDependency[datetime],
    ) -> TokenCreated:
        return created_token_view(*await tokens.create_token(user.id, data.name, now))

    @delete(
        "/tokens/{token_id:int}",
        guards=[requires_login],
        summary="Revoke one of your API tokens",
    )
    async def revoke_token(
        self,
        token_id: FromPath[int],
        user: NamedDependency[CurrentUser],
        now: NamedDependency[datetime],
    ) -> None:
        await tokens.revoke_token(user.id, token_id, now)


class UserController(Controller):
    path = "/api/users"
    tags = ("accounts",)
    guards = [requires_admin]  # noqa: RUF012

    @get("/", summary="Users (administrators)")
    async def list_users(
        self,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> list[UserView]:
        return [account_view(account) for account in await users.list_accounts(limit, offset)]

    @post(
        "/",
        summary="Create a user (administrators)",
        description="The user is e-mailed an invitation (in their language) with a link to "
        "choose their password, valid for 7 days; until then the account cannot sign in.",
    )
    async def create_user(
        self,
        data: JSONBody[UserCreate],
        user: NamedDependency[CurrentUser],
        engine: NamedDependency[Engine],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> UserView:
        command = NewUser(data.email, data.display_name, data.language)
        domain = settings.mail.message_id_domain
        created = await users.create_user(engine, command, user, settings.secret_key, domain, now)
        return account_view(created)

    @post(
        "/{user_id:int}/invitation",
        summary="Send the invitation again (administrators)",
        description="A new invitation with a new link; the earlier link stops working. 409 "
        "once the user has chosen a password (they can use 'forgot my password') or when "
        "the account is deactivated.",
    )
    async def invite_again(
        self,
        user_id: FromPath[int],
        user: NamedDependency[CurrentUser],
        engine: NamedDependency[Engine],
        settings: NamedDependency[Settings],
        now: NamedDependency[datetime],
    ) -> InvitationSent:
        domain = settings.mail.message_id_domain
        link = await users.invite_again(engine, user_id, user, settings.secret_key, domain, now)
        invited = await users.get_account(user_id)
        return InvitationSent(user_id, invited.user.email, link.expires_at)

    @get("/{user_id:int}", summary="One user (administrators)")
    async def get_user(self, user_id: FromPath[int]) -> UserView:
        return account_view(await users.get_account(user_id))

    @patch("/{user_id:int}", summary="Rename, change language, deactivate (administrators)")
    async def update_user(self, user_id: FromPath[int], data: JSONBody[UserUpdate]) -> UserView:
        return account_view(await users.update_user(user_id, UserChanges(sent_fields(data))))

    @post("/{user_id:int}/roles", status_code=200, summary="Grant a role (administrators)")
    async def grant_role(self, user_id: FromPath[int], data: JSONBody[GrantCreate]) -> UserView:
        building, room = await building_id(data.building), await room_id(data.room)
        grant = GrantRequest(data.role, building, room, data.team)
        return account_view(await users.grant_role(user_id, grant))

    @delete(
        "/{user_id:int}/roles/{grant_id:int}",
        status_code=200,
        summary="Take a role back (administrators)",
    )
    async def revoke_role(self, user_id: FromPath[int], grant_id: FromPath[int]) -> UserView:
        return account_view(await users.revoke_role(user_id, grant_id))

    @post(
        "/{user_id:int}/memberships",
        status_code=200,
        summary="Make the user a member of an organisation (administrators)",
    )
    async def add_membership(
        self, user_id: FromPath[int], data: JSONBody[MembershipCreate]
    ) -> UserView:
        return account_view(await users.add_membership(user_id, data.organisation))

    @delete(
        "/{user_id:int}/memberships/{organisation:str}",
        status_code=200,
        summary="End a membership (administrators)",
    )
    async def remove_membership(
        self, user_id: FromPath[int], organisation: FromPath[str]
    ) -> UserView:
        return account_view(await users.remove_membership(user_id, organisation))
