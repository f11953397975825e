"""LDAP sign-ins on connections kept per thread (directory.ldap_client.SignInConnections), against
a real slapd: searches always as the service account, each password by a bind of its own, a
connection the server closed made again, a directory error never kept."""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from typing import Any

import ldap
import pytest

from directory import auth, ldap_client, services
from tests.directory.conftest import BASE, SERVICE_DN, make_ldap_source

pytestmark = pytest.mark.django_db

PEOPLE = f"ou=people,{BASE}"


@pytest.fixture(autouse=True)
def _fresh_connections() -> Iterator[None]:
    ldap_client.sign_in_connections.close_all()
    yield
    ldap_client.sign_in_connections.close_all()


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[ldap_client.Connection]:
    """Every LDAP connection opened from here on."""
    opened: list[ldap_client.Connection] = []
    original = ldap_client.Connection.__init__

    def init(self: ldap_client.Connection, config: ldap_client.LdapConfig) -> None:
        original(self, config)
        opened.append(self)

    monkeypatch.setattr(ldap_client.Connection, "__init__", init)
    return opened


def _code(**kwargs: Any) -> str:
    with pytest.raises(auth.AuthenticationFailed) as info:
        auth.authenticate_password(**kwargs)
    return info.value.code


def _kept() -> list[ldap_client.SignInConnection]:
    return ldap_client.sign_in_connections._kept()


def _who(conn: ldap_client.Connection | None) -> str:
    assert conn is not None
    return str(conn.conn.whoami_s())


def _cut(conn: ldap_client.Connection | None) -> None:
    """End the TCP connection under libldap's feet, as a server's idle timeout would."""
    assert conn is not None
    fd = conn.conn.get_option(ldap.OPT_DESC)
    with socket.socket(fileno=os.dup(fd)) as sock:
        sock.shutdown(socket.SHUT_RDWR)


def test_sign_ins_share_one_searcher_and_one_binder(ldap_source: Any, made: list[Any]) -> None:
    assert auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    assert _code(identifier="bob", password="nope", source=ldap_source) == "wrong_password"
    assert _code(identifier="mallory", password="x", source=ldap_source) == "unknown_user"
    assert auth.authenticate_password(identifier="bob", password="bob-pw", source=ldap_source)
    assert len(made) == 2
    (link,) = _kept()
    assert link._searcher is not None and link._binder is not None
    # The searcher stays the service account's; the binder is whoever signed in last.
    assert _who(link._searcher) == f"dn:{SERVICE_DN}"
    assert _who(link._binder) == f"dn:uid=bob,{PEOPLE}"


def test_each_password_is_checked_by_a_bind_of_its_own(ldap_source: Any) -> None:
    assert auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    # The binder is bound as alice: neither her password for bob nor a wrong one for her passes.
    assert _code(identifier="bob", password="alice-pw", source=ldap_source) == "wrong_password"
    assert _code(identifier="alice", password="wrong", source=ldap_source) == "wrong_password"
    assert _code(identifier="alice", password="", source=ldap_source) == "wrong_password"
    assert auth.authenticate_password(identifier="bob", password="bob-pw", source=ldap_source)
    assert _code(identifier="carol", password="carol-pw", source=ldap_source) == "disabled"
    assert _code(identifier="dave", password="dave-pw", source=ldap_source) == "locked"


def test_connections_the_server_closed_are_made_again(ldap_source: Any, made: list[Any]) -> None:
    assert auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    (link,) = _kept()
    _cut(link._searcher)
    _cut(link._binder)
    assert auth.authenticate_password(identifier="bob", password="bob-pw", source=ldap_source)
    assert len(made) == 4
    _cut(link._binder)
    assert _code(identifier="alice", password="nope", source=ldap_source) == "wrong_password"
    assert len(made) == 5


