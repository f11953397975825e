"""The per-process configuration cache: kept between reads, dropped when any process changes it."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from directory import selectors
from directory.models import ManagedAppleIdDomain
from enrollment import services as enrollment
from enrollment.models import EnrollmentConfiguration, EnrollmentSettings
from mdm_server import config_cache, redis_client
from tests.processes import database_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.usefixtures("config_generation")


def _statements(read) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as queries:
        value = read()
    return value, len(queries)


def _rename_by_sql(name: str) -> None:
    """A change Django does not see (no signal): only the token or the age reveals it."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE enrollment_enrollmentsettings SET organisation_name = %s", [name])


@pytest.mark.django_db(transaction=True)
def test_a_kept_value_is_read_without_sql_and_each_caller_gets_its_own_copy() -> None:
    EnrollmentSettings.load()  # the row exists (creating it is a change)
    first, statements = _statements(EnrollmentSettings.current)
    assert statements == 1
    first.organisation_name = "changed by a caller, not saved"
    second, statements = _statements(EnrollmentSettings.current)
    assert statements == 0
    assert second.organisation_name != "changed by a caller, not saved"
    assert second is not first


def _fields(row: Model) -> dict[str, object]:
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}


@pytest.mark.django_db(transaction=True)
def test_kept_rows_are_handed_out_as_loaded_and_their_lists_are_each_callers_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows are copied without pickle: what each caller gets is what the database holds, with
    Django's state of a loaded row, and a JSON list changed in place stays the caller's."""
    EnrollmentConfiguration.objects.create(name="Staff", slug="staff", domains=["a.example"])

    def no_unpickling(data: bytes) -> object:
        raise AssertionError("a plain row is copied, not unpickled")

    monkeypatch.setattr(config_cache.pickle, "loads", no_unpickling)
    first = enrollment.configuration_by_slug("staff")
    first.domains.append("changed-in-place.example")
    first.name = "changed by a caller"
    (second, statements) = _statements(lambda: enrollment.configuration_by_slug("staff"))
    assert statements == 0
    loaded = EnrollmentConfiguration.objects.get(slug="staff")
    assert _fields(second) == _fields(loaded)
    assert second.domains == ["a.example"]
    assert second.domains is not first.domains
    assert (second._state.db, second._state.adding) == ("default", False)
    assert second._state is not first._state
    assert type(second) is EnrollmentConfiguration
    # What the first caller got was its own copy too (the kept value shares nothing with it).
    second.domains.append("again.example")
    assert enrollment.configuration_by_slug("staff").domains == ["a.example"]


class Other:
    """A type the copier does not know: pickled."""

    def __init__(self) -> None:
        self.items = [1, 2]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Other) and other.items == self.items

    __hash__ = None  # type: ignore[assignment]


def test_each_read_is_a_copy_equal_to_what_was_loaded() -> None:
    """Every shape a loader returns: what cannot change is handed out as it is, containers are
    rebuilt, and anything else is unpickled afresh, as before."""

    when = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
    shapes: list[object] = [
        None,
        True,
        "topic",
        ("a", 1, when),
        ["a", "b"],
        {"device-ca": 1, "signing": 2},
        [["nested"], {"k": ["v"]}],
        {1: {"inner": [1]}},
        (["inside", "a", "tuple"],),
        Other(),
        [Other()],
        EnrollmentConfiguration.SignIn.WEB,
    ]
    for value in shapes:
        copier = config_cache._copier(value)
        first, second = copier(), copier()
        assert first == value and second == value
        assert type(first) is type(value)
        if isinstance(value, (list, dict, Other)):
            assert first is not value and second is not first
    nested = config_cache._copier([["nested"], {"k": ["v"]}])
    mine = nested()
    mine[0].append("changed")
    mine[1]["k"].append("changed")
    assert nested() == [["nested"], {"k": ["v"]}]


def test_a_row_holding_a_related_object_is_pickled_whole() -> None:
    """A row with a cached related object (or anything but field values) is not copied field
    by field: it is unpickled, so the related object is each caller's own as well."""
    settings_row = EnrollmentSettings(pk=1, organisation_name="Example")
    related = EnrollmentConfiguration(name="Staff", slug="staff", domains=["a.example"])
    settings_row._state.fields_cache["other"] = related
    copier = config_cache._copier(settings_row)
    first = copier()
    first._state.fields_cache["other"].domains.append("changed.example")
    assert copier()._state.fields_cache["other"].domains == ["a.example"]
    assert copier().organisation_name == "Example"


