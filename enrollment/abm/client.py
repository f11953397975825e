"""A client of Apple's Device Assignment API (Apple Business Manager): an OAuth 1.0a signed
`GET /session`, then `X-ADM-Auth-Session` on every call, a new session on 401 or age.

Pure: no Django imports. Apple "Device Assignment", "Authenticating with a device enrollment
program server token", "Fetch Devices", "Sync Devices", "Define Profile", "Assign Profile",
"Remove Profile", "Account Detail", "account-driven enrollment profile".
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from oauthlib import oauth1

from enrollment.abm.token import ServerToken
from mdm_server import untrusted

DEFAULT_URL = "https://mdmenrollment.apple.com"
PROTOCOL_VERSION = "7"
# Apple does not publish the session lifetime; sessions are renewed on 401 and, to spare a
# refused call, after this many seconds.
SESSION_MAX_AGE = 240.0
PAGE_LIMIT = 500
TIMEOUT = 15.0  # seconds for one answer of Apple's
MAX_RESPONSE = 8 * 1024 * 1024

# Apple's error codes -> what the admin should do.
_ADVICE = {
    "EXPIRED_TOKEN": (
        "The server token has expired. In Apple Business Manager, download a new token for this "
        "MDM server and upload it here; the link, its devices and profiles stay."
    ),
    "UNAUTHORIZED": (
        "Apple Business Manager refused the server token (it was replaced or revoked). Download "
        "a new token in Apple Business Manager and upload it here."
    ),
    "ACCESS_DENIED": (
        "Apple Business Manager denied access with this server token (replaced, revoked, or the "
        "MDM server was deleted). Download a new token and upload it here."
    ),
    "FORBIDDEN": (
        "Apple Business Manager refused the request: the token's MDM server may not manage "
        "these devices, or its session was revoked."
    ),
    "T_C_NOT_SIGNED": (
        "Apple's updated Terms and Conditions are not accepted. An administrator must sign in to "
        "Apple Business Manager and accept them; nothing syncs until then."
    ),
    "MALFORMED_REQUEST_BODY": (
        "Apple Business Manager rejected the request as malformed; check the profile's fields."
    ),
    "TOO_MANY_REQUESTS": "Apple Business Manager is rate limiting this server; it retries later.",
    "EXPIRED_CURSOR": "The device sync cursor expired; a full fetch starts again.",
    "INVALID_CURSOR": "The device sync cursor was refused; a full fetch starts again.",
    "CURSOR_REQUIRED": "A sync needs a cursor from a full fetch first.",
}
CURSOR_ERRORS = frozenset({"EXPIRED_CURSOR", "INVALID_CURSOR", "CURSOR_REQUIRED"})


class AbmApiError(Exception):
    """Apple answered an error or could not be reached; `str()` is for the admin."""

    def __init__(
        self, message: str, *, status: int = 0, code: str = "", retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after

    @property
    def is_cursor_error(self) -> bool:
        return self.code in CURSOR_ERRORS

    @property
    def is_transient(self) -> bool:
        return self.status in (0, 429, 500, 502, 503, 504)


def advice(code: str) -> str:
    return _ADVICE.get(code, "")


def _error_code(body: bytes) -> tuple[str, str]:
    """Apple's error body: a JSON object with `code` (and sometimes `message`), or bare text."""
    text = body[:2000].decode("utf-8", "replace").strip()
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        document = None
    if isinstance(document, dict):
        code = str(document.get("code") or document.get("error") or "")
        message = str(document.get("message") or document.get("error_description") or "")
        return code[:64], message[:300]
    if text and len(text) <= 64 and text.replace("_", "").isalnum():
        return text.upper(), ""
    return "", text[:300]


def _retry_after(value: str | None) -> int | None:
    seconds = untrusted.natural(value.strip()) if value else None
    return None if seconds is None else min(seconds, 86400)


_CA_FILES: dict[str, str] = {}


def _ca_file(pem: str) -> str:
    """requests wants a path; one file per distinct PEM for the process lifetime."""
    path = _CA_FILES.get(pem)
    if path is None or not Path(path).exists():
        handle = tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False)  # noqa: SIM115
        with handle:
            handle.write(pem)
        path = _CA_FILES[pem] = handle.name
    return path


