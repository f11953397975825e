"""Directory fixtures: a real slapd on loopback and a fake Entra ID authority + Graph over https.

slapd seed (dc=example,dc=com): ou=people (alice, bob, carol, dave), ou=sales,ou=people (eve, grace,
heidi), a service account cn=mdm-sync,ou=services. Account state lives in ``employeeType``:
``disabled`` disables (carol), ``locked`` locks (dave). Groups: staff, mdm-users, sales.
grace and heidi share one mail address (Managed Apple ID duplicates).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SLAPD = "/usr/sbin/slapd"
BASE = "dc=example,dc=com"
ROOT_DN = f"cn=admin,{BASE}"
ROOT_PW = "rootsecret"
SERVICE_DN = f"cn=mdm-sync,ou=services,{BASE}"
SERVICE_PW = "sync-secret"
PASSWORDS = {
    "alice": "alice-pw",
    "bob": "bob-pw",
    "carol": "carol-pw",
    "dave": "dave-pw",
    "eve": "eve-pw",
    "grace": "grace-pw",
    "heidi": "heidi-pw",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _person(uid: str, ou: str, mail: str, status: str = "active", upn: str = "") -> str:
    dn = f"uid={uid},{ou}"
    return (
        f"dn: {dn}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid.title()} Example\n"
        f"sn: Example\nmail: {mail}\nemployeeType: {status}\n"
        f"userPassword: {PASSWORDS.get(uid, uid + '-pw')}\n\n"
    )


def seed_ldif(extra_users: int = 0) -> str:
    people = f"ou=people,{BASE}"
    sales = f"ou=sales,{people}"
    parts = [
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n\n",
        f"dn: {people}\nobjectClass: organizationalUnit\nou: people\n\n",
        f"dn: {sales}\nobjectClass: organizationalUnit\nou: sales\n\n",
        f"dn: ou=groups,{BASE}\nobjectClass: organizationalUnit\nou: groups\n\n",
        f"dn: ou=services,{BASE}\nobjectClass: organizationalUnit\nou: services\n\n",
        f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
        f"cn: mdm-sync\nuserPassword: {SERVICE_PW}\n\n",
        _person("alice", people, "alice@example.com"),
        _person("bob", people, "bob@example.com"),
        _person("carol", people, "carol@example.com", "disabled"),
        _person("dave", people, "dave@example.com", "locked"),
        _person("eve", sales, "eve@example.com"),
        _person("grace", sales, "shared@example.com"),
        _person("heidi", sales, "shared@example.com"),
    ]
    parts += [
        _person(f"user{i:03d}", people, f"user{i:03d}@example.com") for i in range(extra_users)
    ]

    def group(cn: str, uids: list[str], ou: str = people) -> str:
        members = "".join(
            f"member: uid={u},{sales if u in ('eve', 'grace', 'heidi') else ou}\n" for u in uids
        )
        return f"dn: cn={cn},ou=groups,{BASE}\nobjectClass: groupOfNames\ncn: {cn}\n{members}\n"

    parts += [
        group("staff", ["alice", "bob", "carol", "dave"]),
        group("mdm-users", ["alice"]),
        group("sales", ["eve", "grace", "heidi"]),
    ]
    return "".join(parts)


@dataclass
class Slapd:
    """A throwaway slapd: its own config dir, a free loopback port, stopped by pidfile."""

    extra_users: int = 0
    tls: bool = False
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="slapd-")))
    port: int = field(default_factory=_free_port)
    tls_port: int = field(default_factory=_free_port)
    ca_pem: str = ""

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.tls_port}/"

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}/"

    @property
    def pidfile(self) -> Path:
        return self.directory / "slapd.pid"

    def start(self) -> Slapd:
        (self.directory / "db").mkdir(exist_ok=True)
        conf = self.directory / "slapd.conf"
        tls_lines = ""
        urls = self.url
        if self.tls:
            ca, cert, key = _make_tls(self.directory)
            self.ca_pem = ca.read_text()
            tls_lines = f"TLSCACertificateFile {ca}\nTLSCertificateFile {cert}\nTLSCertificateKeyFile {key}\n"
            urls = f"{self.url} {self.ldaps_url}"
        conf.write_text(
            tls_lines + "include /etc/ldap/schema/core.schema\n"
            "include /etc/ldap/schema/cosine.schema\n"
            "include /etc/ldap/schema/inetorgperson.schema\n"
            "include /etc/ldap/schema/nis.schema\n"
            "modulepath /usr/lib/ldap\nmoduleload back_mdb\nmoduleload memberof\n"
            f"pidfile {self.pidfile}\n"
            "sizelimit unlimited\n"
            "database mdb\nmaxsize 104857600\n"
            f'suffix "{BASE}"\nrootdn "{ROOT_DN}"\nrootpw {ROOT_PW}\n'
            f"directory {self.directory / 'db'}\noverlay memberof\n"
        )
        subprocess.run(
            [SLAPD, "-f", str(conf), "-h", urls, "-s", "0"],
            check=True,
            capture_output=True,
            timeout=20,
        )
        seed = self.directory / "seed.ldif"
        seed.write_text(seed_ldif(self.extra_users))
        for _ in range(50):
            done = subprocess.run(
                ["ldapadd", "-x", "-H", self.url, "-D", ROOT_DN, "-w", ROOT_PW, "-f", str(seed)],
                capture_output=True,
                text=True,
                timeout=20,
            )
            if done.returncode == 0:
                return self
            time.sleep(0.05)
        raise RuntimeError(f"seeding slapd failed: {done.stderr}")

    def stop(self) -> None:
        if self.pidfile.exists():
            pid = int(self.pidfile.read_text().strip())
            subprocess.run(["kill", str(pid)], check=False, timeout=10)
            # slapd removes its pidfile on a clean exit; a zombie may linger until reaped.
            for _ in range(200):
                if not self.pidfile.exists():
                    break
                time.sleep(0.02)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def slapd() -> Iterator[Slapd]:
    server = Slapd().start()
    yield server
    server.cleanup()


@pytest.fixture
def throwaway_slapd() -> Iterator[Any]:
    """Factory for a private slapd a test may stop (stopped and removed afterwards)."""
    started: list[Slapd] = []

    def make(extra_users: int = 0, tls: bool = False) -> Slapd:
        server = Slapd(extra_users=extra_users, tls=tls).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.cleanup()


@pytest.fixture
def domains(db: None) -> None:
    from directory.models import ManagedAppleIdDomain

    ManagedAppleIdDomain.objects.create(domain="appleid.example.com")
    ManagedAppleIdDomain.objects.create(domain="example.com")


def make_ldap_source(url: str, **overrides: Any) -> Any:
    from directory import services

    data: dict[str, Any] = {
        "name": "Corp LDAP",
        "kind": "ldap",
        "ldap_url": url,
        "ldap_security": "none",
        "bind_dn": SERVICE_DN,
        "bind_password": SERVICE_PW,
        "user_base_dn": f"ou=people,{BASE}",
        "group_base_dn": f"ou=groups,{BASE}",
        "sign_in_domains": ["example.com"],
        "apple_id_mapping": "pattern",
        "apple_id_pattern": "{local}@appleid.{domain}",
    }
    data.update(overrides)
    return services.save_source(source=None, data=data, actor=None)


@pytest.fixture
def ldap_source(slapd: Slapd, domains: None) -> Any:
    return make_ldap_source(slapd.url)


# --- fake Entra ID -------------------------------------------------------------------------------

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
CLIENT_SECRET = "entra-client-secret"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _make_tls(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1 / localhost."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fake Entra test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(IPv4Address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = (
        directory / "ca.pem",
        directory / "cert.pem",
        directory / "key.pem",
    )
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_path, cert_path, key_path


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
        self.ca_path, cert, key = _make_tls(self.dir)
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
                header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
                id_token = f"{header}.{_b64(json.dumps(claims).encode())}.{_b64(b'unsigned')}"
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


@pytest.fixture(scope="session")
def fake_entra() -> Iterator[FakeEntra]:
    fake = FakeEntra()
    yield fake
    fake.close()


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


@pytest.fixture
def entra_source(fake_entra: FakeEntra, db: None) -> Any:
    from directory.models import ManagedAppleIdDomain

    ManagedAppleIdDomain.objects.get_or_create(domain="contoso.example")
    return make_entra_source(fake_entra)
