"""Service discovery (`/.well-known/com.apple.remotemanagement`) and the Bearer challenges.

Pure: no Django imports. Apple "Discovering the enrollment server" / "Authenticating Through Web
Views" / "Authenticating with OAuth 2": the document, the rejection body and the 401 header.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

MODEL_FAMILIES = ("AppleTV", "iPad", "iPhone", "Mac", "RealityDevice", "Watch")
VERSIONS = ("mdm-byod", "mdm-adde")
WELL_KNOWN_PATH = "/.well-known/com.apple.remotemanagement"
CALLBACK_SCHEME = "apple-remotemanagement-user-login"


class DiscoveryRejected(Exception):
    """Service discovery refuses this user; `message` is shown on the device."""

    def __init__(self, message: str, description: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.description = description or message


@dataclass(frozen=True)
class UserIdentifier:
    local_part: str
    domain: str

    @property
    def text(self) -> str:
        return f"{self.local_part}@{self.domain}"


def split_user_identifier(value: str) -> UserIdentifier:
    """Split `user@domain` at the LAST `@` (as the device does); the domain is lower-cased."""
    value = (value or "").strip()
    local, sep, domain = value.rpartition("@")
    if not sep or not local or not domain or "." not in domain or len(value) > 255:
        raise DiscoveryRejected(
            "Enter your work or school account as name@domain.",
            f"malformed user-identifier {value[:80]!r}",
        )
    return UserIdentifier(local_part=local, domain=domain.lower().rstrip("."))


def version_for_family(
    model_family: str, *, family_versions: dict[str, str], default_version: str
) -> str:
    """mdm-byod or mdm-adde for a model family (unlisted or unknown families get the default)."""
    version = family_versions.get(model_family or "", default_version)
    return version if version in VERSIONS else default_version


# What a person's group's Apple Enrollment Type means for account-driven enrollment.
GROUP_VERSIONS = {"user": "mdm-byod", "device": "mdm-adde"}
# The model families Apple offers both account-driven kinds on (User Enrollment: iOS/iPadOS 15,
# macOS 14, visionOS 1.1; Device Enrollment: iOS/iPadOS 17, macOS 14, visionOS 2). A group
# setting does not move the others off the configuration's choice.
GROUP_FAMILIES = ("iPhone", "iPad", "Mac", "RealityDevice")


@dataclass(frozen=True)
class VersionChoice:
    version: str  # "mdm-byod" or "mdm-adde"
    reason: str
    by_group: bool = False


def choose_version(
    model_family: str,
    *,
    group_type: str,
    family_versions: dict[str, str],
    default_version: str,
) -> VersionChoice:
    """The portal's priority rules for account-driven enrollment: the person's group (its Apple
    Enrollment Type) decides User Enrollment or Device Enrollment; without a group setting the
    configuration's choice for the model family does (its default for unlisted families)."""
    wanted = GROUP_VERSIONS.get(group_type)
    if wanted is not None and (model_family in GROUP_FAMILIES or not model_family):
        return VersionChoice(wanted, "set by the user's group (Apple Enrollment Type)", True)
    version = version_for_family(
        model_family, family_versions=family_versions, default_version=default_version
    )
    if model_family and model_family in family_versions:
        return VersionChoice(version, f"the configuration's choice for {model_family}")
    return VersionChoice(version, "the configuration's default")


def build_service_discovery(*, base_url: str, version: str) -> dict[str, list[dict[str, str]]]:
    """The well-known JSON: one server ("for the current release ... a single item")."""
    if version not in VERSIONS:
        raise ValueError(f"Version must be one of {VERSIONS}, not {version!r}")
    return {"Servers": [{"Version": version, "BaseURL": base_url}]}


def build_well_known_failed(message: str, description: str = "") -> dict[str, str]:
    """The 403 body iOS 17.5+/macOS 14.5+ understand (`com.apple.well-known.failed`)."""
    return {
        "code": "com.apple.well-known.failed",
        "description": description or message,
        "message": message,
    }


def to_json(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def _quote(value: str) -> str:
    # Header parameter values are quoted-strings: backslash-escape quotes and backslashes.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def web_challenge(url: str) -> str:
    """`WWW-Authenticate` for the apple-as-web method, in Apple's comma-separated form."""
    return f"Bearer method={_quote('apple-as-web')}, url={_quote(url)}"


def oauth2_challenge(
    *, authorization_url: str, token_url: str, redirect_url: str, client_id: str, scope: str
) -> str:
    """`WWW-Authenticate` for the apple-oauth2 method (every parameter is required)."""
    params = [
        ("method", "apple-oauth2"),
        ("authorization-url", authorization_url),
        ("token-url", token_url),
        ("redirect-url", redirect_url),
        ("client-id", client_id),
        ("scope", scope),
    ]
    return "Bearer " + ", ".join(f"{k}={_quote(v)}" for k, v in params)


def parse_challenge(header: str) -> dict[str, str]:
    """Parse a `Bearer k="v", k2="v2"` challenge (comma or space separated); {} if not Bearer."""
    scheme, _, rest = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return {}
    params: dict[str, str] = {}
    i, n = 0, len(rest)
    while i < n:
        while i < n and rest[i] in " ,":
            i += 1
        eq = rest.find("=", i)
        if eq < 0:
            break
        key = rest[i:eq].strip()
        i = eq + 1
        if i < n and rest[i] == '"':
            i += 1
            value = []
            while i < n and rest[i] != '"':
                if rest[i] == "\\" and i + 1 < n:
                    i += 1
                value.append(rest[i])
                i += 1
            i += 1
            params[key] = "".join(value)
        else:
            end = i
            while end < n and rest[end] not in " ,":
                end += 1
            params[key] = rest[i:end]
            i = end
    return params


def authentication_result_url(access_token: str) -> str:
    """The 308 Location that ends the web sign-in (host `authentication-results`)."""
    return f"{CALLBACK_SCHEME}://authentication-results?access-token={access_token}"


def redirect_rule(*, mdm_well_known_url: str) -> dict[str, str]:
    """Web-server snippets for organisations that redirect their well-known to us."""
    return {
        "nginx": (
            f"location = {WELL_KNOWN_PATH} {{\n    return 302 {mdm_well_known_url}?$args;\n}}"
        ),
        "apache": (
            f"RewriteEngine On\nRewriteRule ^{WELL_KNOWN_PATH}$ {mdm_well_known_url} [R=302,QSA,L]"
        ),
    }
