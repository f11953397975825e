"""A client for Apple's Apps and Books API, version 2 ("VPP License Management").

Pure: no Django. HTTP with `requests` (a session is injectable), JSON in and out, every call
bounded by a timeout. Source: Apple "Apps and Books for Organizations" (Device Management):
"Get Client Configuration", "Update Client Configuration", "Get Assets", "Get Users",
"Create Users", "Associate Assets", "Disassociate Assets", "Get Assignments", "Get Event
Status", "Handling Error Responses", "Subscribing to Notifications", "Upgrading to the new App
and Book Management API". The content token (sToken) is sent as `Authorization: Bearer
<sToken>`; a write answers an `eventId` to poll until the event is COMPLETE or FAILED (or that a
notification reports); errors carry `errorNumber` and `errorMessage`; a busy service answers 429
or 5xx with `Retry-After`. The server this client claims a location for is named by `mdmInfo`
(`id`, `name`, `metadata`), which Apple returns on every later answer: another `mdmInfo.id`
means another MDM server manages the location.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from mdm_server import untrusted

DEFAULT_BASE_URL = "https://vpp.itunes.apple.com/mdm/v2/"
DEFAULT_TIMEOUT = 10.0
MAX_PAGES = 1000  # a location's assets: far beyond any real one, bounds a looping server

# errorNumber values this server acts on, from Apple's "Handling Error Responses" (Apps and Books
# API v2). Failures are handled by kind (HTTP status, an event FAILED); a number sharpens the
# message, marks the token unusable or a notification URL refused.
ERROR_LOGIN_REQUIRED = 9601  # 401
ERROR_INVALID_ARGUMENT = 9602  # 400
ERROR_INTERNAL = 9603  # 500
ERROR_USER_NOT_FOUND = 9609  # "Unable to find (the) registered user": 400, or in an event
ERROR_TOKEN_EXPIRED = 9621  # 401: generate a new token in Apple Business Manager
ERROR_TOKEN_REVOKED = 9625  # 401
ERROR_SERVICE_GONE = 9634  # 410: "This service is no longer available."
ERROR_RATE_LIMITED = 9646  # 429: back off
ERROR_NOT_ENOUGH_ASSETS = 9709  # in an event or notification: no licence left to associate
ERROR_USER_EXISTS = 9716  # in an event: a registered user with that clientUserId exists
ERROR_BAD_AUTHORIZATION = 9722  # 401: the Authorization header is not `Bearer {token}`
# Not in Apple's v2 list: the v1 service answered 9610 ("license not found") to a
# disassociation of a licence that was not assigned; still read as "nothing to release".
ERROR_LICENSE_NOT_FOUND = 9610
# The sToken no longer works: the admin must upload a new one.
TOKEN_ERRORS = frozenset(
    {ERROR_LOGIN_REQUIRED, ERROR_TOKEN_EXPIRED, ERROR_TOKEN_REVOKED, ERROR_BAD_AUTHORIZATION}
)
# Client Config refused the notification URL or its token (9710 both needed, 9711 too long,
# 9712 not a valid https URL, 9728 unreachable: Apple's test notification was not accepted).
NOTIFICATION_ERRORS = frozenset({9710, 9711, 9712, 9728})
# The notification types this server subscribes to ("Subscribing to Notifications").
NOTIFICATION_TYPES = ("ASSET_MANAGEMENT", "ASSET_COUNT", "USER_MANAGEMENT", "USER_ASSOCIATED")
TEST_NOTIFICATION = "TEST_NOTIFICATION"


class AppsBooksError(Exception):
    """The service refused or could not be reached; `message` is for the admin."""

    def __init__(
        self,
        message: str,
        *,
        number: int | None = None,
        status: int | None = None,
        retry_after: int | None = None,
        conflict: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.number = number
        self.status = status
        self.retry_after = retry_after
        self.conflict = conflict  # another MDM server's name: it manages the location now

    @property
    def token_unusable(self) -> bool:
        return self.number in TOKEN_ERRORS or self.status == 401

    @property
    def retryable(self) -> bool:
        """A later attempt may succeed (rate limit, outage, timeout)."""
        return (
            self.retry_after is not None
            or self.status is None
            or self.status == 429
            or self.status >= 500
        )


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
        decoded = untrusted.load_json(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):  # UntrustedDataError is a ValueError
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
class Assignment:
    """One licence of an app held by a user or a device ("Get Assignments")."""

    adam_id: str
    pricing_param: str
    client_user_id: str = ""
    serial_number: str = ""

    @classmethod
    def from_json(cls, raw: Any) -> Assignment:
        if not isinstance(raw, dict) or not raw.get("adamId"):
            raise AppsBooksError("the service answered an unreadable assignment")
        return cls(
            adam_id=str(raw["adamId"])[:32],
            pricing_param=str(raw.get("pricingParam", "STDQ"))[:16],
            client_user_id=str(raw.get("clientUserId") or "")[:256],
            serial_number=str(raw.get("serialNumber") or "")[:64],
        )

    @property
    def holder(self) -> tuple[str, str]:
        """(licence kind, holder) as installs record them."""
        if self.serial_number:
            return "device", self.serial_number
        return "user", self.client_user_id


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
    """The location behind an sToken and what this MDM told Apple about itself ("Client
    Config": `mdmInfo`, `notificationUrl`, `subscribedNotificationTypes`)."""

    location_name: str
    uid: str
    mdm_id: str
    token_expires_at: datetime | None
    country: str
    default_platform: str
    mdm_name: str = ""
    notification_url: str = ""
    notification_types: tuple[str, ...] = ()


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
        mdm_id: str = "",
    ) -> None:
        self.mdm_id = mdm_id  # ours: an answer naming another MDM server is refused
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
        other = _other_mdm(data.get("mdmInfo"), self.mdm_id)
        if other:
            raise AppsBooksError(
                f"another MDM server ({other}) manages this location now; upload the content "
                "token again to take it back",
                status=resp.status_code,
                conflict=other,
            )
        return data

    # --- client configuration ---------------------------------------------------------------

    def client_config(self) -> ClientConfig:
        return _client_config(self._call("GET", "client/config"))

    def update_client_config(
        self,
        *,
        mdm_id: str,
        mdm_name: str,
        metadata: str = "",
        notification_url: str = "",
        notification_token: str = "",
    ) -> ClientConfig:
        """Claim the location for this server (`mdmInfo`: another MDM then sees our id) and,
        with a URL and its bearer token, subscribe to NOTIFICATION_TYPES there. Apple sends a
        TEST_NOTIFICATION first and refuses the configuration if it is not accepted."""
        body: dict[str, Any] = {
            "mdmInfo": {"id": mdm_id, "name": mdm_name, "metadata": metadata or mdm_name}
        }
        if notification_url:
            body["notificationUrl"] = notification_url
            body["notificationAuthToken"] = notification_token
            body["notificationTypes"] = list(NOTIFICATION_TYPES)
        self.mdm_id = mdm_id
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
        for raw in self._pages("assets", "assets", {}):
            yield Asset.from_json(raw)

    def iter_assignments(self, adam_id: str) -> Iterator[Assignment]:
        """Who holds a licence of one app ("Get Assignments", paged like the assets): a
        `clientUserId` for a user licence, a `serialNumber` for a device licence."""
        for raw in self._pages("assignments", "assignments", {"adamId": adam_id}):
            yield Assignment.from_json(raw)

    def _pages(self, path: str, key: str, params: Mapping[str, Any]) -> Iterator[Any]:
        """The items under `key` of every page of a paginated read (Apple "Using Paginated
        Endpoints"): a `versionId` that changes meanwhile, or pages that do not advance, is an
        AppsBooksError rather than a half-read list."""
        page: int | None = 0
        version: str | None = None
        seen = 0
        while page is not None:
            data = self._call("GET", path, params={**params, "pageIndex": page})
            if version is None:
                version = str(data.get("versionId", ""))
            elif str(data.get("versionId", "")) != version:
                raise AppsBooksError(f"the {path} changed while they were read; sync again")
            items = data.get(key) or []
            if not isinstance(items, list):
                raise AppsBooksError(f"the service answered unreadable {path}")
            yield from items
            seen += 1
            following = data.get("nextPageIndex")
            if following is None:
                page = None
            elif not isinstance(following, int) or following <= page or seen >= MAX_PAGES:
                raise AppsBooksError(f"the {path}' pagination does not advance")
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
    raw_info = data.get("mdmInfo")
    info: Mapping[str, Any] = raw_info if isinstance(raw_info, dict) else {}
    types = data.get("subscribedNotificationTypes")
    return ClientConfig(
        location_name=str(data.get("locationName", ""))[:200],
        uid=str(data.get("uId", ""))[:64],
        mdm_id=str(info.get("id", ""))[:200],
        token_expires_at=parse_apple_date(expires) if isinstance(expires, str) else None,
        country=str(data.get("countryISO2ACode", ""))[:8],
        default_platform=str(data.get("defaultPlatform", ""))[:32],
        mdm_name=str(info.get("name", ""))[:200],
        notification_url=str(data.get("notificationUrl", ""))[:500],
        notification_types=tuple(str(t)[:40] for t in types[:16])
        if isinstance(types, list)
        else (),
    )


