"""A client for Apple's Apps and Books API, version 2 ("VPP License Management").

Pure: no Django. HTTP with `requests` (a session is injectable), JSON in and out, every call
bounded by a timeout. Source: Apple "Apps and Books for Organizations" (Device Management):
"Get Client Configuration", "Update Client Configuration", "Get Assets", "Get Users",
"Create Users", "Associate Assets", "Disassociate Assets", "Get Assignments", "Get Event
Status", "Handling error responses". The content token (sToken) is sent as
`Authorization: Bearer <sToken>`; a write answers an `eventId` to poll until the event is
COMPLETE or FAILED; errors carry `errorNumber` and `errorMessage`; a busy service answers 429
or 503 with `Retry-After`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

DEFAULT_BASE_URL = "https://vpp.itunes.apple.com/mdm/v2/"
DEFAULT_TIMEOUT = 10.0
MAX_PAGES = 1000  # a location's assets: far beyond any real one, bounds a looping server

# errorNumber values this server acts on (Apple "Handling error responses", from our reading of
# it; not re-checked against Apple's page in this workplace). Failures are handled by kind (HTTP
# status, an event FAILED); a number only sharpens the message or marks the token unusable.
ERROR_INVALID_ARGUMENT = 9602
ERROR_INTERNAL = 9603
ERROR_USER_NOT_FOUND = 9609
ERROR_LICENSE_NOT_FOUND = 9610
ERROR_LICENSE_ALREADY_ASSIGNED = 9619
ERROR_INVALID_TOKEN = 9622
ERROR_TOKEN_REVOKED = 9625
ERROR_NOT_ENOUGH_LICENSES = 9632
ERROR_TOKEN_EXPIRED = 9634
# The sToken no longer works: the admin must upload a new one.
TOKEN_ERRORS = frozenset({ERROR_INVALID_TOKEN, ERROR_TOKEN_REVOKED, ERROR_TOKEN_EXPIRED})


class AppsBooksError(Exception):
    """The service refused or could not be reached; `message` is for the admin."""

    def __init__(
        self,
        message: str,
        *,
        number: int | None = None,
        status: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.number = number
        self.status = status
        self.retry_after = retry_after

    @property
    def token_unusable(self) -> bool:
        return self.number in TOKEN_ERRORS or self.status == 401

    @property
    def retryable(self) -> bool:
        """A later attempt may succeed (rate limit, outage, timeout)."""
        return self.retry_after is not None or self.status is None or self.status >= 500


class TokenFileError(ValueError):
    """An uploaded .vpptoken file is not a content token."""


@dataclass(frozen=True)
class ContentToken:
    """A location's content token, as downloaded from Apple Business Manager (`.vpptoken`):
    base64 of a JSON object with `token` (the sToken itself), `expDate` and `orgName`."""

    stoken: str
    expires_at: datetime
    org_name: str


def parse_content_token(data: bytes | str) -> ContentToken:
    """Read a .vpptoken file (the sToken is then the whole base64 text, as Apple expects it)."""
    text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
    text = "".join(text.split())
    if not text or len(text) > 16384:
        raise TokenFileError("the file is empty or too large to be a content token")
    try:
        decoded = json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise TokenFileError("not a content token: the file is not base64-encoded JSON") from None
    if not isinstance(decoded, dict):
        raise TokenFileError("not a content token: expected a JSON object")
    for key in ("token", "expDate", "orgName"):
        if not isinstance(decoded.get(key), str) or not decoded[key]:
            raise TokenFileError(f"not a content token: `{key}` is missing")
    return ContentToken(
        stoken=text, expires_at=parse_apple_date(decoded["expDate"]), org_name=decoded["orgName"]
    )


def parse_apple_date(value: str) -> datetime:
    """Apple's dates: ISO 8601 with an offset (`2026-12-06T10:00:00+0000`) or a `Z`."""
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise TokenFileError(f"not a date: {value[:40]!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Asset:
    """One app or book the location owns, with its licence counts ("Get Assets")."""

    adam_id: str
    pricing_param: str
    product_type: str
    total: int
    assigned: int
    available: int
    device_assignable: bool
    revocable: bool
    platforms: tuple[str, ...]

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Asset:
        try:
            return cls(
                adam_id=str(raw["adamId"]),
                pricing_param=str(raw.get("pricingParam", "STDQ")),
                product_type=str(raw.get("productType", "App")),
                total=int(raw.get("totalCount", 0)),
                assigned=int(raw.get("assignedCount", 0)),
                available=int(raw.get("availableCount", 0)),
                device_assignable=bool(raw.get("deviceAssignable", False)),
                revocable=bool(raw.get("revocable", False)),
                platforms=tuple(str(p) for p in raw.get("supportedPlatforms", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AppsBooksError(f"the service answered an unreadable asset ({exc})") from None


@dataclass(frozen=True)
class AppMetadata:
    """What the App Store says about an app: name, bundle ID, version, platforms, icon."""

    adam_id: str
    name: str
    bundle_id: str
    version: str
    platforms: tuple[str, ...]
    icon_url: str

    @classmethod
    def from_json(cls, adam_id: str, raw: Mapping[str, Any]) -> AppMetadata:
        offers = raw.get("offers") or [{}]
        version = offers[0].get("version", {}) if isinstance(offers[0], dict) else {}
        artwork = raw.get("artwork") or {}
        icon = str(artwork.get("url", "")) if isinstance(artwork, dict) else ""
        return cls(
            adam_id=adam_id,
            name=str(raw.get("name", ""))[:200],
            bundle_id=str(raw.get("bundleId", ""))[:255],
            version=str(version.get("display", "") if isinstance(version, dict) else "")[:64],
            platforms=tuple(str(p) for p in raw.get("deviceFamilies", ()))[:8],
            icon_url=icon[:500] if icon.startswith(("https://", "http://")) else "",
        )


@dataclass(frozen=True)
class EventStatus:
    """An asynchronous write's progress ("Get Event Status")."""

    event_id: str
    status: str  # PENDING, COMPLETE, FAILED
    event_type: str
    completed: int
    requested: int
    failures: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def done(self) -> bool:
        return self.status in ("COMPLETE", "FAILED")

    def failure_text(self) -> str:
        parts = [
            f"{f.get('errorMessage', 'failed')} (error {f.get('errorNumber', '?')})"
            for f in self.failures
        ]
        return "; ".join(parts) or f"event {self.event_id} {self.status.lower()}"


@dataclass(frozen=True)
class ClientConfig:
    """The location behind an sToken and what this MDM told Apple about itself."""

    location_name: str
    uid: str
    client_context: str
    token_expires_at: datetime | None
    country: str
    default_platform: str


class AppsBooksClient:
    """One location's API client. Every method raises AppsBooksError with a message."""

    def __init__(
        self,
        stoken: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
        user_agent: str = "mdm-server",
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self.session = session or requests.Session()
        self.headers = {
            "Authorization": f"Bearer {stoken}",
            "Accept": "application/json",
            "User-Agent": user_agent,
        }

    def close(self) -> None:
        self.session.close()

    # --- transport --------------------------------------------------------------------------

    def _call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> dict[str, Any]:
        try:
            resp = self.session.request(
                method,
                self.base_url + path,
                params=params,
                json=body,
                headers=self.headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.Timeout:
            raise AppsBooksError(
                f"Apps and Books did not answer within {self.timeout:g} s"
            ) from None
        except requests.RequestException as exc:
            raise AppsBooksError(
                f"Apps and Books cannot be reached: {type(exc).__name__}"
            ) from None
        try:
            data = resp.json()
        except ValueError:
            data = None
        retry_after = _retry_after(resp.headers.get("Retry-After"))
        if resp.status_code >= 400 or (isinstance(data, dict) and "errorNumber" in data):
            number = data.get("errorNumber") if isinstance(data, dict) else None
            text = data.get("errorMessage") if isinstance(data, dict) else None
            message = str(text or f"HTTP {resp.status_code}")[:300]
            if number is not None:
                message = f"{message} (Apps and Books error {number})"
            if retry_after is not None:
                message += f"; retry after {retry_after} s"
            raise AppsBooksError(
                message,
                number=int(number) if isinstance(number, int) else None,
                status=resp.status_code,
                retry_after=retry_after,
            )
        if not isinstance(data, dict):
            raise AppsBooksError("Apps and Books answered something that is not a JSON object")
        return data

    # --- client configuration ---------------------------------------------------------------

    def client_config(self) -> ClientConfig:
        return _client_config(self._call("GET", "client/config"))

    def update_client_config(self, *, client_context: str, mdm_name: str) -> ClientConfig:
        """Claim the location for this server: another MDM finds its own context replaced."""
        body = {"clientContext": client_context, "mdmInfo": {"name": mdm_name}}
        return _client_config(self._call("POST", "client/config", body=body))

    def metadata_lookup_url(self) -> str:
        """Where app names, bundle IDs and icons are looked up ("Get Service Configuration":
        `urls.contentMetadataLookup`)."""
        data = self._call("GET", "service/config")
        url = (data.get("urls") or {}).get("contentMetadataLookup")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise AppsBooksError("the service configuration names no metadata lookup URL")
        return url

    def app_metadata(self, lookup_url: str, adam_ids: Sequence[str]) -> dict[str, AppMetadata]:
        """Names, bundle IDs, versions, platforms and icons of apps, by adamId."""
        if not adam_ids:
            return {}
        try:
            resp = self.session.get(
                lookup_url,
                params={
                    "version": "2",
                    "p": "mdm-lockup",
                    "caller": "MDM",
                    "id": ",".join(adam_ids),
                },
                headers=self.headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
            data = resp.json() if resp.status_code == 200 else None
        except (requests.RequestException, ValueError):
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
            raise AppsBooksError("the app metadata lookup failed")
        return {
            str(key): AppMetadata.from_json(str(key), value)
            for key, value in data["results"].items()
            if isinstance(value, dict)
        }

    def fetch_icon(self, url: str, *, limit: int = 262144) -> tuple[bytes, str] | None:
        """An app's icon (PNG or JPEG, at most `limit` bytes), or None; never raises. The
        console serves it itself, so people's browsers never call Apple's servers."""
        if not url.startswith(("https://", "http://")):
            return None
        try:
            with self.session.get(
                url, timeout=self.timeout, stream=True, allow_redirects=False
            ) as resp:
                kind = resp.headers.get("Content-Type", "").split(";")[0].strip()
                if resp.status_code != 200 or kind not in ("image/png", "image/jpeg"):
                    return None
                data = resp.raw.read(limit + 1, decode_content=True)
        except (requests.RequestException, OSError):
            return None
        if len(data) > limit or not data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
            return None
        return data, kind

    # --- assets -----------------------------------------------------------------------------

    def iter_assets(self) -> Iterator[Asset]:
        """Every asset, page by page (`pageIndex`, `nextPageIndex`, `versionId`)."""
        page: int | None = 0
        version: str | None = None
        seen = 0
        while page is not None:
            data = self._call("GET", "assets", params={"pageIndex": page})
            if version is None:
                version = str(data.get("versionId", ""))
            elif str(data.get("versionId", "")) != version:
                raise AppsBooksError("the assets changed while they were read; sync again")
            for raw in data.get("assets") or ():
                yield Asset.from_json(raw)
            seen += 1
            following = data.get("nextPageIndex")
            if following is None:
                page = None
            elif not isinstance(following, int) or following <= page or seen >= MAX_PAGES:
                raise AppsBooksError("the assets' pagination does not advance")
            else:
                page = following

    # --- users ------------------------------------------------------------------------------

    def create_users(self, users: Sequence[Mapping[str, str]]) -> str:
        """Register users (`clientUserId`, `email`, `managedAppleId`); returns the event id."""
        return _event_id(self._call("POST", "users/create", body={"users": list(users)}))

    def get_user(self, client_user_id: str) -> dict[str, Any] | None:
        data = self._call("GET", "users", params={"clientUserId": client_user_id})
        users = data.get("users") or []
        return dict(users[0]) if users else None

    # --- assignments ------------------------------------------------------------------------

    def associate(
        self,
        asset: tuple[str, str],
        *,
        client_user_ids: Sequence[str] = (),
        serial_numbers: Sequence[str] = (),
    ) -> str:
        return _event_id(
            self._call(
                "POST", "assets/associate", body=_assoc(asset, client_user_ids, serial_numbers)
            )
        )

    def disassociate(
        self,
        asset: tuple[str, str],
        *,
        client_user_ids: Sequence[str] = (),
        serial_numbers: Sequence[str] = (),
    ) -> str:
        return _event_id(
            self._call(
                "POST", "assets/disassociate", body=_assoc(asset, client_user_ids, serial_numbers)
            )
        )

    # --- events -----------------------------------------------------------------------------

    def event_status(self, event_id: str) -> EventStatus:
        data = self._call("GET", "status", params={"eventId": event_id})
        return EventStatus(
            event_id=event_id,
            status=str(data.get("eventStatus", "PENDING")),
            event_type=str(data.get("eventType", "")),
            completed=int(data.get("numCompleted", 0) or 0),
            requested=int(data.get("numRequested", 0) or 0),
            failures=tuple(dict(f) for f in data.get("failures") or () if isinstance(f, dict)),
        )


def _assoc(
    asset: tuple[str, str], client_user_ids: Sequence[str], serial_numbers: Sequence[str]
) -> dict[str, Any]:
    if bool(client_user_ids) == bool(serial_numbers):
        raise ValueError("give either client user ids or serial numbers")
    body: dict[str, Any] = {"assets": [{"adamId": asset[0], "pricingParam": asset[1]}]}
    if client_user_ids:
        body["clientUserIds"] = list(client_user_ids)
    else:
        body["serialNumbers"] = list(serial_numbers)
    return body


def _event_id(data: Mapping[str, Any]) -> str:
    event = data.get("eventId")
    if not isinstance(event, str) or not event:
        raise AppsBooksError("Apps and Books accepted the request but gave no event id")
    return event


def _client_config(data: Mapping[str, Any]) -> ClientConfig:
    expires = data.get("tokenExpirationDate")
    return ClientConfig(
        location_name=str(data.get("locationName", "")),
        uid=str(data.get("uId", "")),
        client_context=str(data.get("clientContext", "")),
        token_expires_at=parse_apple_date(expires) if isinstance(expires, str) else None,
        country=str(data.get("countryISO2ACode", "")),
        default_platform=str(data.get("defaultPlatform", "")),
    )


def _retry_after(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return max(0, min(int(value.strip()), 86400))
    except ValueError:
        return 60  # an HTTP date or junk: wait a minute rather than hammer the service


def claims_location(config: ClientConfig, our_context: str) -> bool:
    """Whether the location is still ours: another MDM that takes the token writes its own
    clientContext (Apple "Update Client Configuration": the token in use elsewhere)."""
    return not config.client_context or config.client_context == our_context