@pytest.mark.django_db(transaction=True)
def test_saving_a_watched_model_is_seen_by_the_next_read() -> None:
    ManagedAppleIdDomain.objects.create(domain="one.example")
    assert selectors.enabled_domains() == ["one.example"]
    ManagedAppleIdDomain.objects.create(domain="two.example")
    assert selectors.enabled_domains() == ["one.example", "two.example"]
    ManagedAppleIdDomain.objects.filter(domain="one.example").delete()
    assert selectors.enabled_domains() == ["two.example"]
    config = EnrollmentConfiguration.objects.create(name="Staff", slug="staff")
    assert enrollment.configuration_by_slug("staff").name == "Staff"
    config.delete()
    assert enrollment.configuration_by_slug("staff") is None


@pytest.mark.django_db(transaction=True)
def test_an_open_transaction_sees_its_own_rows_and_a_rollback_leaves_nothing_behind() -> None:
    EnrollmentSettings.load()
    with pytest.raises(RuntimeError), transaction.atomic():
        options = EnrollmentSettings.load()
        options.organisation_name = "Uncommitted"
        options.save()
        assert EnrollmentSettings.current().organisation_name == "Uncommitted"
        raise RuntimeError("roll back")
    assert EnrollmentSettings.current().organisation_name != "Uncommitted"
    # Committed: kept again, under the new generation.
    with transaction.atomic():
        options = EnrollmentSettings.load()
        options.organisation_name = "Committed"
        options.save()
    assert EnrollmentSettings.current().organisation_name == "Committed"
    assert _statements(EnrollmentSettings.current)[1] == 0


@pytest.mark.django_db(transaction=True)
def test_a_queryset_update_needs_changed_and_the_services_call_it() -> None:
    a = EnrollmentConfiguration.objects.create(name="A", slug="a", is_default=True)
    b = EnrollmentConfiguration.objects.create(name="B", slug="b")
    assert enrollment.configuration_by_slug("a").is_default
    b.is_default = True
    enrollment.save_configuration(configuration=b, actor=None)  # update()s the others
    assert not enrollment.configuration_by_slug("a").is_default
    assert enrollment.configuration_by_slug("b").is_default
    EnrollmentConfiguration.objects.filter(pk=a.pk).update(name="A renamed")
    assert enrollment.configuration_by_slug("a").name == "A"  # unseen until changed()
    config_cache.changed()
    assert enrollment.configuration_by_slug("a").name == "A renamed"


@pytest.mark.django_db(transaction=True)
def test_a_request_reads_one_generation_and_the_next_request_sees_the_change() -> None:
    original = EnrollmentSettings.load().organisation_name
    request_started.send(sender=None)
    try:
        assert EnrollmentSettings.current().organisation_name == original
        # Another process commits a change: new rows, new token.
        _rename_by_sql("Elsewhere")
        config_cache._store().set("another-process")
        assert EnrollmentSettings.current().organisation_name == original  # same request
    finally:
        request_finished.send(sender=None)
    request_started.send(sender=None)
    try:
        assert EnrollmentSettings.current().organisation_name == "Elsewhere"
    finally:
        request_finished.send(sender=None)