def _other_mdm(info: Any, ours: str) -> str:
    """The name (or id) of another MDM server an answer's `mdmInfo` names, or ""."""
    if not ours or not isinstance(info, dict):
        return ""
    theirs = info.get("id")
    if not isinstance(theirs, str) or not theirs or theirs == ours:
        return ""
    return str(info.get("name") or theirs)[:120]


def _retry_after(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return max(0, min(int(value.strip()), 86400))
    except ValueError:
        return 60  # an HTTP date or junk: wait a minute rather than hammer the service


def claims_location(config: ClientConfig, our_id: str) -> bool:
    """Whether the location is still ours: another MDM that takes the token writes its own
    `mdmInfo` ("Upgrading to the new App and Book Management API": interrogate `mdmInfo` so
    that no other MDM manages the location; "only one device management service should manage
    a single organizational unit at any time")."""
    return not config.mdm_id or config.mdm_id == our_id


# --- notifications ("Subscribing to Notifications", "Handling Error Responses") ---------------

MAX_NOTIFICATION_ITEMS = 1000  # assignments or users in one notification; Apple sends batches


class NotificationError(ValueError):
    """A notification body that is not one Apple documents; the text says why."""


@dataclass(frozen=True)
class NotifiedAssignment:
    adam_id: str
    pricing_param: str
    client_user_id: str = ""
    serial_number: str = ""


@dataclass(frozen=True)
class NotifiedUser:
    client_user_id: str
    status: str


@dataclass(frozen=True)
class Notification:
    """One notification Apple POSTs to the `notificationUrl` of a location."""

    notification_id: str
    notification_type: str
    uid: str
    event_id: str = ""
    result: str = ""  # SUCCESS or FAILURE
    action: str = ""  # ASSOCIATE, DISASSOCIATE, REVOKE; CREATE, UPDATE, RETIRE
    assignments: tuple[NotifiedAssignment, ...] = ()
    users: tuple[NotifiedUser, ...] = ()
    error_number: int | None = None
    error_message: str = ""
    adam_id: str = ""
    pricing_param: str = ""
    count_delta: int = 0

    @property
    def failed(self) -> bool:
        return self.result != "SUCCESS"

    def failure_text(self) -> str:
        message = self.error_message or f"{self.action.lower() or 'event'} failed"
        return f"{message} (error {self.error_number})" if self.error_number else message


def _text(raw: Mapping[str, Any], key: str, *, limit: int = 64, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value) or len(value) > limit:
        raise NotificationError(f"`{key}` must be text of at most {limit} characters")
    return value


def _items(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = raw.get(key)
    if not isinstance(items, list) or len(items) > MAX_NOTIFICATION_ITEMS:
        raise NotificationError(f"`{key}` must be a list of at most {MAX_NOTIFICATION_ITEMS}")
    if not all(isinstance(i, dict) for i in items):
        raise NotificationError(f"every item of `{key}` must be an object")
    return items


def parse_notification(data: Any) -> Notification:
    """A notification's JSON (already parsed with the bounded reader) as a Notification;
    NotificationError when it is not shaped as Apple documents. An unknown type parses with
    its common fields only (Apple may add types)."""
    if not isinstance(data, dict):
        raise NotificationError("a notification is a JSON object")
    kind = _text(data, "notificationType", limit=40)
    common: dict[str, Any] = {
        "notification_id": _text(data, "notificationId"),
        "notification_type": kind,
        "uid": _text(data, "uId", required=False),
    }
    body = data.get("notification")
    if not isinstance(body, dict):
        raise NotificationError("`notification` must be an object")
    if kind == "ASSET_MANAGEMENT":
        return Notification(
            **common,
            **_event_fields(body, ("ASSOCIATE", "DISASSOCIATE", "REVOKE")),
            assignments=tuple(
                NotifiedAssignment(
                    adam_id=_text(a, "adamId", limit=32),
                    pricing_param=_text(a, "pricingParam", limit=16),
                    client_user_id=_text(a, "clientUserId", limit=256, required=False),
                    serial_number=_text(a, "serialNumber", limit=64, required=False),
                )
                for a in _items(body, "assignments")
            ),
        )
    if kind == "USER_MANAGEMENT":
        return Notification(
            **common,
            **_event_fields(body, ("CREATE", "UPDATE", "RETIRE")),
            users=_users(body, "users"),
        )
    if kind == "USER_ASSOCIATED":
        return Notification(**common, users=_users(body, "associatedUsers"))
    if kind == "ASSET_COUNT":
        delta = body.get("countDelta")
        if not isinstance(delta, int) or isinstance(delta, bool) or abs(delta) > 10**9:
            raise NotificationError("`countDelta` must be an integer")
        return Notification(
            **common,
            adam_id=_text(body, "adamId", limit=32),
            pricing_param=_text(body, "pricingParam", limit=16),
            count_delta=delta,
        )
    return Notification(**common)


def _event_fields(body: Mapping[str, Any], actions: tuple[str, ...]) -> dict[str, Any]:
    result = _text(body, "result", limit=16)
    action = _text(body, "type", limit=16)
    if result not in ("SUCCESS", "FAILURE") or action not in actions:
        raise NotificationError(f"unknown result {result!r} or type {action!r}")
    out: dict[str, Any] = {"event_id": _text(body, "eventId"), "result": result, "action": action}
    error = body.get("error")
    if error is not None:
        if not isinstance(error, dict):
            raise NotificationError("`error` must be an object")
        number = error.get("errorNumber")
        out["error_number"] = number if isinstance(number, int) and 0 < number < 10**6 else None
        out["error_message"] = _text(error, "errorMessage", limit=500, required=False)
    return out


def _users(body: Mapping[str, Any], key: str) -> tuple[NotifiedUser, ...]:
    return tuple(
        NotifiedUser(
            client_user_id=_text(u, "clientUserId", limit=256),
            status=_text(u, "status", limit=32, required=False),
        )
        for u in _items(body, key)
    )
