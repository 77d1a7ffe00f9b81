"""The served OpenAPI document, completed with what Litestar cannot infer from the handlers.

Litestar documents a 400 in its own error shape, which this API never sends, and no other error;
every error here has the one shape of `ErrorBody`. The calendar import reads its body itself, so
Litestar does not know it takes one. And the document requires signing in everywhere, while
the catalogue, availability and sign-in itself are open to anyone.
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

import msgspec
from litestar import Litestar, Request
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.routes import HTTPRoute

from booking.api.errors import ErrorBody
from booking.api.places import ID_OR_CODE

_COMPONENTS = "#/components/schemas/{name}"
_ERROR_CONTENT = {"application/json": {"schema": {"$ref": _COMPONENTS.format(name="ErrorBody")}}}
_ANY_ERROR = {
    "description": "Any other error (401, 403, 404, 409, 422, 429, 503), in the same shape: "
    "`errors` names each field and the reason; a 409 lists the `conflicts` and `alternatives`, "
    "or the `current` state of what was to change.",
    "content": _ERROR_CONTENT,
}
_CALENDAR_BODY = {
    "required": True,
    "description": "The iCalendar (.ics) file itself, at most 5 MB; not a form. Any other "
    "Content-Type than text/calendar, or none, is refused with 422.",
    "content": {"text/calendar": {"schema": {"type": "string"}}},
}
_BODY_READ_BY_HANDLER = {("/api/blackouts/import", "post"): _CALENDAR_BODY}


def _refusing_unknown_fields() -> set[str]:
    """The names of the service's bodies that refuse fields they do not know (400)."""
    names, pending = set(), list(msgspec.Struct.__subclasses__())
    while pending:
        struct = pending.pop()
        pending.extend(struct.__subclasses__())
        if (
            struct.__module__.startswith("booking.")
            and struct.__struct_config__.forbid_unknown_fields
        ):
            names.add(struct.__name__)
    return names


class SwaggerFiles(NamedTuple):
    """Where the page finds Swagger UI's files."""

    bundle: str
    preset: str
    css: str
    icon: str


# Signing in is optional there: `{}` is the requirement of no scheme at all.
_OPTIONAL_SIGN_IN: list[dict[str, list[str]]] = [{}, {"token": []}, {"session": []}]


def anonymous_operations(app: Litestar) -> set[tuple[str, str]]:
    """(path, method) of the operations anyone may call: no guard, and no need of the user
    (the `user` dependency answers 401 to nobody signed in)."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.resolve_guards() or "user" in handler.parsed_fn_signature.parameters:
                continue
            found.update((route.path_format, method.lower()) for method in handler.http_methods)
    return found


_BARE_ID_OR_CODE = [{"type": "integer"}, {"type": "string"}]


def _with_ids_or_codes(node: Any) -> None:
    """Litestar writes `int | str` with their constraints lost; only rooms and buildings,
    named by an id or a code, have that type here: put the constraints back."""
    if isinstance(node, dict):
        options = node.get("oneOf")
        if isinstance(options, list) and all(o in options for o in _BARE_ID_OR_CODE):
            rest = [o for o in options if o not in _BARE_ID_OR_CODE]
            node["oneOf"] = copy.deepcopy(ID_OR_CODE) + rest
        for value in node.values():
            _with_ids_or_codes(value)
    elif isinstance(node, list):
        for value in node:
            _with_ids_or_codes(value)


def completed(schema: dict[str, Any], anonymous: set[tuple[str, str]]) -> dict[str, Any]:
    """A copy of Litestar's document with the error shape and the hand-read bodies in it, with
    `additionalProperties: false` on the bodies that refuse unknown fields, and signing in
    optional on the `anonymous` operations."""
    document = copy.deepcopy(schema)
    _with_ids_or_codes(document)
    _, components = msgspec.json.schema_components([ErrorBody], ref_template=_COMPONENTS)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(components)
    for name in _refusing_unknown_fields() & set(schemas):
        schemas[name]["additionalProperties"] = False
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = copy.deepcopy(_ERROR_CONTENT)
                    if status == "400":
                        response["description"] = "The body or a parameter is not valid"
            responses["default"] = copy.deepcopy(_ANY_ERROR)
            if (path, method) in anonymous:
                operation["security"] = copy.deepcopy(_OPTIONAL_SIGN_IN)
            if (path, method) in _BODY_READ_BY_HANDLER:
                operation["requestBody"] = copy.deepcopy(_BODY_READ_BY_HANDLER[path, method])
    return document


class CompletedJsonSchema(JsonRenderPlugin):
    """Serves /api/schema/openapi.json as `completed` makes it; it is built once per app."""

    def __init__(self) -> None:
        super().__init__()
        self._rendered: bytes | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if self._rendered is None:
            document = completed(openapi_schema, anonymous_operations(request.app))
            self._rendered = self.render_json(request, document)
        return self._rendered


class CompletedSwaggerPage(SwaggerRenderPlugin):
    """The Swagger UI page, which carries the document itself rather than fetching it. Its
    scripts and style come from `urls` (the service's own copies, so the page works without
    internet access), and so does its icon."""

    def __init__(self, path: str, urls: SwaggerFiles) -> None:
        super().__init__(
            path=path,
            js_url=urls.bundle,
            standalone_preset_js_url=urls.preset,
            css_url=urls.css,
            favicon=f'<link rel="icon" href="{urls.icon}" type="image/svg+xml">',
        )
        self._document: dict[str, Any] | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if self._document is None:
            self._document = completed(openapi_schema, anonymous_operations(request.app))
        return super().render(request, self._document)