def _device_results(result: Any) -> dict[str, str]:
    """Assign/Remove Profile's `devices`: serial number -> Apple's outcome for it."""
    devices = result.get("devices") if isinstance(result, dict) else None
    if not isinstance(devices, dict):
        raise AbmApiError(
            "Apple Business Manager's answer has no result per device (`devices` is not an "
            "object).",
            status=200,
        )
    return {str(k): str(v) for k, v in devices.items()}


@dataclass(frozen=True)
class DevicePage:
    devices: list[dict[str, Any]]
    cursor: str
    more_to_follow: bool
    fetched_until: str


class AbmClient:
    """One link's conversation with the Device Assignment API."""

    def __init__(
        self,
        *,
        token: ServerToken,
        base_url: str = DEFAULT_URL,
        ca_pem: str = "",
        timeout: float | None = None,
        session_token: str = "",
        session_age: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        http: requests.Session | None = None,
    ) -> None:
        self.token = token
        self.base_url = base_url.rstrip("/")
        self.timeout = TIMEOUT if timeout is None else timeout
        self.session_token = session_token
        self._clock = clock
        self._session_started = clock() - session_age
        self.http = http or requests.Session()
        if ca_pem.strip():
            self.http.trust_env = False
            self.http.verify = _ca_file(ca_pem)
        self.calls = 0

    # --- session ---------------------------------------------------------------------------

    def new_session(self) -> str:
        """`GET /session` signed with OAuth 1.0a HMAC-SHA1 (realm ADM) -> auth_session_token."""
        if self.token.access_token_expiry <= dt.datetime.now(dt.UTC):
            raise AbmApiError(_ADVICE["EXPIRED_TOKEN"], code="EXPIRED_TOKEN")
        signer = oauth1.Client(
            self.token.consumer_key,
            client_secret=self.token.consumer_secret,
            resource_owner_key=self.token.access_token,
            resource_owner_secret=self.token.access_secret,
            signature_method=oauth1.SIGNATURE_HMAC_SHA1,
            realm="ADM",
        )
        url, headers, _ = signer.sign(f"{self.base_url}/session", http_method="GET")
        response = self._send("GET", url, headers=dict(headers))
        if response.status_code != 200:
            raise self._error(response, during="getting a session")
        document = self._json(response)
        session = document.get("auth_session_token") if isinstance(document, dict) else None
        if not isinstance(session, str) or not session:
            raise AbmApiError("Apple Business Manager answered no session token.", status=200)
        self.session_token = session
        self._session_started = self._clock()
        return session

    def _session(self) -> str:
        if not self.session_token or self._clock() - self._session_started > SESSION_MAX_AGE:
            return self.new_session()
        return self.session_token

    # --- transport -------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        body: bytes | None = None,
        params: dict[str, str] | None = None,
    ) -> requests.Response:
        headers = {
            **headers,
            "X-Server-Protocol-Version": PROTOCOL_VERSION,
            "User-Agent": "mdm-server/1.0",
        }
        if body is not None:
            headers["Content-Type"] = "application/json;charset=UTF8"
        self.calls += 1
        try:
            return self.http.request(
                method, url, headers=headers, data=body, params=params, timeout=self.timeout
            )
        except requests.exceptions.SSLError as exc:
            raise AbmApiError(
                f"Apple Business Manager's TLS certificate was not trusted: {exc}"
            ) from None
        except requests.RequestException as exc:
            raise AbmApiError(f"Apple Business Manager cannot be reached: {exc}") from None

    def _error(self, response: requests.Response, *, during: str) -> AbmApiError:
        code, message = _error_code(response.content)
        status = response.status_code
        if not code and status == 429:
            code = "TOO_MANY_REQUESTS"
        retry_after = _retry_after(response.headers.get("Retry-After"))
        text = advice(code)
        if not text:
            text = f"Apple Business Manager answered HTTP {status} while {during}"
            text += f": {code}" if code else ""
            text += f" ({message})" if message else ""
            text += "."
        if retry_after is not None:
            text += f" Apple asks to retry after {retry_after} s."
        return AbmApiError(text, status=status, code=code, retry_after=retry_after)

    @staticmethod
    def _json(response: requests.Response) -> Any:
        if len(response.content) > MAX_RESPONSE:
            raise AbmApiError("Apple Business Manager's answer is too large.", status=200)
        if not response.content.strip():
            return {}
        try:
            return untrusted.load_json(response.content)
        except untrusted.UntrustedDataError as exc:
            # Not JSON, or JSON PostgreSQL cannot store (a NUL character) or too deep to walk.
            raise AbmApiError(
                f"Apple Business Manager answered something that is not data this server "
                f"accepts: {exc}.",
                status=response.status_code,
            ) from None

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """One API call with the session header; a 401 gets one new session and one retry."""
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            response = self._send(
                method,
                f"{self.base_url}{path}",
                headers={"X-ADM-Auth-Session": self._session()},
                body=data,
                params=params,
            )
            # Apple may hand a fresh session back on any answer: use it from now on.
            renewed = response.headers.get("X-ADM-Auth-Session")
            if renewed:
                self.session_token = renewed
                self._session_started = self._clock()
            if response.status_code == 401 and attempt == 0:
                self.session_token = ""
                continue
            if response.status_code >= 400:
                raise self._error(response, during=f"calling {method} {path}")
            return self._json(response)
        raise AssertionError("unreachable")  # pragma: no cover

    # --- Device Assignment resources -------------------------------------------------------

    def account(self) -> dict[str, Any]:
        result = self.call("GET", "/account")
        if not isinstance(result, dict):
            raise AbmApiError("Apple Business Manager's account detail is not an object.")
        return result

    def _page(self, path: str, cursor: str, limit: int) -> DevicePage:
        body: dict[str, Any] = {"limit": limit}
        if cursor:
            body["cursor"] = cursor
        result = self.call("POST", path, body=body)
        if not isinstance(result, dict):
            raise AbmApiError("Apple Business Manager's device page is not an object.")
        devices = result.get("devices") or []
        if not isinstance(devices, list):
            raise AbmApiError("Apple Business Manager's device list is not a list.")
        return DevicePage(
            devices=[d for d in devices if isinstance(d, dict)],
            cursor=str(result.get("cursor") or cursor),
            more_to_follow=bool(result.get("more_to_follow")),
            fetched_until=str(result.get("fetched_until") or ""),
        )

    def fetch_devices(self, cursor: str = "", limit: int = PAGE_LIMIT) -> DevicePage:
        return self._page("/server/devices", cursor, limit)

    def sync_devices(self, cursor: str, limit: int = PAGE_LIMIT) -> DevicePage:
        return self._page("/devices/sync", cursor, limit)

    def define_profile(self, profile: dict[str, Any]) -> dict[str, Any]:
        result = self.call("POST", "/profile", body=profile)
        if not isinstance(result, dict) or not result.get("profile_uuid"):
            raise AbmApiError("Apple Business Manager answered no profile_uuid.")
        return result

    def assign_profile(self, profile_uuid: str, serials: list[str]) -> dict[str, str]:
        result = self.call(
            "PUT", "/profile/devices", body={"profile_uuid": profile_uuid, "devices": serials}
        )
        return _device_results(result)

    def remove_profile(self, serials: list[str]) -> dict[str, str]:
        result = self.call("DELETE", "/profile/devices", body={"devices": serials})
        return _device_results(result)

    def get_discovery_registration(self) -> dict[str, Any]:
        result = self.call("GET", "/account-driven-enrollment/profile")
        return result if isinstance(result, dict) else {}

    def register_discovery_url(self, url: str) -> dict[str, Any]:
        result = self.call(
            "POST", "/account-driven-enrollment/profile", body={"mdm_service_discovery_url": url}
        )
        return result if isinstance(result, dict) else {}

    def delete_discovery_registration(self) -> dict[str, Any]:
        result = self.call("DELETE", "/account-driven-enrollment/profile")
        return result if isinstance(result, dict) else {}
