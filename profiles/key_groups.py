"""How the profile editor groups a payload's keys, for every payload, by one rule.

Pure: no Django imports. Apple's schema has no group field; the grouping it does have is its
nested dictionaries (a VPN payload's `IPSec`, `IKEv2`, `DNS`…; a Wi-Fi payload's
`EAPClientConfiguration`), each titled in the schema. So a payload with more than a handful of
fields is laid out as:

1. **Required**: the payload's own required keys, in the schema's order;
2. each nested dictionary of the schema, under the schema's title, and each run of keys sharing
   a leading word (three or more: `Proxy…`, `SMIME…`), in the order the schema first lists them;
3. what is left, by type: *Settings* (text, numbers, data), *On or off* (booleans), *Lists and
   dictionaries*.

Restrictions (about 210 flat keys, alphabetical in the schema) keeps a curated order instead:
each group names the words its keys contain; a key goes to the first group with a word in its
name (case-insensitive), what no group claims to "Other settings".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

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
            "SpellCheck", "DefinitionLookup", "Predictive", "ContinuousPath", "Intelligence",
            "SiriAI", "SmartReplies", "Transcription",
        )),
        ("Network and connectivity", (
            "Bluetooth", "WiFi", "VPN", "Cellular", "ESIM", "Hotspot", "InternetSharing",
            "NFC", "Roaming", "AirPrint", "PairedWatch", "Watch", "Proximity", "RemoteApp",
            "Files", "FileSharing", "RCS", "Chat", "LiveVoicemail", "VoiceDialing", "Satellite",
            "ICCID",
        )),
    ),
}  # fmt: skip


REQUIRED = "Required"
SETTINGS = "Settings"
SWITCHES = "On or off"
LISTS = "Lists and dictionaries"
# A payload with fewer fields than this is one untitled group (nothing to find).
GENERATED_FROM = 13
# Keys sharing a leading word form their own group from this many.
MIN_PREFIX_GROUP = 3
_LEADING_WORD = re.compile(r"[A-Z]{2,}(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[^A-Za-z]+")


@dataclass(frozen=True)
class Field:
    """One editor field: its name (`IKEv2.RemoteAddress` inside a schema dictionary), whether
    the payload requires it, and its schema type."""

    name: str
    required: bool = False
    kind: str = "string"


def group_keys(
    payload_type: str,
    keys: Iterable[str | Field],
    *,
    sections: Mapping[str, str] | None = None,
) -> list[tuple[str, list[str]]]:
    """The fields in the editor's groups: (title, field names), empty groups left out; one
    untitled group ("") for a small payload. `sections`: the schema's dictionaries by key, with
    their titles."""
    fields = [k if isinstance(k, Field) else Field(k) for k in keys]
    names = [f.name for f in fields]
    curated = CURATED.get(payload_type)
    if not curated:
        if len(fields) < GENERATED_FROM:
            return [("", names)] if names else []
        return _generated(fields, sections or {})
    groups: dict[str, list[str]] = {title: [] for title, _ in curated}
    groups[OTHER] = []
    for key in names:
        groups[_group_of(key, curated)].append(key)
    return [(title, members) for title, members in groups.items() if members]


def _group_of(key: str, curated: Sequence[tuple[str, tuple[str, ...]]]) -> str:
    lowered = key.lower()
    for title, words in curated:
        if any(word.lower() in lowered for word in words):
            return title
    return OTHER


def _generated(fields: Sequence[Field], sections: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    required = [f.name for f in fields if f.required and "." not in f.name]
    # Sections and prefix runs, keyed by the first field's position (the schema's order).
    placed: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    flat: list[Field] = []
    for f in fields:
        if f.name in required:
            continue
        head, dot, _rest = f.name.partition(".")
        if dot:
            placed.setdefault(head, []).append(f.name)
            titles[head] = sections.get(head) or head
        else:
            flat.append(f)
    words: dict[str, list[Field]] = {}
    for f in flat:
        words.setdefault(_leading_word(f.name).lower(), []).append(f)
    by_type: dict[str, list[str]] = {SETTINGS: [], SWITCHES: [], LISTS: []}
    for f in flat:
        run = words[_leading_word(f.name).lower()]
        if len(run) >= MIN_PREFIX_GROUP:
            key = f"prefix:{_leading_word(f.name).lower()}"
            placed.setdefault(key, []).append(f.name)
            titles[key] = _common_start([m.name for m in run]) + "…"
        elif f.kind == "boolean":
            by_type[SWITCHES].append(f.name)
        elif f.kind in ("array", "dictionary"):
            by_type[LISTS].append(f.name)
        else:
            by_type[SETTINGS].append(f.name)
    out = [(REQUIRED, required)] if required else []
    out += [(titles[key], members) for key, members in placed.items()]
    out += [(title, members) for title, members in by_type.items() if members]
    return out


def _leading_word(key: str) -> str:
    match = _LEADING_WORD.match(key)
    return match.group(0) if match else key


def _common_start(names: Sequence[str]) -> str:
    """The whole leading words all names share ('EmailAddress', 'EmailAccountName' -> 'Email')."""
    split = [_LEADING_WORD.findall(name) for name in names]
    shared: list[str] = []
    for words in zip(*split, strict=False):
        if any(w != words[0] for w in words):
            break
        shared.append(words[0])
    return "".join(shared)
