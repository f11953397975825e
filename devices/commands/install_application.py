"""InstallApplication: install an App Store app (with a licence), an enterprise app from its
manifest, or take over an installed app (Apple "Install Application Command",
mdm/commands/application.install.yaml)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from devices.commands.base import CommandSpec, Dictionary, Integer, Params, Text, plist_problem

_ATTRIBUTE_KINDS: dict[str, type | tuple[type, ...]] = {
    "VPNUUID": str,
    "AssociatedDomains": list,
    "AssociatedDomainsEnableDirectDownloads": bool,
    "Removable": bool,
    "ContentFilterUUID": str,
    "DNSProxyUUID": str,
    "RelayUUID": str,
    "CellularSliceUUID": str,
    "TapToPayScreenLock": bool,
    "Hideable": bool,
    "Lockable": bool,
}

_SOURCES = ("iTunesStoreID", "ManifestURL", "Identifier")


class InstallApplicationParams(Params):
    iTunesStoreID = Integer(required=False)
    ManifestURL = Text(required=False)
    Identifier = Text(required=False)
    Configuration = Dictionary(required=False, help_text="Managed app configuration")
    Attributes = Dictionary(required=False, help_text="VPNUUID, AssociatedDomains, Removable, …")

    def validate_ManifestURL(self, value: str) -> str:
        if not value.startswith("https://"):
            raise serializers.ValidationError("must be an https:// URL")
        return value

    def validate_Configuration(self, value: dict[str, Any]) -> dict[str, Any]:
        problem = plist_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate_Attributes(self, value: dict[str, Any]) -> dict[str, Any]:
        for key, item in value.items():
            kind = _ATTRIBUTE_KINDS.get(key)
            if kind is None:
                raise serializers.ValidationError(f"unknown attribute {str(key)[:64]!r}")
            if isinstance(item, list):
                if kind is not list or not all(isinstance(v, str) and v for v in item):
                    raise serializers.ValidationError(f"{key} must be a list of text values")
            elif not isinstance(item, kind):
                raise serializers.ValidationError(f"{key} has the wrong type")
        return dict(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if sum(name in attrs for name in _SOURCES) != 1:
            raise serializers.ValidationError(
                {"iTunesStoreID": "give exactly one of iTunesStoreID, ManifestURL or Identifier"}
            )
        return attrs


def build(values: dict[str, Any]) -> dict[str, Any]:
    out = {k: values[k] for k in (*_SOURCES, "Configuration", "Attributes") if k in values}
    if "ManifestURL" not in values:
        # Volume-purchased (1): App Store apps reach a User Enrollment only with a licence.
        out["Options"] = {"PurchaseMethod": 1}
    # Remove the app when the MDM profile is removed. A default key: left out where Apple's
    # schema forbids it (macOS User Enrollment, whose managed apps go with the enrollment).
    out["ManagementFlags"] = 1
    return out


COMMAND = CommandSpec(
    name="InstallApplication",
    title="Install app",
    menu_order=80,
    params_class=InstallApplicationParams,
    build=build,
    default_keys=frozenset({"ManagementFlags"}),
)
