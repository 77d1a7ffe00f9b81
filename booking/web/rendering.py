"""A page's response: its template with what every page shows (the user, the navigation for
their roles, the language, the form token), and the headers every page carries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.response import Template

from booking.accounts.current_user import CurrentUser
from booking.core.messages import Message
from booking.web.csrf import form_token, visitor_cookies
from booking.web.language import current_texts

# No inline scripts anywhere; style attributes are allowed because the calendar sets its
# layout through them.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@dataclass(frozen=True, slots=True)
class NavItem:
    href: str
    label: Message
    current: bool


def _navigation(user: CurrentUser | None, path: str) -> list[NavItem]:
    links = [
        ("/book", Message("nav.book")),
        ("/rooms", Message("nav.rooms")),
        ("/calendar", Message("nav.calendar")),
        ("/events", Message("nav.events")),
    ]
    if user is not None:
        links.append(("/requests", Message("nav.my_requests")))
    return [
        NavItem(href, label, path == href or path.startswith(href + "/")) for href, label in links
    ]


def current_user(request: Request[Any, Any, Any]) -> CurrentUser | None:
    user = request.scope.get("user")
    return user if isinstance(user, CurrentUser) else None


def is_fragment_request(request: Request[Any, Any, Any]) -> bool:
    """htmx asks for a part of the page, not for a page of its own (a history restore does)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def page(
    request: Request[Any, Any, Any],
    template_name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Template:
    user = current_user(request)
    texts = current_texts()
    base = {
        "user": user,
        "language": texts.language,
        "csrf_token": form_token(request),
        "navigation": _navigation(user, request.url.path),
        "path": request.url.path,
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        "fragment": is_fragment_request(request),
    }
    settings = request.app.state["settings"]
    # A signed-in page holds personal data (a new token, a request's contacts): no copy of it
    # is kept for the Back button of whoever uses the browser next.
    private = {"Cache-Control": "no-store"} if user is not None else {}
    return Template(
        template_name=template_name,
        context={**base, **(context or {})},
        status_code=status_code,
        headers={**SECURITY_HEADERS, **private, **(headers or {})},
        cookies=visitor_cookies(request, settings),
    )
