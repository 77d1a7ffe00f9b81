"""Errors on pages: the same mapping of errors to statuses and sentences as the API
(api.errors), shown as a page instead of JSON. Not being signed in leads to the sign-in page,
which comes back here afterwards."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.response import Redirect

from booking.core.errors import NotSignedIn
from booking.core.messages import Message
from booking.web.language import speak_as
from booking.web.rendering import page
from booking.web.templates import said

Handler = Callable[[Request[Any, Any, Any], Exception], Response[Any]]


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(("/api/", "/static/", "/feeds/"))


def sign_in_redirect(request: Request[Any, Any, Any]) -> Redirect:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/sign-in?next={quote(here, safe='')}", status_code=303)


def _page_or_json(handler: Handler) -> Handler:
    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        answer = handler(request, exc)
        if _is_api(request):
            return answer
        if isinstance(exc, NotSignedIn) and request.method == "GET":
            return sign_in_redirect(request)
        speak_as(request)
        body = answer.content if isinstance(answer.content, Mapping) else {}
        message, detail = body.get("message", ""), ""
        if body.get("message_code") == "auth.csrf":
            # A page's form without its token: an old tab, or a form from another site.
            message = said(Message("form.expired"))
        elif answer.status_code == 404:
            # The API's sentence names what was not found; the page says it as a heading.
            specific = body.get("message_code") != "http.not_found"
            message, detail = said(Message("error.not_found")), message if specific else ""
        return page(
            request,
            "errors/error.html.j2",
            {
                "status": answer.status_code,
                "message": message,
                "detail": detail,
                "problems": body.get("errors", []),
            },
            status_code=answer.status_code or 500,
            headers={k: v for k, v in answer.headers.items() if k.lower() == "retry-after"},
        )

    return handle


def pages_too(handlers: Mapping[Any, Handler]) -> dict[Any, Handler]:
    """The API's error handlers, answering with a page outside /api."""
    return {kind: _page_or_json(handler) for kind, handler in handlers.items()}
