"""Domain errors of the profiles app; views turn them into form errors or HTTP 400."""

from __future__ import annotations


class ProfileError(Exception):
    """Input that cannot become (or change) a profile; `fields` maps a key path to messages."""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
