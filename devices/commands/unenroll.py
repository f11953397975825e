"""Unenroll: remove this server's enrollment profile, which ends the enrollment (a
RemoveProfile, Apple "Remove Profile Command",
mdm/commands/profile.remove.yaml, with the enrollment profile's identifier).

The queue service gives the server's public URL (context `public_url`); the admin gives nothing.
When the device acknowledges it, the connect service ends the enrollment.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from rest_framework import serializers

from devices.commands.base import CommandSpec, Params


def payload_identifier_prefix(public_url: str) -> str:
    """Reverse-DNS prefix for PayloadIdentifiers from the public host (mdm.example.com ->
    com.example.mdm); an IP address has no reverse-DNS form."""
    host = urlsplit(public_url).hostname or "localhost"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return ".".join(reversed(host.split(".")))
    return "local.mdm"


def enrollment_profile_identifier(public_url: str) -> str:
    """The PayloadIdentifier of this server's enrollment profiles: removing it unenrolls."""
    return f"{payload_identifier_prefix(public_url)}.enrollment"


class UnenrollParams(Params):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        public_url = self.context.get("public_url")
        if not public_url:
            raise serializers.ValidationError({"public_url": "is required"})
        return {"Identifier": enrollment_profile_identifier(public_url)}


COMMAND = CommandSpec(
    name="Unenroll",
    title="Unenroll (remove the MDM profile)",
    menu_order=230,
    request_type="RemoveProfile",
    params_class=UnenrollParams,
    destructive=True,
    ends_enrollment=True,
)
