"""REST API authentication by `Authorization: Token <key>`, looked up by the key's hash."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from mdm_server import api_tokens


class HashedTokenAuthentication(TokenAuthentication):
    """DRF's token header; the key is found by its SHA-256, never stored or compared in clear."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = api_tokens.token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token
