"""InstallEnterpriseApplication: install a custom or in-house macOS package from its manifest,
optionally pinning the certificates of the manifest's server (Apple "Install Enterprise
Application Command", mdm/commands/application.install.enterprise.yaml). Installed as managed
and removed with the MDM profile: default keys, left out where Apple's schema forbids them
(macOS User Enrollment)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from devices.commands.base import (
    Boolean,
    CommandSpec,
    Data,
    Dictionary,
    Params,
    Text,
    plist_problem,
)

_MAX_CERTIFICATE = 16384  # bytes of one pinned DER certificate


class InstallEnterpriseApplicationParams(Params):
    ManifestURL = Text(required=False, max_length=2048)
    Manifest = Dictionary(required=False)
    ManifestURLPinningCerts = serializers.ListField(
        child=Data(), required=False, help_text="DER certificates of the manifest's server"
    )
    PinningRevocationCheckRequired = Boolean(required=False)
    Configuration = Dictionary(required=False, help_text="Managed app configuration")
    iOSApp = Boolean(required=False)

    def validate_ManifestURL(self, value: str) -> str:
        if not value.startswith("https://"):
            raise serializers.ValidationError("must be an https:// URL")
        return value

    def validate_Manifest(self, value: dict[str, Any]) -> dict[str, Any]:
        problem = plist_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate_Configuration(self, value: dict[str, Any]) -> dict[str, Any]:
        return self.validate_Manifest(value)

    def validate_ManifestURLPinningCerts(self, value: list[bytes]) -> list[bytes]:
        if not all(0 < len(c) <= _MAX_CERTIFICATE for c in value):
            raise serializers.ValidationError("must be DER certificates")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("ManifestURL" in attrs) == ("Manifest" in attrs):
            raise serializers.ValidationError(
                {"ManifestURL": "give exactly one of ManifestURL or Manifest"}
            )
        if attrs.get("ManifestURLPinningCerts") and "ManifestURL" not in attrs:
            raise serializers.ValidationError(
                {"ManifestURLPinningCerts": "pins the ManifestURL's server"}
            )
        return attrs


def build(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        k: values[k] for k in ("ManifestURL", "Manifest", "Configuration") if k in values
    }
    if values.get("ManifestURLPinningCerts"):
        out["ManifestURLPinningCerts"] = list(values["ManifestURLPinningCerts"])
        if values.get("PinningRevocationCheckRequired"):
            out["PinningRevocationCheckRequired"] = True
    if values.get("iOSApp"):
        out["iOSApp"] = True
    out["InstallAsManaged"] = True
    out["ManagementFlags"] = 1
    return out


COMMAND = CommandSpec(
    name="InstallEnterpriseApplication",
    title="Install custom app (macOS)",
    menu_order=85,
    params_class=InstallEnterpriseApplicationParams,
    build=build,
    default_keys=frozenset({"InstallAsManaged", "ManagementFlags"}),
)
