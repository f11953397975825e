"""LDAP access with python-ldap: connect (StartTLS/LDAPS), service bind, paged searches, user bind.

No Django imports: callers pass an LdapConfig and get records from ``directory.sync`` or an LdapError
whose code and message an administrator can act on.
"""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ldap
from ldap.controls import SimplePagedResultsControl
from ldap.filter import escape_filter_chars

from directory import sync

PAGE_SIZE = 200


class LdapError(Exception):
    """A directory operation failed. ``code``: unreachable, bind_failed, bad_filter, no_such_base,
    tls, invalid_credentials, error. ``server_down``: the connection was lost or could not be
    made (not a timeout)."""

    def __init__(self, code: str, message: str, *, server_down: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.server_down = server_down


@dataclass(frozen=True)
class LdapConfig:
    """Everything needed to talk to one directory; secrets already decrypted."""

    url: str
    bind_dn: str = ""
    bind_password: str = ""
    security: str = "none"  # none | starttls | ldaps
    ca_pem: str = ""
    user_base_dn: str = ""
    user_filter: str = "(objectClass=inetOrgPerson)"
    group_base_dn: str = ""
    group_filter: str = "(objectClass=groupOfNames)"
    group_member_attribute: str = "member"
    attribute_map: dict[str, str] = field(default_factory=dict)
    timeout: int = 10
    page_size: int = PAGE_SIZE

    @property
    def attributes(self) -> dict[str, str]:
        return sync.merged_attribute_map(self.attribute_map)


TLS_FAILED = (
    "A TLS connection to the directory could not be established: check the CA certificate and "
    "that the host name in the URL matches the server's certificate."
)


def _tcp_reachable(url: str, timeout: float) -> bool:
    """Whether the server's port accepts a TCP connection (tells TLS failures from outages)."""
    parts = urlsplit(url)
    port = parts.port or (636 if parts.scheme == "ldaps" else 389)
    try:
        with socket.create_connection((parts.hostname or "localhost", port), timeout=timeout):
            return True
    except OSError:
        return False


def _translate(
    exc: ldap.LDAPError, what: str, *, tls_url: str | None = None, timeout: float = 5
) -> LdapError:
    """Map python-ldap exceptions to messages an administrator can act on."""
    info = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    detail = str(info.get("info") or info.get("desc") or exc.__class__.__name__)
    if (
        tls_url
        and isinstance(exc, ldap.CONNECT_ERROR | ldap.SERVER_DOWN)
        and _tcp_reachable(tls_url, timeout)
    ):
        # libldap reports a failed handshake as a generic connect error; the port answers,
        # so the certificate (or its host name) is the likeliest cause.
        return LdapError("tls", TLS_FAILED)
    if isinstance(exc, ldap.CONNECT_ERROR | ldap.PROTOCOL_ERROR) and "TLS" in detail.upper():
        return LdapError("tls", f"TLS with the directory failed ({detail}).")
    if isinstance(exc, ldap.SERVER_DOWN | ldap.TIMEOUT | ldap.CONNECT_ERROR):
        return LdapError(
            "unreachable",
            f"The directory server cannot be reached ({detail}).",
            server_down=isinstance(exc, ldap.SERVER_DOWN),
        )
    if isinstance(exc, ldap.INVALID_CREDENTIALS):
        return LdapError("invalid_credentials", f"{what}: the directory rejected the credentials.")
    if isinstance(exc, ldap.FILTER_ERROR):
        return LdapError("bad_filter", f"{what}: the search filter is malformed.")
    if isinstance(exc, ldap.NO_SUCH_OBJECT):
        return LdapError("no_such_base", f"{what}: the search base does not exist ({detail}).")
    if isinstance(exc, ldap.INVALID_DN_SYNTAX):
        return LdapError("no_such_base", f"{what}: a DN is not valid ({detail}).")
    if isinstance(exc, ldap.UNWILLING_TO_PERFORM | ldap.INAPPROPRIATE_AUTH):
        return LdapError(
            "invalid_credentials", f"{what}: the directory refused the bind ({detail})."
        )
    return LdapError("error", f"{what}: {detail}.")


def _quiet_inherited() -> None:
    """In a forked process, every connection its parent had open: the child's copy of each
    socket now leads to /dev/null. Whatever the child does with them, or Python does when it
    frees them at exit (python-ldap unbinds a connection it frees), never reaches the
    directory, which would end the parent's session on the socket they share. Only the socket
    numbers noted in the parent are used: python-ldap holds a connection's lock while an
    operation waits for the server, and a child forked meanwhile inherits it held, so calling
    python-ldap here could wait for ever."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for connection in list(_open):
            fd = connection.fd
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.dup2(null, fd)
    finally:
        os.close(null)


class Connection:
    """One LDAP connection; use as a context manager so it is always unbound."""

    def __init__(self, config: LdapConfig) -> None:
        self.config = config
        tls = config.security in ("starttls", "ldaps")
        self.tls_url: str | None = config.url.strip() if tls else None
        self._ca_file: weakref.finalize | None = None  # removes the CA file
        # The socket's number once connected (libldap connects at the first operation and
        # keeps the socket until the unbind), for `_quiet_inherited`; -1 otherwise.
        self.fd = -1
        url = config.url.strip()
        if not url.startswith(("ldap://", "ldaps://")):
            raise LdapError("error", "The LDAP URL must start with ldap:// or ldaps://.")
        if config.security == "ldaps" and not url.startswith("ldaps://"):
            raise LdapError("error", "LDAPS needs an ldaps:// URL.")
        try:
            self.conn: Any = ldap.initialize(url)
            _open.add(self)
            self.conn.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
            self.conn.set_option(ldap.OPT_REFERRALS, 0)
            self.conn.set_option(ldap.OPT_NETWORK_TIMEOUT, config.timeout)
            self.conn.set_option(ldap.OPT_TIMEOUT, config.timeout)
            if config.security in ("starttls", "ldaps"):
                self._configure_tls()
            if config.security == "starttls":
                self.conn.start_tls_s()
                self._note_socket()
        except ldap.LDAPError as exc:
            self.close()
            raise _translate(
                exc, "Connecting", tls_url=self.tls_url, timeout=self.config.timeout
            ) from None

    def _configure_tls(self) -> None:
        self.conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
        if self.config.ca_pem.strip():
            # libldap wants a file; the PEM lives encrypted-free in the DB (it is public).
            handle = tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False)  # noqa: SIM115
            with handle:
                handle.write(self.config.ca_pem)
            # Also when the connection is dropped unclosed (a kept one's thread ending).
            self._ca_file = weakref.finalize(self, Path(handle.name).unlink, missing_ok=True)
            self.conn.set_option(ldap.OPT_X_TLS_CACERTFILE, handle.name)
        # A new TLS context makes libldap apply the options above to this connection only.
        self.conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)

    def _note_socket(self) -> None:
        if self.fd < 0:
            with contextlib.suppress(Exception):
                fd = self.conn.get_option(ldap.OPT_DESC)
                if isinstance(fd, int):
                    self.fd = fd

    def close(self) -> None:
        self.fd = -1  # closed below: the number may name another file afterwards
        with contextlib.suppress(Exception):
            self.conn.unbind_s()
        if self._ca_file is not None:
            self._ca_file()
            self._ca_file = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def bind(self, dn: str, password: str, *, what: str = "Binding") -> None:
        if not password:
            # An empty password is an anonymous ("unauthenticated") bind in LDAP: never accept it.
            raise LdapError("invalid_credentials", f"{what}: an empty password is not allowed.")
        try:
            self.conn.simple_bind_s(dn, password)
        except ldap.LDAPError as exc:
            raise _translate(exc, what, tls_url=self.tls_url, timeout=self.config.timeout) from None
        self._note_socket()

    def service_bind(self) -> None:
        if self.config.bind_dn:
            self.bind(
                self.config.bind_dn,
                self.config.bind_password,
                what="Binding with the service account",
            )

    def search(
        self,
        base: str,
        filterstr: str,
        attrs: list[str] | None,
        *,
        scope: int = ldap.SCOPE_SUBTREE,
        on_page: Callable[[int], None] | None = None,
        limit: int | None = None,
    ) -> Iterator[tuple[str, dict[str, list[bytes]]]]:
        """Paged subtree search (RFC 2696); on_page(count so far) is called after each page."""
        control = SimplePagedResultsControl(True, size=self.config.page_size, cookie="")
        count = 0
        try:
            while True:
                msgid = self.conn.search_ext(base, scope, filterstr, attrs, serverctrls=[control])
                _rtype, data, _msgid, controls = self.conn.result3(msgid)
                self._note_socket()  # an anonymous searcher's first operation
                for dn, entry in data:
                    if dn is None:  # search continuation references
                        continue
                    count += 1
                    yield dn, entry
                    if limit is not None and count >= limit:
                        return
                if on_page is not None:
                    on_page(count)
                cookie = next(
                    (
                        c.cookie
                        for c in controls
                        if c.controlType == SimplePagedResultsControl.controlType
                    ),
                    b"",
                )
                if not cookie:
                    return
                control.cookie = cookie
        except ldap.LDAPError as exc:
            raise _translate(
                exc, "Searching the directory", tls_url=self.tls_url, timeout=self.config.timeout
            ) from None

    # --- higher level -----------------------------------------------------------------------

    def user_filter_for(self, inner: str) -> str:
        return f"(&{self.config.user_filter}{inner})"

    def users(
        self,
        *,
        base: str | None = None,
        inner: str = "",
        on_page: Callable[[int], None] | None = None,
        limit: int | None = None,
    ) -> list[sync.UserRecord]:
        amap = self.config.attributes
        flt = self.user_filter_for(inner) if inner else self.config.user_filter
        return [
            sync.ldap_entry_to_user(dn, entry, amap)
            for dn, entry in self.search(
                base or self.config.user_base_dn,
                flt,
                sync.ldap_attribute_names(amap),
                on_page=on_page,
                limit=limit,
            )
        ]

    def groups(self, *, inner: str = "", limit: int | None = None) -> list[sync.GroupRecord]:
        amap = self.config.attributes
        flt = f"(&{self.config.group_filter}{inner})" if inner else self.config.group_filter
        attrs = sorted(
            {amap["group_name"], amap["group_external_id"], self.config.group_member_attribute}
        )
        return [
            sync.ldap_entry_to_group(dn, entry, amap, self.config.group_member_attribute)
            for dn, entry in self.search(
                self.config.group_base_dn or self.config.user_base_dn, flt, attrs, limit=limit
            )
        ]

    def group_by_dn(self, dn: str) -> sync.GroupRecord:
        amap = self.config.attributes
        attrs = sorted(
            {amap["group_name"], amap["group_external_id"], self.config.group_member_attribute}
        )
        rows = list(self.search(dn, "(objectClass=*)", attrs, scope=ldap.SCOPE_BASE))
        if not rows:
            raise LdapError("no_such_base", f"The group {dn} was not found.")
        return sync.ldap_entry_to_group(
            rows[0][0], rows[0][1], amap, self.config.group_member_attribute
        )

    def user_by_dn(self, dn: str) -> sync.UserRecord | None:
        amap = self.config.attributes
        rows = list(
            self.search(
                dn, self.config.user_filter, sync.ldap_attribute_names(amap), scope=ldap.SCOPE_BASE
            )
        )
        return sync.ldap_entry_to_user(rows[0][0], rows[0][1], amap) if rows else None

    def find_login(self, identifier: str) -> list[sync.UserRecord]:
        """Users whose username, mail or UPN equals the identifier (escaped: no filter injection)."""
        amap = self.config.attributes
        value = escape_filter_chars(identifier.strip())
        names = [amap[k] for k in ("username", "email", "upn") if amap.get(k)]
        inner = "(|" + "".join(f"({name}={value})" for name in names) + ")"
        return self.users(inner=inner, limit=2)

    def group_dns_of(self, user: sync.UserRecord) -> set[str]:
        """Group DNs the user belongs to: memberOf if the server keeps it, plus a member search."""
        found = set(user.group_ids)
        member = escape_filter_chars(user.dn)
        inner = f"({self.config.group_member_attribute}={member})"
        for group in self.groups(inner=inner):
            found.add(group.dn.lower())
        return found


# --- password checks on kept connections ---------------------------------------------------------


class SignInConnection:
    """What a password check needs of one directory, over two connections kept between checks
    (`SignInConnections`): `searcher`, bound as the service account (or anonymous when the
    source has none) once when it is made, finds the person and their groups and is never bound
    as anyone else; `binder` only binds, as each person signing in, and reads nothing. So every
    search is made with the service account's rights, and every password is checked by a bind
    of its own: no bind of one check is used by another. A connection kept since an earlier
    check and closed by the server since (its idle timeout, a restart) is made again once; a
    timeout is not retried."""

    def __init__(self, config: LdapConfig) -> None:
        self.config = config
        self.made_at = time.monotonic()
        self._searcher: Connection | None = None
        self._binder: Connection | None = None

    def _make_searcher(self) -> Connection:
        conn = Connection(self.config)
        try:
            conn.service_bind()
        except BaseException:
            conn.close()
            raise
        return conn

    def _on_searcher(self, op: Callable[[Connection], Any]) -> Any:
        kept = self._searcher is not None
        if self._searcher is None:
            self._searcher = self._make_searcher()
        try:
            return op(self._searcher)
        except LdapError as exc:
            if not (kept and exc.server_down):
                raise
        self._searcher.close()
        self._searcher = None
        self._searcher = self._make_searcher()
        return op(self._searcher)

    def find_login(self, identifier: str) -> list[sync.UserRecord]:
        result: list[sync.UserRecord] = self._on_searcher(lambda c: c.find_login(identifier))
        return result

    def group_dns_of(self, user: sync.UserRecord) -> set[str]:
        result: set[str] = self._on_searcher(lambda c: c.group_dns_of(user))
        return result

    def check_password(self, dn: str, password: str, *, what: str = "Signing in") -> None:
        """Bind as `dn` (LdapError "invalid_credentials" when the directory refuses)."""
        kept = self._binder is not None
        if self._binder is None:
            self._binder = Connection(self.config)
        try:
            self._binder.bind(dn, password, what=what)
            return
        except LdapError as exc:
            if not (kept and exc.server_down):
                raise
        self._binder.close()
        self._binder = None
        self._binder = Connection(self.config)
        self._binder.bind(dn, password, what=what)

    def close(self) -> None:
        for conn in (self._searcher, self._binder):
            if conn is not None:
                conn.close()
        self._searcher = self._binder = None


class SignInConnections:
    """Each thread's `SignInConnection`s, one per directory configuration (the last `MAX` used):
    a sign-in no longer connects, binds as the service account and unbinds every time, nor
    makes a TLS handshake. `use(config)` lends the thread's connection for that configuration
    (exactly equal: a changed URL, CA, service account or password gets new connections);
    after an error of the directory other than refused credentials it is closed, not kept.
    Connections are made again after `MAX_AGE` seconds, which bounds how long a change made in
    the directory to the service account (disabled, its password changed) goes unnoticed."""

    MAX = 2
    MAX_AGE = 300.0

    def __init__(self) -> None:
        self._local = threading.local()
        # A forked process must not use its parent's connections: they are left here (and
        # their sockets lead nowhere in the child: `_quiet_inherited`).
        self._inherited: list[Any] = []

    def _kept(self) -> list[SignInConnection]:
        held = getattr(self._local, "held", None)
        if held is None or held[0] != os.getpid():
            if held is not None:
                self._inherited.append(held)
            held = (os.getpid(), [])
            self._local.held = held
        kept: list[SignInConnection] = held[1]
        return kept

    @contextlib.contextmanager
    def use(self, config: LdapConfig) -> Iterator[SignInConnection]:
        kept = self._kept()
        link = next((c for c in kept if c.config == config), None)
        if link is not None:
            kept.remove(link)  # out while lent: a nested use gets connections of its own
            if time.monotonic() - link.made_at >= self.MAX_AGE:
                link.close()
                link = None
        if link is None:
            link = SignInConnection(config)
        try:
            yield link
        except LdapError as exc:
            if exc.code != "invalid_credentials":
                link.close()
                raise
            self._keep(link)
            raise
        except Exception:  # ours, between complete operations: the connections are in step
            self._keep(link)
            raise
        except BaseException:
            link.close()
            raise
        self._keep(link)

    def _keep(self, link: SignInConnection) -> None:
        kept = self._kept()
        for other in [c for c in kept if c.config == link.config]:  # a nested use's
            kept.remove(other)
            other.close()
        kept.insert(0, link)
        while len(kept) > self.MAX:
            kept.pop().close()

    def close_all(self) -> None:
        """Close this thread's kept connections (tests)."""
        kept = self._kept()
        while kept:
            kept.pop().close()


sign_in_connections = SignInConnections()
_open: weakref.WeakSet[Connection] = weakref.WeakSet()  # every Connection of this process
os.register_at_fork(after_in_child=_quiet_inherited)
