"""What an organisation can see and do on one enrolled device, in plain words for its owner.

Pure: no Django imports. Every "can" and "cannot" comes from the capability filter
(`devices.capabilities`, generated from Apple's schema) asked about the device's own target —
its platform, OS version, enrollment type and supervision — so the privacy page says exactly
what this server would send. Only the wording lives here; the rules live in the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from devices import capabilities
from devices.capabilities import Target

# (declaration type, target) -> why it may not reach the target, None when it may. Registered by
# the declarations app (devices.hooks.declaration_check); the devices app never imports it.
DeclarationCheck = Callable[[str, Target], str | None]

# (plain words, DeviceInformation query key that reveals it)
_SEE_QUERIES: tuple[tuple[str, str], ...] = (
    ("The model and its name", "Model"),
    ("The operating system version", "OSVersion"),
    ("Storage capacity and battery level", "AvailableDeviceCapacity"),
    ("The serial number", "SerialNumber"),
    ("The hardware identifier (UDID)", "UDID"),
    ("The cellular identifiers (IMEI, MEID)", "IMEI"),
    ("The phone number", "PhoneNumber"),
    ("The mobile carrier and whether you are roaming", "CurrentCarrierNetwork"),
    ("The Wi-Fi and Bluetooth hardware addresses", "WiFiMAC"),
    ("Whether iCloud Backup is on and when it last ran", "IsCloudBackupEnabled"),
    ("Whether Activation Lock is on", "IsActivationLockEnabled"),
)

# (plain words, MDM command that reveals it)
_SEE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("The apps the organisation installed", "ManagedApplicationList"),
    ("The profiles installed on the device", "ProfileList"),
    ("The certificates installed on the device", "CertificateList"),
    ("Security settings (whether a passcode is set, encryption)", "SecurityInfo"),
    ("Every app on the device, personal apps included", "InstalledApplicationList"),
    ("Where the device is, while it is in Lost Mode", "DeviceLocation"),
)

# (plain words, MDM command that does it)
_DO_COMMANDS: tuple[tuple[str, str], ...] = (
    ("Install and remove work apps", "InstallApplication"),
    (
        "Install and remove work profiles (Wi-Fi, VPN, mail accounts, certificates)",
        "InstallProfile",
    ),
    ("Erase the device", "EraseDevice"),
    ("Lock the screen", "DeviceLock"),
    ("Remove your passcode", "ClearPasscode"),
    ("Turn on Lost Mode", "EnableLostMode"),
    ("Restart or shut down the device", "RestartDevice"),
    ("Update the operating system", "ScheduleOSUpdate"),
    ("Bypass Activation Lock", "ActivationLockBypassCode"),
)

# Apple's documented behaviour that the schema cannot express: under User Enrollment the
# device answers InstalledApplicationList with the managed apps only (Apple Platform
# Deployment, "Intro to User Enrollment": the organisation cannot see personal apps).
_UE_APP_LIST = (
    "under User Enrollment the device lists only the apps the organisation installed "
    "(Apple Platform Deployment: User Enrollment)"
)

# Nothing in Apple's device-management protocol reads these, on any device or enrollment.
NEVER_SEEN: tuple[str, ...] = (
    "Your photos",
    "Your messages, mail and calls",
    "Your browsing history",
    "Your personal files and accounts",
)
NEVER_SEEN_RULE = "no command, query or check-in in Apple's device-management schema carries them"


# Profile payloads that add an account to the device, in plain words (PayloadType -> words).
ACCOUNT_PAYLOADS: dict[str, str] = {
    "com.apple.mail.managed": "Mail account",
    "com.apple.eas.account": "Exchange account (mail, calendar, contacts)",
    "com.apple.caldav.account": "Calendar account",
    "com.apple.carddav.account": "Contacts account",
    "com.apple.ldap.account": "Directory (LDAP) account",
    "com.apple.subscribedcalendar.account": "Subscribed calendar",
    "com.apple.google-oauth": "Google account",
}


def accounts_in(payload_types: list[str]) -> list[str]:
    """The accounts a profile with these payload types adds, in plain words (in order, once)."""
    return list(dict.fromkeys(ACCOUNT_PAYLOADS[t] for t in payload_types if t in ACCOUNT_PAYLOADS))


@dataclass(frozen=True)
class Fact:
    """One line of the page: what, and the rule that decided it (cited from Apple's schema)."""

    text: str
    allowed: bool
    rule: str
    source: str  # the command or query behind the line (e.g. "EraseDevice", "SerialNumber")


@dataclass(frozen=True)
class Disclosure:
    """Everything the page says about one device."""

    can_see: tuple[Fact, ...]
    cannot_see: tuple[Fact, ...]
    can_do: tuple[Fact, ...]
    cannot_do: tuple[Fact, ...]

    def fact(self, source: str) -> Fact:
        for fact in (*self.can_see, *self.cannot_see, *self.can_do, *self.cannot_do):
            if fact.source == source:
                return fact
        raise KeyError(source)


def _query_fact(text: str, key: str, target: Target) -> Fact:
    allowed, removed = capabilities.filter_query_keys("DeviceInformation", [key], target)
    return Fact(text, bool(allowed), removed.get(key, "DeviceInformation may ask for it"), key)


def _command_fact(
    text: str, request_type: str, target: Target, declaration_check: DeclarationCheck | None
) -> Fact:
    if request_type == "InstalledApplicationList" and target.user_enrollment:
        return Fact(text, False, _UE_APP_LIST, request_type)
    decision = capabilities.check_command(request_type, target)
    declaration = capabilities.replacing_declaration(request_type, target)
    if decision.allowed or declaration is None or declaration_check is None:
        return Fact(text, decision.allowed, decision.reason, request_type)
    # Apple removed the command on this release and names a declaration that does it instead
    # (ScheduleOSUpdate -> the software-update enforcement declaration): the page tells what the
    # declaration can do on this device, not only that the command is gone.
    refused = declaration_check(declaration, target)
    if refused is None:
        reason = f"{decision.reason}; the {declaration} declaration does it on this device"
        return Fact(text, True, reason, request_type)
    reason = f"{decision.reason}; the {declaration} declaration cannot either: {refused}"
    return Fact(text, False, reason, request_type)


def disclose(target: Target, declaration_check: DeclarationCheck | None = None) -> Disclosure:
    """What the organisation can and cannot see and do on a device with this target.

    declaration_check: whether a declaration may reach the target (see `DeclarationCheck`);
    without it, a command Apple removed counts as not doable even if a declaration replaces it.
    """
    seen = [_query_fact(text, key, target) for text, key in _SEE_QUERIES]
    seen += [_command_fact(text, command, target, None) for text, command in _SEE_COMMANDS]
    done = [
        _command_fact(text, command, target, declaration_check) for text, command in _DO_COMMANDS
    ]
    never = [Fact(text, False, NEVER_SEEN_RULE, "") for text in NEVER_SEEN]
    return Disclosure(
        can_see=tuple(f for f in seen if f.allowed),
        cannot_see=tuple([*(f for f in seen if not f.allowed), *never]),
        can_do=tuple(f for f in done if f.allowed),
        cannot_do=tuple(f for f in done if not f.allowed),
    )
