"""The REST API's JSON parser: DRF's, with the depth, size and value checks of `untrusted`.

DRF's JSONParser turns a ValueError into a 400 but lets the decoder's RecursionError (a body of
2,000 nested `[`) through as a 500, and accepts NaN and NUL characters that PostgreSQL then
refuses. This one answers all of them with a 400 in the API's error format, saying why; so too a
Content-Type charset that is no text encoding (Django takes any codec Python knows: `rot13`,
`base64` and `zlib` turn bytes into bytes, and decoding with them is a LookupError).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from mdm_server import untrusted


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except LookupError:
            raise ParseError(f"JSON parse error - {encoding!r} is not a text encoding") from None
        except UnicodeError as exc:  # UnicodeDecodeError, and idna's own
            raise ParseError(f"JSON parse error - {exc}") from None
        try:
            return untrusted.load_json(text)
        except untrusted.UntrustedDataError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
