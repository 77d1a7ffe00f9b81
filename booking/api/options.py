"""OPTIONS answered with every method of the path.

Litestar 2 makes the OPTIONS handler of a path when the path's first handler is registered, and
that handler goes on listing only the methods known then (litestar#4169, fixed in Litestar 3):
`OPTIONS /api/bookings` said `OPTIONS, POST`. The route table, complete once the app is built,
knows them all.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from litestar import Litestar, Request, Response
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT


@cache
def _methods_by_path(app: Litestar) -> dict[str, str]:
    return {
        route.path_format: ", ".join(sorted(route.methods))
        for route in app.routes
        if isinstance(route, HTTPRoute)
    }


def answer_options(request: Request[Any, Any, Any]) -> Response[None] | None:
    if request.method != "OPTIONS":
        return None
    methods = _methods_by_path(request.app).get(request.scope.get("path_template", ""))
    if methods is None:
        return None
    return Response(None, status_code=HTTP_204_NO_CONTENT, headers={"Allow": methods})
