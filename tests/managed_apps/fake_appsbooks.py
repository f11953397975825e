"""A fake Apple Apps and Books service (API v2) and its app metadata lookup, on http://127.0.0.1.

It checks what Apple checks (Apple's "Handling Error Responses" numbers): the bearer sToken
(unknown: 9601, revoked: 9625, expired: 9621, all with 401; not `Bearer …`: 9722), that an
association names registered users (9609) or device-assignable assets (9707), that a location
has the licences (9709); it answers the documented JSON shapes (assets paged with `versionId` and
`nextPageIndex`, writes answered with an `eventId` that stays PENDING for a poll before it is
COMPLETE or FAILED with `failures`, `mdmInfo` on every answer once set), and its errors carry
`errorNumber` and `errorMessage`.

Notifications ("Subscribing to Notifications"): a client configuration with a
`notificationUrl` and `notificationAuthToken` (both or neither: 9710; https, or http on
127.0.0.1 only, which the tests need: 9712) is tested first with a TEST_NOTIFICATION (refused
with 9728 unless answered 2xx); then each finished association or registration is POSTed there
as ASSET_MANAGEMENT or USER_MANAGEMENT (`notify_latency` after the write, three attempts, the
bearer token in `Authorization`), a purchase as ASSET_COUNT and an accepted invitation as
USER_ASSOCIATED. Deliveries go to 127.0.0.1 only; any other host is unreachable.
Faults for tests: `fail_next` (an error answer, optionally with Retry-After) and `delay`.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

UID = "2049025000431439"
LOOPBACK = ("127.0.0.1", "localhost")

# A 1x1 PNG: what the metadata service's artwork URLs serve.
ICON_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def make_vpptoken(
    stoken_secret: str, org: str = "Example Corp", exp: str = "2027-06-01T10:00:00+0000"
) -> str:
    """The base64 text of a .vpptoken file; it is itself the sToken."""
    raw = json.dumps({"token": stoken_secret, "expDate": exp, "orgName": org}).encode()
    return base64.b64encode(raw).decode()


@dataclass
class FakeAsset:
    adam_id: str
    name: str
    bundle_id: str
    total: int
    platforms: tuple[str, ...] = ("iOS", "macOS")
    device_assignable: bool = True
    version: str = "1.0"
    users: set[str] = field(default_factory=set)  # clientUserIds holding a licence
    serials: set[str] = field(default_factory=set)

    @property
    def assigned(self) -> int:
        return len(self.users) + len(self.serials)

    def json(self) -> dict[str, Any]:
        return {
            "adamId": self.adam_id,
            "pricingParam": "STDQ",
            "productType": "App",
            "assignedCount": self.assigned,
            "availableCount": self.total - self.assigned,
            "retiredCount": 0,
            "totalCount": self.total,
            "deviceAssignable": self.device_assignable,
            "revocable": True,
            "supportedPlatforms": list(self.platforms),
        }


class FakeAppsBooks:
    page_size = 2

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stoken = make_vpptoken("secret-location-1")
        self.revoked: set[str] = set()
        self.expired: set[str] = set()
        self.mdm_info: dict[str, str] = {}
        self.notify_url = ""
        self.notify_token = ""
        self.notify_types: list[str] = []
        self.notify_latency = 0.05
        self.sent: list[tuple[str, int]] = []  # (notificationType, HTTP status or 0)
        self.timers: list[threading.Timer] = []
        self.assets = self._seed()
        self.users: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        self.version = 1
        self.requests: list[str] = []
        self.delay = 0.0
        self._fail: list[tuple[str, int, int | None, str, int | None]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/mdm/v2/"

    def close(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            self.__init_state()

    @staticmethod
    def _seed() -> list[FakeAsset]:
        return [
            FakeAsset("361309726", "Work Mail", "com.example.workmail", total=3),
            FakeAsset("408709785", "Team Chat", "com.example.teamchat", total=1),
            FakeAsset("377298193", "Expenses", "com.example.expenses", total=0),
        ]

    def __init_state(self) -> None:
        self.assets = self._seed()
        self.version = 1
        self.users.clear()
        self.events.clear()
        self.revoked.clear()
        self.expired.clear()
        self.mdm_info = {}
        self.notify_url = self.notify_token = ""
        self.notify_types = []
        self.notify_latency = 0.05
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()
        self.sent.clear()
        self.requests.clear()
        self.delay = 0.0
        self._fail.clear()

    def asset(self, adam_id: str) -> FakeAsset:
        return next(a for a in self.assets if a.adam_id == adam_id)

    def fail_next(
        self,
        path: str,
        *,
        status: int = 500,
        number: int | None = 9603,
        message: str = "Internal error",
        retry_after: int | None = None,
    ) -> None:
        self._fail.append((path, status, number, message, retry_after))

    # --- request handling -------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def _serve(self, method: str) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null") if length else None
                path = url.path.removeprefix("/mdm/v2/")
                fake.requests.append(f"{method} {path}")
                if fake.delay:
                    time.sleep(fake.delay)
                if path.startswith("icons/") and method == "GET":
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.send_header("Content-Length", str(len(ICON_PNG)))
                    self.end_headers()
                    self.wfile.write(ICON_PNG)
                    return
                status, data, headers = fake.dispatch(
                    method, path, query, body, self.headers.get("Authorization", "")
                )
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(raw)

        return Handler

    def dispatch(
        self, method: str, path: str, query: dict[str, str], body: Any, auth: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self.lock:
            for i, (fpath, status, number, message, retry) in enumerate(self._fail):
                if fpath == path:
                    del self._fail[i]
                    headers = {"Retry-After": str(retry)} if retry is not None else {}
                    data = {"errorMessage": message}
                    if number is not None:
                        data["errorNumber"] = number
                    return status, data, headers
            if path == "metadata":
                return 200, self._metadata(query), {}
            if not auth.startswith("Bearer "):
                return (
                    401,
                    _error(9722, "This request contains an invalid authorization header."),
                    {},
                )
            token = auth.removeprefix("Bearer ").strip()
            if token in self.revoked:
                return 401, _error(9625, "The server has revoked the cToken."), {}
            if token in self.expired:
                return 401, _error(9621, "The token has expired."), {}
            if token != self.stoken:
                return 401, _error(9601, "Login required."), {}
            handler = {
                ("GET", "client/config"): self._get_config,
                ("POST", "client/config"): self._set_config,
                ("GET", "service/config"): self._service_config,
                ("GET", "assets"): self._assets,
                ("GET", "assignments"): self._assignments,
                ("POST", "users/create"): self._create_users,
                ("GET", "users"): self._get_users,
                ("POST", "assets/associate"): self._associate,
                ("POST", "assets/disassociate"): self._disassociate,
                ("GET", "status"): self._status,
            }.get((method, path))
            if handler is None:
                return 405, _error(9726, "Unsupported HTTP method for the endpoint."), {}
            status, data, headers = handler(query, body)
            if self.mdm_info and status < 400:
                data = {**data, "mdmInfo": dict(self.mdm_info)}
            return status, data, headers

    def _config(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "locationName": "Headquarters",
            "uId": UID,
            "tokenExpirationDate": "2027-06-01T10:00:00+0000",
            "countryISO2ACode": "US",
            "defaultPlatform": "volumestore",
            "subscribedNotificationTypes": list(self.notify_types),
        }
        if self.notify_url:
            data["notificationUrl"] = self.notify_url
            data["notificationAuthToken"] = self.notify_token
        return data

    def _get_config(
        self, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        return 200, self._config(), {}

    def _set_config(
        self, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not isinstance(body, dict):
            return 400, _error(9602, "Invalid argument."), {}
        info = body.get("mdmInfo")
        if info is not None:
            if not isinstance(info, dict) or not all(
                isinstance(info.get(k), str) and info[k] for k in ("id", "name", "metadata")
            ):
                return 400, _error(9723, "Provide an MDM name, ID, and metadata."), {}
            # Service Config's limits: maxMdmIdLength 100, maxMdmNameLength 100,
            # maxMdmMetadataLength 255, maxNotificationLength 512.
            if len(info["id"]) > 100:
                return 400, _error(9724, "The MDM ID exceeds the maximum length."), {}
            if len(info["name"]) > 100:
                return 400, _error(9725, "The MDM name exceeds the maximum length."), {}
            if len(info["metadata"]) > 255:
                return 400, _error(9713, "The MDM metadata exceeds the maximum length."), {}
        url, secret = body.get("notificationUrl"), body.get("notificationAuthToken")
        if bool(url) != bool(secret):
            return 400, _error(9710, "Both the notification URL and token are necessary."), {}
        if url:
            if not isinstance(url, str) or not isinstance(secret, str):
                return 400, _error(9602, "Invalid argument."), {}
            if len(url) > 512 or len(secret) > 512:
                return 400, _error(9711, "The notification URL or token is too long."), {}
            parts = urlsplit(url)
            if not (
                parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)
            ):
                return 400, _error(9712, "The notification URL must use HTTPS."), {}
            test = {"notification": {}, "notificationType": "TEST_NOTIFICATION"}
            if not 200 <= self._post(url, secret, test) < 300:
                return 400, _error(9728, "The provided notification URL is unreachable."), {}
            self.notify_url, self.notify_token = url, secret
            types = body.get("notificationTypes")
            self.notify_types = [str(t) for t in types] if isinstance(types, list) else []
        if info is not None:
            self.mdm_info = {k: str(info[k]) for k in ("id", "name", "metadata")}
        return 200, self._config(), {}

    def _service_config(
        self, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        return 200, {"urls": {"contentMetadataLookup": self.base_url + "metadata"}}, {}

    def _metadata(self, query: dict[str, str]) -> dict[str, Any]:
        results = {}
        for adam_id in query.get("id", "").split(","):
            asset = next((a for a in self.assets if a.adam_id == adam_id), None)
            if asset is None:
                continue
            results[adam_id] = {
                "name": asset.name,
                "bundleId": asset.bundle_id,
                "deviceFamilies": ["iphone", "ipad", "mac"]
                if "macOS" in asset.platforms
                else ["iphone", "ipad"],
                "offers": [{"version": {"display": asset.version}}],
                "artwork": {"url": f"{self.base_url}icons/{adam_id}.png"},
            }
        return {"results": results}

    def _assets(
        self, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        try:
            page = int(query.get("pageIndex", "0"))
        except ValueError:
            page = -1
        pages = max(1, -(-len(self.assets) // self.page_size))
        if page < 0 or page >= pages:
            return 400, {"errorNumber": 9602, "errorMessage": "Invalid argument: pageIndex"}, {}
        chunk = self.assets[page * self.page_size : (page + 1) * self.page_size]
        data: dict[str, Any] = {
            "assets": [a.json() for a in chunk],
            "currentPageIndex": page,
            "size": len(chunk),
            "totalPages": pages,
            "versionId": str(self.version),
            "uId": "2049025000431439",
            "tokenExpirationDate": "2027-06-01T10:00:00+0000",
        }
        if page + 1 < pages:
            data["nextPageIndex"] = page + 1
        return 200, data, {}

    def _assignments(
        self, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Get Assignments: every licence held, for one `adamId` if given, paged."""
        wanted = query.get("adamId")
        rows: list[dict[str, Any]] = []
        for asset in self.assets:
            if wanted and asset.adam_id != wanted:
                continue
            base = {"adamId": asset.adam_id, "pricingParam": "STDQ"}
            rows += [{**base, "clientUserId": u} for u in sorted(asset.users)]
            rows += [{**base, "serialNumber": s} for s in sorted(asset.serials)]
        try:
            page = int(query.get("pageIndex", "0"))
        except ValueError:
            page = -1
        pages = max(1, -(-len(rows) // self.page_size))
        if page < 0 or page >= pages:
            return 400, _error(9650, "The page index must be within the pages."), {}
        data: dict[str, Any] = {
            "assignments": rows[page * self.page_size : (page + 1) * self.page_size],
            "currentPageIndex": page,
            "size": self.page_size,
            "totalPages": pages,
            "versionId": str(self.version),
            "uId": UID,
        }
        if page + 1 < pages:
            data["nextPageIndex"] = page + 1
        return 200, data, {}

    def _event(
        self, kind: str, apply: Any, requested: int, targets: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        event_id = str(uuid.uuid4())
        self.events[event_id] = {
            "type": kind,
            "apply": apply,
            "polls": 0,
            "requested": requested,
            "targets": targets or {},
        }
        if self.notify_url:
            timer = threading.Timer(self.notify_latency, self._notify_event, args=(event_id,))
            timer.daemon = True
            self.timers.append(timer)
            timer.start()
        return 200, {"eventId": event_id, "uId": UID}, {}

    def _create_users(
        self, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        users = body.get("users") if isinstance(body, dict) else None
        if not isinstance(users, list) or not users:
            return (
                400,
                {"errorNumber": 9600, "errorMessage": "Missing required argument: users"},
                {},
            )
        for user in users:
            if not isinstance(user, dict) or not user.get("clientUserId"):
                return (
                    400,
                    {"errorNumber": 9602, "errorMessage": "Invalid argument: clientUserId"},
                    {},
                )

        def apply() -> list[dict[str, Any]]:
            for user in users:
                self.users[user["clientUserId"]] = {**user, "status": "Registered"}
            return []

        return self._event("USER_CREATE", apply, len(users), {"users": users})

    def _get_users(
        self, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        user = self.users.get(query.get("clientUserId", ""))
        return 200, {"users": [user] if user else [], "versionId": str(self.version)}, {}

    def _parse_assoc(self, body: Any) -> tuple[FakeAsset | None, list[str], list[str], str]:
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("assets"), list)
            or not body["assets"]
        ):
            return None, [], [], "Missing required argument: assets"
        adam_id = str(body["assets"][0].get("adamId", ""))
        asset = next((a for a in self.assets if a.adam_id == adam_id), None)
        if asset is None:
            return None, [], [], f"Invalid argument: adamId {adam_id}"
        users = [str(u) for u in body.get("clientUserIds") or []]
        serials = [str(s) for s in body.get("serialNumbers") or []]
        if bool(users) == bool(serials):
            return None, [], [], "Invalid argument: give clientUserIds or serialNumbers"
        return asset, users, serials, ""

    def _associate(
        self, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        asset, users, serials, problem = self._parse_assoc(body)
        if asset is None:
            return 400, {"errorNumber": 9602, "errorMessage": problem}, {}

        def apply() -> list[dict[str, Any]]:
            failures: list[dict[str, Any]] = []
            for cid in users:
                if cid not in self.users:
                    failures.append(
                        {
                            "clientUserId": cid,
                            "errorNumber": 9609,
                            "errorMessage": "Unable to find registered user.",
                        }
                    )
                elif cid not in asset.users and asset.assigned >= asset.total:
                    failures.append(
                        {
                            "clientUserId": cid,
                            "adamId": asset.adam_id,
                            "errorNumber": 9709,
                            "errorMessage": "There aren't enough assets available to "
                            "complete this association.",
                        }
                    )
                else:
                    asset.users.add(cid)
            for serial in serials:
                if not asset.device_assignable:
                    failures.append(
                        {
                            "serialNumber": serial,
                            "errorNumber": 9602,
                            "errorMessage": "Asset is not device assignable",
                        }
                    )
                elif serial not in asset.serials and asset.assigned >= asset.total:
                    failures.append(
                        {
                            "serialNumber": serial,
                            "adamId": asset.adam_id,
                            "errorNumber": 9709,
                            "errorMessage": "There aren't enough assets available to "
                            "complete this association.",
                        }
                    )
                else:
                    asset.serials.add(serial)
            self.version += 1
            return failures

        return self._event(
            "ASSOCIATE", apply, len(users) + len(serials), _targets(asset, users, serials)
        )

    def _disassociate(
        self, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        asset, users, serials, problem = self._parse_assoc(body)
        if asset is None:
            return 400, {"errorNumber": 9602, "errorMessage": problem}, {}

        def apply() -> list[dict[str, Any]]:
            failures = []
            for cid in users:
                if cid in asset.users:
                    asset.users.discard(cid)
                else:
                    failures.append(
                        {
                            "clientUserId": cid,
                            "errorNumber": 9610,
                            "errorMessage": "License not found",
                        }
                    )
            for serial in serials:
                if serial in asset.serials:
                    asset.serials.discard(serial)
                else:
                    failures.append(
                        {
                            "serialNumber": serial,
                            "errorNumber": 9610,
                            "errorMessage": "License not found",
                        }
                    )
            self.version += 1
            return failures

        return self._event(
            "DISASSOCIATE", apply, len(users) + len(serials), _targets(asset, users, serials)
        )

    def _status(
        self, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        event = self.events.get(query.get("eventId", ""))
        if event is None:
            return 400, {"errorNumber": 9602, "errorMessage": "Invalid argument: eventId"}, {}
        event["polls"] += 1
        if event["polls"] == 1:
            return (
                200,
                {
                    "eventStatus": "PENDING",
                    "eventType": event["type"],
                    "numCompleted": 0,
                    "numRequested": event["requested"],
                },
                {},
            )
        failures = self._finish(event)
        return (
            200,
            {
                "eventStatus": "FAILED" if failures else "COMPLETE",
                "eventType": event["type"],
                "numCompleted": event["requested"] - len(failures),
                "numRequested": event["requested"],
                "failures": failures,
            },
            {},
        )

    # --- notifications ----------------------------------------------------------------------

    def _finish(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """Apply an event once (called with the lock held); its failures."""
        if "failures" not in event:
            event["failures"] = event["apply"]()
        return list(event["failures"])

    def _notify_event(self, event_id: str) -> None:
        """A write finished: tell the MDM (ASSET_MANAGEMENT or USER_MANAGEMENT), one
        notification for what succeeded and one (with the error) for what failed."""
        with self.lock:
            event = self.events.get(event_id)
            if event is None or not self.notify_url:
                return
            failures = self._finish(event)
            targets = event["targets"]
        failed_ids = {f.get("clientUserId") or f.get("serialNumber") for f in failures}
        if event["type"] == "USER_CREATE":
            users = [
                {
                    "clientUserId": u["clientUserId"],
                    "email": u.get("email", ""),
                    "status": "Registered",
                }
                for u in targets.get("users", [])
            ]
            body = {"eventId": event_id, "result": "SUCCESS", "type": "CREATE", "users": users}
            self.send("USER_MANAGEMENT", body)
            return
        kind = "ASSOCIATE" if event["type"] == "ASSOCIATE" else "DISASSOCIATE"
        rows = targets.get("assignments", [])
        ok = [r for r in rows if (r.get("clientUserId") or r.get("serialNumber")) not in failed_ids]
        bad = [r for r in rows if r not in ok]
        if ok:
            body = {"assignments": ok, "eventId": event_id, "result": "SUCCESS", "type": kind}
            self.send("ASSET_MANAGEMENT", body)
        if bad:
            first = failures[0]
            error = {"errorNumber": first["errorNumber"], "errorMessage": first["errorMessage"]}
            body = {
                "assignments": bad,
                "error": error,
                "eventId": event_id,
                "result": "FAILURE",
                "type": kind,
            }
            self.send("ASSET_MANAGEMENT", body)

    def buy(self, adam_id: str, count: int) -> None:
        """Licences bought (or, negative, refunded) in Apple Business Manager: ASSET_COUNT."""
        with self.lock:
            self.asset(adam_id).total += count
        body = {"adamId": adam_id, "countDelta": count, "pricingParam": "STDQ"}
        self.send("ASSET_COUNT", body)

    def user_accepts(self, client_user_id: str) -> None:
        """A person accepted the invitation: USER_ASSOCIATED."""
        user = {"clientUserId": client_user_id, "status": "Associated", "idHash": "x"}
        self.send("USER_ASSOCIATED", {"associatedUsers": [user]})

    def send(self, kind: str, body: dict[str, Any]) -> int:
        """POST a notification to the subscribed URL (if subscribed to `kind`); its status."""
        if not self.notify_url or kind not in self.notify_types:
            return 0
        note = {"notification": body, "notificationType": kind}
        return self._post(self.notify_url, self.notify_token, note)

    def _post(self, url: str, secret: str, note: dict[str, Any]) -> int:
        note = {**note, "notificationId": str(uuid.uuid4()), "uId": UID}
        if urlsplit(url).hostname not in LOOPBACK:
            self.sent.append((note["notificationType"], 0))
            return 0  # the tests never leave 127.0.0.1
        status = 0
        for _ in range(3):  # Apple: three attempts
            try:
                status = requests.post(
                    url,
                    json=note,
                    headers={"Authorization": f"Bearer {secret}"},
                    timeout=5,
                    allow_redirects=False,
                ).status_code
            except requests.RequestException:
                status = 0
            if 200 <= status < 300:
                break
        self.sent.append((note["notificationType"], status))
        return status


def _error(number: int, message: str) -> dict[str, Any]:
    return {"errorNumber": number, "errorMessage": message}


def _targets(asset: FakeAsset, users: list[str], serials: list[str]) -> dict[str, Any]:
    base = {"adamId": asset.adam_id, "pricingParam": "STDQ"}
    rows = [{**base, "clientUserId": u} for u in users]
    rows += [{**base, "serialNumber": s} for s in serials]
    return {"assignments": rows}