def test_a_directory_error_is_not_kept(throwaway_slapd: Any, domains: None) -> None:
    server = throwaway_slapd()
    source = make_ldap_source(server.url)
    assert auth.authenticate_password(identifier="alice", password="alice-pw", source=source)
    assert len(_kept()) == 1
    server.stop()
    assert _code(identifier="alice", password="alice-pw", source=source) == "unreachable"
    assert _kept() == []


def test_a_changed_configuration_gets_connections_of_its_own(
    ldap_source: Any, made: list[Any]
) -> None:
    assert auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    services.save_source(source=ldap_source, data={"bind_password": "wrong"}, actor=None)
    ldap_source.refresh_from_db()
    assert _code(identifier="alice", password="alice-pw", source=ldap_source) == "not_configured"
    # The kept searcher is not used with the new settings: a new one tried them.
    assert len(made) == 3
    # At most MAX configurations a thread; the one used last first.
    configs = [link.config for link in _kept()]
    assert configs[0].bind_password == "wrong" and len(configs) == 2
    for n in range(3):
        other = make_ldap_source(ldap_source.ldap_url, name=f"Other {n}", sign_in_domains=[])
        auth.authenticate_password(identifier="alice", password="alice-pw", source=other)
    assert len(_kept()) == ldap_client.SignInConnections.MAX


def test_a_forked_process_does_not_use_its_parents_connections(
    ldap_source: Any, made: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    (parents,) = _kept()
    monkeypatch.setattr(ldap_client.os, "getpid", lambda: -1)
    assert auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    assert len(made) == 4
    # Left alone (not unbound: the socket is the parent's too).
    assert _who(parents._searcher) == f"dn:{SERVICE_DN}"


def test_connections_are_made_again_after_max_age(
    ldap_source: Any, made: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(ldap_client.time, "monotonic", lambda: now[0])
    assert auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    now[0] += ldap_client.SignInConnections.MAX_AGE - 1
    assert auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    assert len(made) == 2
    (old,) = _kept()
    now[0] += 1
    assert auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    assert len(made) == 4
    assert old._searcher is None and old._binder is None  # closed


def test_a_forked_child_that_closes_its_copies_leaves_the_parents_sessions_alone(
    ldap_source: Any,
) -> None:
    """python-ldap unbinds a connection it frees, which a child does at its exit: through the
    socket it shares with its parent, that ended the parent's session (the directory answered
    the parent's next operation with SERVER_DOWN)."""
    assert auth.authenticate_password(identifier="alice", password="alice-pw", source=ldap_source)
    (link,) = _kept()
    pid = os.fork()
    if pid == 0:  # the child: close (unbind) what it inherited, as its exit would
        try:
            link.close()
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert _who(link._searcher) == f"dn:{SERVICE_DN}"  # the same session, not a new one
    assert _who(link._binder) == f"dn:uid=alice,{PEOPLE}"


def test_a_fork_while_another_thread_waits_on_the_directory_does_not_hang_the_child() -> None:
    """python-ldap holds a connection's lock while an operation waits for the server: a child
    forked meanwhile inherits the lock held, so nothing in it may call python-ldap for that
    connection (the quieting of inherited sockets uses the numbers noted in the parent)."""
    import threading
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)  # accepts the TCP connection, never answers
    port = silent.getsockname()[1]
    conn = ldap_client.Connection(ldap_client.LdapConfig(url=f"ldap://127.0.0.1:{port}", timeout=3))
    waiting = threading.Thread(target=_bind_quietly, args=(conn,), daemon=True)
    waiting.start()
    time.sleep(0.5)  # inside simple_bind_s, waiting for an answer
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    exited = False
    for _ in range(100):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            exited = True
            break
        time.sleep(0.05)
    if not exited:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    waiting.join(10)
    conn.close()
    silent.close()
    assert exited, "the child hung in the fork hook"


def _bind_quietly(conn: ldap_client.Connection) -> None:
    with contextlib.suppress(ldap_client.LdapError):
        conn.bind("cn=x", "pw")