@pytest.mark.django_db(transaction=True)
def test_without_a_token_or_after_max_age_the_database_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = EnrollmentSettings.load().organisation_name
    EnrollmentSettings.current()
    _rename_by_sql("By hand")
    assert (
        EnrollmentSettings.current().organisation_name == original
    )  # kept: nothing said it changed
    monkeypatch.setattr(config_cache, "MAX_AGE", 0.0)
    assert EnrollmentSettings.current().organisation_name == "By hand"
    monkeypatch.undo()

    class Unreachable:
        calls = 0

        def get(self) -> None:
            Unreachable.calls += 1
            raise redis.ConnectionError("cache down")

        add = set = get

    monkeypatch.setattr(config_cache, "_stores", [Unreachable()])
    _rename_by_sql("Cache down")
    for _ in range(2):
        value, statements = _statements(EnrollmentSettings.current)
        assert value.organisation_name == "Cache down" and statements == 1
    assert Unreachable.calls == 1  # not asked again right away: an outage adds no waiting
    backoff = redis_client._backoff
    monkeypatch.setattr(backoff, "clock", lambda: backoff.until)  # the back-off period is over
    EnrollmentSettings.current()
    assert Unreachable.calls == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_change_saved_by_another_process_is_seen_here() -> None:
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis shared with another process")
    original = EnrollmentSettings.load().organisation_name
    assert EnrollmentSettings.current().organisation_name == original
    _rename_by_sql("Not announced")
    assert EnrollmentSettings.current().organisation_name == original  # really kept
    code = (
        "from enrollment.models import EnrollmentSettings as S\n"
        "s = S.load(); s.organisation_name = 'Saved elsewhere'; s.save()\n"
    )
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert EnrollmentSettings.current().organisation_name == "Saved elsewhere"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_ca_rollover_made_by_another_process_is_used_here_without_a_restart() -> None:
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis shared with another process")
    from mdm_server.pki import services as pki

    pki.ensure_server_pki(organisation="Rollover")
    before = pki.active_identity("ca").certificate
    assert pki.active_identity("ca").certificate == before  # kept in this process
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL}
    done = subprocess.run(
        [sys.executable, "manage.py", "pki_rollover", "ca"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    after = pki.active_identity("ca").certificate
    assert after != before
    assert "Rollover MDM CA 2" in after.subject.rfc4514_string()
    assert pki.active_identity("signing").certificate.issuer == after.subject


@pytest.mark.django_db(transaction=True)
def test_without_redis_nothing_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config_cache, "_stores", [None])
    EnrollmentSettings.load()
    for _ in range(2):
        assert _statements(EnrollmentSettings.current)[1] == 1


def test_every_kept_model_is_watched_as_soon_as_django_starts() -> None:
    # Whichever code path saves one (the admin site, a management command), the change must be
    # announced, so the watching starts with the apps, not with the first enrollment request.
    code = (
        "from django.db.models.signals import post_save, post_delete\n"
        "from apns.models import PushCertificate\n"
        "from directory.models import IdentitySource, ManagedAppleIdDomain\n"
        "from enrollment.models import EnrollmentConfiguration, EnrollmentSettings\n"
        "from mdm_server.pki.models import ServerCertificate\n"
        "models = [PushCertificate, IdentitySource, ManagedAppleIdDomain,\n"
        "          EnrollmentConfiguration, EnrollmentSettings, ServerCertificate]\n"
        "print(all(s.has_listeners(m) for m in models for s in (post_save, post_delete)))\n"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "True"


def _real_store() -> config_cache._RedisGeneration:
    if not settings.REDIS_URL:
        pytest.skip("needs Redis")
    return config_cache._RedisGeneration(redis.Redis.from_url(settings.REDIS_URL))


def _client_id(store: config_cache._RedisGeneration) -> int:
    """The Redis client id of this thread's connection of `store`."""
    connection, _new = store._connection()
    connection.send_command("CLIENT", "ID")
    return int(connection.read_response())


def test_the_generation_is_read_on_a_connection_kept_per_thread() -> None:
    store = _real_store()
    store.client.set(config_cache.GENERATION_KEY, "g-1")
    first = _client_id(store)
    assert store.get() == "g-1"
    assert store.get() == "g-1"
    assert _client_id(store) == first  # the same connection, read after read
    other: list[int] = []
    thread = threading.Thread(target=lambda: other.append(_client_id(store)))
    thread.start()
    thread.join()
    assert other and other[0] != first  # another thread, its own connection


def test_a_kept_connection_closed_by_redis_is_made_again_without_an_error() -> None:
    """Redis restarted or dropped the idle connection: the next read reconnects at once,
    without the error that would start the back-off."""
    store = _real_store()
    store.client.set(config_cache.GENERATION_KEY, "g-2")
    assert store.get() == "g-2"
    killed = _client_id(store)
    assert store.client.client_kill_filter(_id=killed) == 1
    assert store.get() == "g-2"
    assert _client_id(store) != killed


def test_a_forked_process_makes_its_own_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    store = _real_store()
    parent = _client_id(store)
    monkeypatch.setattr(redis_client.os, "getpid", lambda: -1)  # another process's id
    assert _client_id(store) != parent


def test_a_new_connection_that_fails_is_not_tried_again() -> None:
    """A server that accepts and closes at once (Redis going down): one connection, one error;
    the caller's back-off takes it from there."""
    accepted: list[int] = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(5)

        def serve() -> None:
            try:
                while True:
                    peer, _ = listener.accept()
                    accepted.append(1)
                    peer.close()
            except OSError:  # the listener closed: the test is over
                pass

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        port = int(listener.getsockname()[1])
        store = config_cache._RedisGeneration(
            redis.Redis(host="127.0.0.1", port=port, socket_timeout=2)
        )
        with pytest.raises(redis.ConnectionError):
            store.get()
        count = len(accepted)
    assert count == 1


def test_an_error_answer_keeps_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Redis answered with an error (the key holds another type): the connection is in step and
    kept; the caller reads the database (the warning of `_generation`)."""
    store = _real_store()
    key = f"mdm:test-generation-{os.getpid()}-{threading.get_ident()}"
    monkeypatch.setattr(config_cache, "GENERATION_KEY", key)
    store.client.hset(key, "field", "value")
    try:
        before = _client_id(store)
        with pytest.raises(redis.ResponseError):
            store.get()
        after = _client_id(store)
    finally:
        store.client.delete(key)
    assert after == before


@pytest.mark.django_db(transaction=True)
def test_a_derived_value_is_kept_per_key_until_a_change_and_only_when_the_compute_says_so() -> None:
    derived: config_cache.Derived[str, str] = config_cache.Derived("test.derived", size=2)
    calls: list[str] = []

    def compute(key: str, keep: bool = True) -> tuple[str, bool]:
        calls.append(key)
        return f"{key}:{len(calls)}", keep

    assert derived.get("a", lambda: compute("a")) == "a:1"
    assert derived.get("a", lambda: compute("a")) == "a:1"  # kept
    assert derived.get("b", lambda: compute("b", keep=False)) == "b:2"
    assert derived.get("b", lambda: compute("b", keep=False)) == "b:3"  # not kept
    ManagedAppleIdDomain.objects.create(domain="three.example")  # a watched model changed
    assert derived.get("a", lambda: compute("a")) == "a:4"
    # At most `size` keys: all dropped when full.
    derived.get("c", lambda: compute("c"))
    derived.get("d", lambda: compute("d"))
    assert derived.get("a", lambda: compute("a")) == "a:7"


@pytest.mark.django_db(transaction=True)
def test_a_derived_value_emptied_by_another_thread_between_lookups_is_computed() -> None:
    """`key in values` then `values[key]`: another thread emptying the full dictionary between
    the two made the second a KeyError (a 500 on discovery). The kept dictionary is now read
    once, and a full one replaced rather than emptied."""
    derived: config_cache.Derived[str, str] = config_cache.Derived("test.race", size=2)
    assert derived.get("a", lambda: ("a:1", True)) == "a:1"

    class EmptiedMeanwhile(dict):  # type: ignore[type-arg]
        def __contains__(self, key: object) -> bool:
            found = super().__contains__(key)
            self.clear()  # what another thread's clear() does between the two lookups
            return found

        def get(self, key: object, default: object = None) -> object:
            self.clear()
            return super().get(key, default)

    token, since, values = derived._kept
    derived._kept = (token, since, EmptiedMeanwhile(values))
    assert derived.get("a", lambda: ("a:2", True)) == "a:2"


@pytest.mark.django_db(transaction=True)
def test_a_full_derived_dictionary_is_replaced_not_emptied_under_its_readers() -> None:
    derived: config_cache.Derived[str, str] = config_cache.Derived("test.full", size=2)
    derived.get("a", lambda: ("a:1", True))
    derived.get("b", lambda: ("b:1", True))
    held = derived._kept[2]  # what a reader in another thread holds
    assert derived.get("c", lambda: ("c:1", True)) == "c:1"
    assert held == {"a": "a:1", "b": "b:1"}
    assert derived._kept[2] == {"c": "c:1"}
