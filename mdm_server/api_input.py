"""Input serializers of the REST API refuse fields they do not know.

DRF drops unknown keys silently, so a misspelt `strip_forbiden` or `conform` would be ignored and
the request carried out as if it had not been sent. A strict input names each unknown field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers


class StrictInput(serializers.Serializer):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                accepted = ", ".join(sorted(writable))
                raise serializers.ValidationError(
                    {name: [f"Unknown field; this body accepts: {accepted}."] for name in unknown}
                )
        return super().to_internal_value(data)
