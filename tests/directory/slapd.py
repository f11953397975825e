"""A real slapd on loopback, seeded with a small directory (see tests/directory/conftest.py)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.directory.tls import make_tls

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
            ca, cert, key = make_tls(self.directory)
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
