"""URL converters of the REST API."""

from __future__ import annotations

import uuid

from django.urls import register_converter


class AnyCaseUUIDConverter:
    """A UUID in upper or lower case (Django's `uuid` converter takes lower case only; devices
    and Apple's tools write UUIDs in upper case). The view gets a `uuid.UUID`."""

    regex = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

    def to_python(self, value: str) -> uuid.UUID:
        return uuid.UUID(value)

    def to_url(self, value: uuid.UUID | str) -> str:
        return str(value)


# What a key in a path may hold: any text but a slash or a NUL character. No key here holds a
# NUL, and PostgreSQL refuses one in a text comparison (a DataError, where a 404 is meant).
TEXT_KEY = r"[^/\x00]+"


class TextKeyConverter:
    """Django's `str` without the NUL character (`TEXT_KEY`)."""

    regex = TEXT_KEY

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AnyCaseUUIDConverter, "anyuuid")
register_converter(TextKeyConverter, "key")
