"""JSON bodies are decoded strictly, straight into the type the handler declares.

Litestar decodes a JSON body to plain values and then converts them to the handler's `data`
type with msgspec's lax rules, which are meant for query strings, where everything is text:
`"false"` would become False, `"20"` 20 and `20.0` 20. A JSON body says its own types, so it is
decoded into the declared type here, strictly; Litestar's lax conversion then passes the decoded
value through unchanged. Query and path parameters keep the lax rules.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import SerializationException, ValidationException
from litestar.serialization import decode_json, default_deserializer
from litestar.types import Empty

from booking.api.wall_times import body_with_seconds


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
                if str(wrong).startswith("Invalid RFC3339 encoded datetime"):
                    # Perhaps a time to the minute: decoded again with the seconds added.
                    self._json = self._with_seconds(body, data.annotation)
                    return self._json
                # The message names the field (`... - at `$.submit``): errors.py reads it.
                problem = {"message": str(wrong), "source": "body"}
                raise ValidationException("the body is not valid", extra=[problem]) from None
        return self._json

    def _with_seconds(self, body: bytes, annotation: Any) -> Any:
        plain = body_with_seconds(msgspec.json.decode(body), annotation)
        decoders = self.route_handler.resolve_type_decoders()
        try:
            return msgspec.convert(
                plain,
                annotation,
                strict=True,
                dec_hook=partial(default_deserializer, type_decoders=decoders),
            )
        except msgspec.ValidationError as wrong:
            problem = {"message": str(wrong), "source": "body"}
            raise ValidationException("the body is not valid", extra=[problem]) from None
