"""JSON bodies are decoded strictly, straight into the type the handler declares.

Litestar decodes a JSON body to plain values and then converts them to the handler's `data`
type with msgspec's lax rules, which are meant for query strings, where everything is text:
`"false"` would become False, `"20"` 20 and `20.0` 20. A JSON body says its own types, so it is
decoded into the declared type here, strictly; Litestar's lax conversion then passes the decoded
value through unchanged. Query and path parameters keep the lax rules.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import SerializationException, ValidationException
from litestar.serialization import decode_json
from litestar.types import Empty


class StrictJSONRequest(Request[Any, Any, Any]):
    """The app's request: `json()` gives the handler's `data`, decoded strictly; 400 naming the
    field for a value of the wrong type."""

    async def json(self) -> Any:
        data = self.route_handler.parsed_fn_signature.parameters.get("data")
        if data is None:
            return await super().json()
        if self._json is Empty:
            body = await self.body()
            try:
                self._json = decode_json(
                    body or b"null",
                    data.annotation,
                    self.route_handler.resolve_type_decoders(),
                    strict=True,
                )
            except SerializationException as exc:
                # Litestar reports a value of the wrong type as it does a body that is not JSON
                # at all; the decoder's own error, kept as the cause, tells them apart.
                wrong = exc.__cause__
                if not isinstance(wrong, msgspec.ValidationError):
                    raise
                # The message names the field (`... - at `$.submit``): errors.py reads it.
                problem = {"message": str(wrong), "source": "body"}
                raise ValidationException("the body is not valid", extra=[problem]) from None
        return self._json
