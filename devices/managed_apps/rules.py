"""The rules of managed apps, pure: which licence an enrollment uses, the InstallApplication
parameters of an assignment, variable substitution in managed configuration, retry backoff.

Licences (Apple "Apps and Books for Organizations", "Associate Assets": a licence goes to
`clientUserIds`, a person registered with the location and bound to a Managed Apple Account,
or to `serialNumbers`, a device): a User Enrollment has no serial number the server may know
(Apple withholds it) and its managed apps belong to the Managed Apple Account, so it uses user
licences; Device Enrollment and Automated Device Enrollment use device licences by serial number,
which need no Apple Account on the device.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

USER = "user"
DEVICE = "device"

# Variables an admin may put in managed configuration values, substituted per device.
VARIABLES = (
    "EMAIL",
    "MANAGED_APPLE_ID",
    "USERNAME",
    "FULL_NAME",
    "DEVICE_NAME",
    "SERIAL_NUMBER",
    "ENROLLMENT_ID",
)
_VARIABLE = re.compile(r"\$\{([A-Z_]+)\}")
MAX_ATTEMPTS = 8


class LicenceProblem(ValueError):
    """This enrollment cannot get a licence for this app; the message says why."""


@dataclass(frozen=True)
class Person:
    """What configuration variables and user licences need to know of a device and its user."""

    enrollment_type: str
    managed_apple_id: str = ""
    email: str = ""
    username: str = ""
    full_name: str = ""
    device_name: str = ""
    serial_number: str = ""
    enrollment_id: str = ""
    platform: str = ""  # iOS, macOS: which install command a custom app takes


def licence_kind(person: Person, *, device_assignable: bool) -> str:
    """USER or DEVICE; LicenceProblem when the enrollment cannot hold either."""
    if person.enrollment_type == "user":
        if not person.managed_apple_id:
            raise LicenceProblem(
                "a User Enrollment gets user licences, and this one has no Managed Apple Account"
            )
        return USER
    if not device_assignable:
        raise LicenceProblem("the app's licences cannot be assigned to devices")
    if not person.serial_number:
        raise LicenceProblem("a device licence needs the serial number, not reported yet")
    return DEVICE


def substitute(value: Any, person: Person) -> Any:
    """`${EMAIL}` and the other VARIABLES replaced in every string of a configuration."""
    if isinstance(value, str):
        return _VARIABLE.sub(lambda m: _variable(m.group(1), person, m.group(0)), value)
    if isinstance(value, Mapping):
        return {str(k): substitute(v, person) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, person) for v in value]
    return value


def _variable(name: str, person: Person, original: str) -> str:
    values = {
        "EMAIL": person.email or person.managed_apple_id,
        "MANAGED_APPLE_ID": person.managed_apple_id,
        "USERNAME": person.username,
        "FULL_NAME": person.full_name,
        "DEVICE_NAME": person.device_name,
        "SERIAL_NUMBER": person.serial_number,
        "ENROLLMENT_ID": person.enrollment_id,
    }
    return values.get(name, original)


def unknown_variables(configuration: Any) -> list[str]:
    """Names in `${...}` that are not VARIABLES (an admin's typo)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.extend(n for n in _VARIABLE.findall(value) if n not in VARIABLES)
        elif isinstance(value, Mapping):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(configuration)
    return sorted(set(found))


@dataclass(frozen=True)
class AppRef:
    """How the device finds the app: its App Store id, or the manifest of a custom app (and,
    for a Mac, the DER certificates its manifest server is pinned to)."""

    adam_id: str = ""
    manifest_url: str = ""
    pinning_certs: tuple[bytes, ...] = ()
    pinning_revocation_required: bool = False


INSTALL = "InstallApplication"
INSTALL_ENTERPRISE = "InstallEnterpriseApplication"


def install_command(
    app: AppRef,
    *,
    configuration: Mapping[str, Any] | None,
    vpn_uuid: str = "",
    associated_domains: tuple[str, ...] = (),
    removable: bool | None = None,
    person: Person,
) -> tuple[str, dict[str, Any]]:
    """The command (request type and registry parameters) that installs an app on one device.
    A custom or in-house app on a Mac is a package installed with InstallEnterpriseApplication
    (Apple: macOS 10.13.6+, the more secure form of a manifest install, with pinning); every
    other install is InstallApplication. InstallEnterpriseApplication has no app attributes
    (per-app VPN, associated domains, removable): they are not sent there."""
    if not app.adam_id and person.platform == "macOS":
        params: dict[str, Any] = {"ManifestURL": app.manifest_url}
        if app.pinning_certs:
            params["ManifestURLPinningCerts"] = list(app.pinning_certs)
            params["PinningRevocationCheckRequired"] = app.pinning_revocation_required
        if configuration:
            params["Configuration"] = substitute(dict(configuration), person)
        return INSTALL_ENTERPRISE, params
    return INSTALL, install_params(
        app,
        configuration=configuration,
        vpn_uuid=vpn_uuid,
        associated_domains=associated_domains,
        removable=removable,
        person=person,
    )


def install_params(
    app: AppRef,
    *,
    configuration: Mapping[str, Any] | None,
    vpn_uuid: str = "",
    associated_domains: tuple[str, ...] = (),
    removable: bool | None = None,
    person: Person,
) -> dict[str, Any]:
    """The parameters of the InstallApplication registry builder for one device."""
    params: dict[str, Any] = {}
    if app.adam_id:
        params["iTunesStoreID"] = int(app.adam_id)
    else:
        params["ManifestURL"] = app.manifest_url
    if configuration:
        params["Configuration"] = substitute(dict(configuration), person)
    attributes: dict[str, Any] = {}
    if vpn_uuid:
        attributes["VPNUUID"] = vpn_uuid
    if associated_domains:
        attributes["AssociatedDomains"] = list(associated_domains)
    if removable is not None:
        attributes["Removable"] = removable
    if attributes:
        params["Attributes"] = attributes
    return params


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: 1, 2, 4 … minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


# ManagedApplicationList `Status` values (Apple "ManagedApplicationList": the app's state)
# mapped to our install status; anything else keeps the current status.
DEVICE_STATUS = {
    "Installed": "installed",
    "Managed": "installed",
    "ManagedButUninstalled": "failed",
    "Queued": "installing",
    "Installing": "installing",
    "Updating": "installing",
    "NeedsRedemption": "prompting",
    "Prompting": "prompting",
    "PromptingForLogin": "prompting",
    "PromptingForUpdate": "prompting",
    "PromptingForUpdateLogin": "prompting",
    "PromptingForManagement": "prompting",
    "Failed": "failed",
    "UserRejected": "failed",
    "UserInstalledApp": "failed",
    "UpdateRejected": "failed",
    "ManagementRejected": "failed",
}
