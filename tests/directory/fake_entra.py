"""A fake Entra ID: OIDC discovery, /authorize, /token and a Graph subset over https on loopback."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import shutil
import ssl
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.directory.tls import make_tls

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
CLIENT_SECRET = "entra-client-secret"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _entra_user(n: int, name: str, mail: str, enabled: bool = True) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-0000-0000-{n:012d}",
        "userPrincipalName": f"{name}@contoso.example",
        "mail": mail,
        "displayName": name.title(),
        "accountEnabled": enabled,
        "@odata.type": "#microsoft.graph.user",
    }


class FakeEntra:
    """OIDC discovery, /authorize, /token and a Graph subset, on https://127.0.0.1:<port>."""

    page_size = 2

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="fake-entra-"))
        self.ca_path, cert, key = make_tls(self.dir)
        self.ca_pem = self.ca_path.read_text()
        self.users = [
            _entra_user(1, "ann", "ann@contoso.example"),
            _entra_user(2, "ben", "ben@contoso.example"),
            _entra_user(3, "cid", "cid@contoso.example"),
            _entra_user(4, "dee", "dee@contoso.example", enabled=False),
            _entra_user(5, "eli", ""),
        ]
        self.groups = [
            {
                "id": "g-0001",
                "displayName": "Mobile users",
                "members": [self.users[0]["id"], self.users[1]["id"], "dev-1"],
            },
            {"id": "g-0002", "displayName": "Contractors", "members": [self.users[2]["id"]]},
        ]
        self.codes: dict[str, dict[str, Any]] = {}
        self.graph_token = secrets.token_urlsafe(16)
        self.requests: list[str] = []
        self.tenant = TENANT
        self.tid_override: str | None = None
        self.client_certificate: x509.Certificate | None = None  # trusted for client assertions
        # id_tokens are RS256-signed with this key, published at the discovery's jwks_uri.
        self.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "fake-entra-key-1"
        # For refusal tests: claims to override in the next id_tokens, and another key to sign
        # them with (under the published kid: a forgery).
        self.id_token_overrides: dict[str, Any] = {}
        self.forge_with: rsa.RSAPrivateKey | None = None
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.base = f"https://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def user_by_login(self, login: str) -> dict[str, Any]:
        return next(u for u in self.users if u["userPrincipalName"] == login)

    def browser(self, auth_uri: str, login_hint: str) -> dict[str, str]:
        """Play the browser: follow the authorization URL and return the redirect's query."""
        session = requests.Session()
        session.trust_env = False
        response = session.get(
            auth_uri,
            params={"login_hint": login_hint},
            allow_redirects=False,
            verify=str(self.ca_path),
            timeout=5,
        )
        assert response.status_code == 302, response.text
        query = parse_qs(urlsplit(response.headers["Location"]).query)
        return {k: v[0] for k, v in query.items()}

    # The handler is a closure over the fake so tests can change its data on the fly.
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                fake.requests.append(parts.path)
                t = fake.tenant
                if parts.path == f"/{t}/v2.0/.well-known/openid-configuration":
                    return self._json(
                        200,
                        {
                            "issuer": f"{fake.base}/{t}/v2.0",
                            "authorization_endpoint": f"{fake.base}/{t}/oauth2/v2.0/authorize",
                            "token_endpoint": f"{fake.base}/{t}/oauth2/v2.0/token",
                            "jwks_uri": f"{fake.base}/{t}/discovery/v2.0/keys",
                        },
                    )
                if parts.path == f"/{t}/discovery/v2.0/keys":
                    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(
                        fake.signing_key.public_key(), as_dict=True
                    )
                    return self._json(
                        200, {"keys": [{**jwk, "kid": fake.kid, "use": "sig", "alg": "RS256"}]}
                    )
                if parts.path == f"/{t}/oauth2/v2.0/authorize":
                    code = secrets.token_urlsafe(16)
                    fake.codes[code] = query
                    target = (
                        query["redirect_uri"]
                        + "?"
                        + urlencode({"code": code, "state": query.get("state", "")})
                    )
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return None
                if parts.path.startswith("/v1.0/"):
                    return self._graph(parts.path[len("/v1.0/") :], query)
                return self._json(404, {"error": "not_found"})

            def _graph(self, path: str, query: dict[str, str]) -> None:
                if self.headers.get("Authorization") != f"Bearer {fake.graph_token}":
                    return self._json(401, {"error": {"code": "InvalidAuthenticationToken"}})
                if path == "organization":
                    return self._json(200, {"value": [{"id": fake.tenant}]})
                if path == "users":
                    items = _filtered(fake.users, query.get("$filter", ""))
                elif path == "groups":
                    items = [
                        {"id": g["id"], "displayName": g["displayName"]}
                        for g in _filtered(fake.groups, query.get("$filter", ""))
                    ]
                elif path.startswith("groups/") and path.endswith("/members"):
                    group = next((g for g in fake.groups if g["id"] == path.split("/")[1]), None)
                    if group is None:
                        return self._json(404, {"error": {"code": "Request_ResourceNotFound"}})
                    by_id = {u["id"]: u for u in fake.users}
                    items = [
                        by_id.get(m, {"id": m, "@odata.type": "#microsoft.graph.device"})
                        for m in group["members"]
                    ]
                elif path.startswith("users/") and path.endswith("/transitiveMemberOf"):
                    uid = path.split("/")[1]
                    items = [
                        {"id": g["id"], "displayName": g["displayName"]}
                        for g in fake.groups
                        if uid in g["members"]
                    ]
                else:
                    return self._json(404, {"error": {"code": "Request_ResourceNotFound"}})
                start = int(query.get("$skiptoken", "0"))
                page = items[start : start + fake.page_size]
                body: dict[str, Any] = {"value": page}
                if start + fake.page_size < len(items):
                    rest = {k: v for k, v in query.items() if k != "$skiptoken"}
                    rest["$skiptoken"] = str(start + fake.page_size)
                    body["@odata.nextLink"] = f"{fake.base}/v1.0/{path}?{urlencode(rest)}"
                return self._json(200, body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                fake.requests.append(self.path)
                if self.path != f"/{fake.tenant}/oauth2/v2.0/token":
                    return self._json(404, {"error": "not_found"})
                if form.get("client_assertion") and fake.client_certificate is not None:
                    try:
                        claims = jwt.decode(
                            form["client_assertion"],
                            key=fake.client_certificate.public_key(),
                            algorithms=["RS256", "PS256"],
                            audience=f"{fake.base}/{fake.tenant}/oauth2/v2.0/token",
                        )
                    except jwt.InvalidTokenError as exc:
                        return self._json(
                            401, {"error": "invalid_client", "error_description": str(exc)}
                        )
                    if claims.get("iss") != CLIENT_ID:
                        return self._json(401, {"error": "invalid_client"})
                elif (
                    form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET
                ):
                    return self._json(
                        401,
                        {
                            "error": "invalid_client",
                            "error_description": "AADSTS7000215: bad secret",
                        },
                    )
                if form.get("grant_type") == "client_credentials":
                    return self._json(
                        200,
                        {
                            "access_token": fake.graph_token,
                            "token_type": "Bearer",
                            "expires_in": 3600,
                        },
                    )
                if form.get("grant_type") != "authorization_code":
                    return self._json(400, {"error": "unsupported_grant_type"})
                request = fake.codes.pop(form.get("code", ""), None)
                if request is None or request["redirect_uri"] != form.get("redirect_uri"):
                    return self._json(
                        400, {"error": "invalid_grant", "error_description": "bad code"}
                    )
                verifier = form.get("code_verifier", "")
                if _b64(hashlib.sha256(verifier.encode()).digest()) != request.get(
                    "code_challenge"
                ):
                    return self._json(400, {"error": "invalid_grant", "error_description": "PKCE"})
                user = fake.user_by_login(request.get("login_hint", ""))
                tid = fake.tid_override or fake.tenant
                claims = {
                    "iss": f"{fake.base}/{fake.tenant}/v2.0",
                    "aud": CLIENT_ID,
                    "iat": int(time.time()),
                    "exp": int(time.time()) + 3600,
                    "nonce": request.get("nonce", ""),
                    "oid": user["id"],
                    "tid": tid,
                    "preferred_username": user["userPrincipalName"],
                    "upn": user["userPrincipalName"],
                    "email": user["mail"],
                    "name": user["displayName"],
                }
                claims.update(fake.id_token_overrides)
                id_token = jwt.encode(
                    claims,
                    fake.forge_with or fake.signing_key,
                    algorithm="RS256",
                    headers={"kid": fake.kid},
                )
                client_info = _b64(json.dumps({"uid": user["id"], "utid": tid}).encode())
                return self._json(
                    200,
                    {
                        "access_token": secrets.token_urlsafe(8),
                        "id_token": id_token,
                        "client_info": client_info,
                        "token_type": "Bearer",
                        "expires_in": 3600,
                        "scope": "openid profile offline_access",
                    },
                )

        return Handler


def _filtered(items: list[dict[str, Any]], flt: str) -> list[dict[str, Any]]:
    """The two OData filters our client sends: ``id eq '...'`` and ``startswith(f,'x') or ...``."""
    import re

    if not flt:
        return items
    match = re.fullmatch(r"id eq '(.*)'", flt)
    if match:
        return [i for i in items if i["id"] == match.group(1).replace("''", "'")]
    terms = re.findall(r"startswith\((\w+),'((?:[^']|'')*)'\)", flt)
    return [
        i
        for i in items
        if any(
            str(i.get(f) or "").lower().startswith(v.replace("''", "'").lower()) for f, v in terms
        )
    ]


def make_entra_source(fake: FakeEntra, **overrides: Any) -> Any:
    from directory import services

    data: dict[str, Any] = {
        "name": "Contoso Entra",
        "kind": "entra",
        "tenant_id": TENANT,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "authority_host": fake.base,
        "graph_url": fake.base,
        "authority_ca_pem": fake.ca_pem,
        "sign_in_domains": ["contoso.example"],
        "apple_id_mapping": "upn",
    }
    data.update(overrides)
    return services.save_source(source=None, data=data, actor=None)
