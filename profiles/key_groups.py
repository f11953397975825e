"""How the profile editor groups a payload's keys: a curated order for the large payloads.

Pure: no Django imports. Apple's schema lists a payload's keys alphabetically and does not group
them, so Restrictions (about 190 keys) would be one long page. Each group names the words its
keys contain; a key goes to the first group with a word in its name (case-insensitive), and
what no group claims goes to "Other settings". A payload without a curated order is one group.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

OTHER = "Other settings"

# payload type -> ((group title, words in key names), ...), in the order the editor shows them.
CURATED: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "com.apple.applicationaccess": (
        ("Managed and personal data", (
            "Managed", "OpenFrom", "Pasteboard", "EnterpriseBook", "AirDropUnmanaged",
            "UnmanagedToRead",
        )),
        ("Camera, screen and sharing", (
            "Camera", "Screen", "AirDrop", "AirPlay", "Mirroring", "Sharing", "SharedStream",
            "Widgets", "UniversalControl", "Classroom", "VideoConferencing", "CallRecording",
        )),
        ("Apple Account, iCloud and backup", (
            "Cloud", "Account", "Backup", "PhotoStream", "ActivityContinuation", "FindMy",
            "Keychain", "PrivateRelay", "Advertising", "AdTracking",
        )),
        ("Passcode, unlock and security", (
            "Passcode", "Password", "Fingerprint", "Unlock", "LockScreen", "WhileLocked",
            "TLS", "OTAPKI", "EnterpriseAppTrust", "Erase", "Diagnostic", "USBRestricted",
            "HostPairing", "ProfileInstallation", "EnablingRestrictions", "AuthenticationBefore",
            "ExternalBoot", "RapidSecurity",
        )),
        ("Software updates", ("SoftwareUpdate", "DelayedApp", "DelayedMajor", "Delayed")),
        ("Apps and the App Store", (
            "App", "InAppPurchase", "iTunes", "Bookstore", "Marketplace", "WebDistribution",
            "GameCenter", "Gaming", "GameCenterFriends", "Music", "News", "Podcasts", "Radio",
            "Explicit", "rating", "ContentCaching",
        )),
        ("Safari", ("safari", "Safari", "SpotlightInternet")),
        ("Siri, dictation and Apple Intelligence", (
            "Assistant", "Dictation", "Translation", "Genmoji", "ImagePlayground", "ImageWand",
            "WritingTools", "MailSummary", "Handwriting", "Keyboard", "AutoCorrection",
            "SpellCheck", "DefinitionLookup", "Predictive", "ContinuousPath",
        )),
        ("Network and connectivity", (
            "Bluetooth", "WiFi", "VPN", "Cellular", "ESIM", "Hotspot", "InternetSharing",
            "NFC", "Roaming", "AirPrint", "PairedWatch", "Watch", "Proximity", "RemoteApp",
            "Files", "FileSharing", "RCS", "Chat", "LiveVoicemail", "VoiceDialing",
        )),
    ),
}  # fmt: skip


def group_keys(payload_type: str, keys: Iterable[str]) -> list[tuple[str, list[str]]]:
    """The keys in the editor's groups: (title, keys) in the curated order, empty groups left
    out; one untitled group ("") when the payload has no curated order."""
    keys = list(keys)
    curated = CURATED.get(payload_type)
    if not curated:
        return [("", keys)] if keys else []
    groups: dict[str, list[str]] = {title: [] for title, _ in curated}
    groups[OTHER] = []
    for key in keys:
        groups[_group_of(key, curated)].append(key)
    return [(title, members) for title, members in groups.items() if members]


def _group_of(key: str, curated: Sequence[tuple[str, tuple[str, ...]]]) -> str:
    lowered = key.lower()
    for title, words in curated:
        if any(word.lower() in lowered for word in words):
            return title
    return OTHER
