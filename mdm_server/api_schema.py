"""How the OpenAPI schema describes each operation: drf-spectacular's, plus the error answers.

Every operation documents the API's error envelope (`mdm_server.api_errors.Error`) for the 4xx
and 5xx answers any operation can give, without per-view decoration; a view that can also answer
409 says so with `extend_schema(responses={..., 409: ERROR})`.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse

from mdm_server.api_errors import Error

ERROR = OpenApiResponse(Error, description="Refused; the envelope says why")

_ALWAYS = {
    "400": "Bad input: an unknown query parameter or field, or an invalid value",
    "401": "No or an unknown API token",
    "403": "The account's role does not allow this",
    "503": "The database or Redis is unreachable; retry after Retry-After seconds",
}
_NOT_FOUND = "No such object, page or cursor"


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        errors = dict(_ALWAYS)
        if "{" in self.path or self._is_list_view():
            errors["404"] = _NOT_FOUND
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(Error, description=description),
                    code,
                    media_types=["application/json"],
                    direction=direction,
                )
        return responses
