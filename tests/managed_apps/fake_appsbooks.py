"""A fake Apple Apps and Books service (API v2) and its app metadata lookup, on http://127.0.0.1.

It checks what Apple checks: the bearer sToken (unknown: 9622 with 401; revoked: 9625), that
an association names registered users or device-assignable assets, that a location has the
licences; it answers the documented JSON shapes (assets paged with `versionId` and
`nextPageIndex`, writes answered with an `eventId` that stays PENDING for a poll before it is
COMPLETE or FAILED with `failures`), and its errors carry `errorNumber` and `errorMessage`.
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
        self.client_context = ""
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
        self.client_context = ""
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
            token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else ""
            if token in self.revoked:
                return 401, {"errorNumber": 9625, "errorMessage": "The sToken has been revoked"}, {}
            if token != self.stoken:
                return (
                    401,
                    {"errorNumber": 9622, "errorMessage": "Invalid authentication token"},
                    {},
                )
            handler = {
                ("GET", "client/config"): self._get_config,
                ("POST", "client/config"): self._set_config,
                ("GET", "service/config"): self._service_config,
                ("GET", "assets"): self._assets,
                ("POST", "users/create"): self._create_users,
                ("GET", "users"): self._get_users,
                ("POST", "assets/associate"): self._associate,
                ("POST", "assets/disassociate"): self._disassociate,
                ("GET", "status"): self._status,
            }.get((method, path))
            if handler is None:
                return 404, {"errorNumber": 9602, "errorMessage": "Invalid argument"}, {}
            return handler(query, body)

    def _config(self) -> dict[str, Any]:
        return {
            "clientContext": self.client_context,
            "locationName": "Headquarters",
            "uId": "2049025000431439",
            "tokenExpirationDate": "2027-06-01T10:00:00+0000",
            "countryISO2ACode": "US",
            "defaultPlatform": "volumestore",
        }

    def _get_config(
        self, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        return 200, self._config(), {}

    def _set_config(
        self, query: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not isinstance(body, dict) or not isinstance(body.get("clientContext", ""), str):
            return 400, {"errorNumber": 9602, "errorMessage": "Invalid argument"}, {}
        self.client_context = body.get("clientContext", self.client_context)
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

    def _event(
        self, kind: str, apply: Any, requested: int
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        event_id = str(uuid.uuid4())
        self.events[event_id] = {"type": kind, "apply": apply, "polls": 0, "requested": requested}
        return 200, {"eventId": event_id, "uId": "2049025000431439"}, {}

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

        return self._event("USER_CREATE", apply, len(users))

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
                            "errorMessage": "Registered user not found",
                        }
                    )
                elif cid not in asset.users and asset.assigned >= asset.total:
                    failures.append(
                        {
                            "clientUserId": cid,
                            "adamId": asset.adam_id,
                            "errorNumber": 9632,
                            "errorMessage": "Not enough licenses",
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
                            "errorNumber": 9632,
                            "errorMessage": "Not enough licenses",
                        }
                    )
                else:
                    asset.serials.add(serial)
            self.version += 1
            return failures

        return self._event("ASSOCIATE", apply, len(users) + len(serials))

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

        return self._event("DISASSOCIATE", apply, len(users) + len(serials))

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
        if "failures" not in event:
            event["failures"] = event["apply"]()
        failures = event["failures"]
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
