"""Shared fixtures: personas (admin, helpdesk, outsider), clients, and the server PKI."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from mdm_server import config_cache, redis_client, roles
from mdm_server.celery import app as celery_app
from tests.fuzz.tally import FUZZ_REQUESTS, FUZZ_SERVER_ERRORS
from tests.keys import PARSED_KEYS, POOL

# Count each test's executed checks; under tests/run, fail skips instead of skipping.
pytest_plugins = ["tests.assertion_count", "tests.strict"]


_fuzz_requests: list[int] = []
_fuzz_server_errors: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up what the fuzz tests sent (tests/fuzz/conftest.py), also for tests run by workers."""
    properties = dict(report.user_properties)
    if report.when == "call" and FUZZ_REQUESTS in properties:
        _fuzz_requests.append(properties[FUZZ_REQUESTS])
        _fuzz_server_errors.extend(properties[FUZZ_SERVER_ERRORS])


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _fuzz_requests:
        terminalreporter.write_line(
            f"hostile-input fuzzing: {sum(_fuzz_requests)} requests, "
            f"{len(_fuzz_server_errors)} answered 5xx"
        )
        for error in _fuzz_server_errors:
            terminalreporter.write_line(f"  5xx: {error}")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """tests/run names this run's test database (MDM_TEST_RUN_ID): two runs on one host, or
    one run next to someone else's, never create, use or drop the same database."""
    run_id = re.sub(r"[^A-Za-z0-9_]", "_", os.environ.get("MDM_TEST_RUN_ID", ""))[:30]
    if not run_id:
        return
    from django.conf import settings

    for db in settings.DATABASES.values():
        if db["ENGINE"] != "django.db.backends.sqlite3":  # SQLite tests run in memory
            test = db.setdefault("TEST", {})
            test["NAME"] = f"{test.get('NAME') or 'test_' + db['NAME']}_{run_id}"


@pytest.fixture(autouse=True, scope="session")
def _eager_celery() -> Iterator[None]:
    """Unit tests run tasks in-process; the integration tests start a real worker instead."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True, scope="session")
def _static_files_listed_once() -> Iterator[None]:
    """WhiteNoise lists and stats the static files each time Django loads its middleware: once
    per process in production, but once per test client here (about 20 ms each, thousands of
    times in a run). The listing is kept for the run and reused while everything it depends on
    is unchanged; a test that changes one of those settings gets a listing of its own."""
    from django.conf import settings
    from whitenoise.middleware import WhiteNoiseMiddleware

    listed: dict[tuple[Any, ...], dict[str, Any]] = {}
    original = WhiteNoiseMiddleware.add_files_from_finders

    def add_files_from_finders(self: WhiteNoiseMiddleware) -> None:
        key = (
            self.static_prefix,
            self.max_age,
            self.allow_all_origins,
            self.charset,
            self.add_headers_function,
            self.index_file,
            repr(getattr(settings, "WHITENOISE_MIMETYPES", None)),
            repr(getattr(settings, "WHITENOISE_IMMUTABLE_FILE_TEST", None)),
            tuple(map(str, settings.STATICFILES_DIRS)),
            tuple(settings.STATICFILES_FINDERS),
            tuple(settings.INSTALLED_APPS),
        )
        if key not in listed:
            before = dict(self.files)
            original(self)
            listed[key] = {u: f for u, f in self.files.items() if before.get(u) is not f}
        self.files.update(listed[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WhiteNoiseMiddleware, "add_files_from_finders", add_files_from_finders)
        yield


# Up to this many rows in all, a transactional test's tables are emptied with DELETE; more (the
# scale tests), with TRUNCATE as Django does.
FLUSH_BY_DELETE_ROWS = 20_000


@pytest.fixture(autouse=True, scope="session")
def _flush_by_delete() -> Iterator[None]:
    """After a transactional test Django empties every table with one TRUNCATE, which costs
    PostgreSQL new files for each table and index: about 2 s here, after each of some hundred
    tests. DELETE empties the few rows such a test leaves in well under 0.1 s. Every foreign key
    is deferrable (Django makes them so), so the order of the DELETEs does not matter."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(
        self: DatabaseOperations,
        style: Any,
        tables: Any,
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if tables and not reset_sequences and not allow_cascade:
            # Django's own table names, quoted: nothing here comes from outside.
            quoted = [self.quote_name(table) for table in tables]
            capped = " UNION ALL ".join(
                f"(SELECT 1 FROM {t} LIMIT {FLUSH_BY_DELETE_ROWS})"  # noqa: S608
                for t in quoted
            )
            with self.connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM ({capped}) AS capped")  # noqa: S608
                (rows,) = cursor.fetchone()
            if rows <= FLUSH_BY_DELETE_ROWS:
                deletes = [f"DELETE FROM {t}" for t in quoted]  # noqa: S608
                return ["SET CONSTRAINTS ALL DEFERRED", *deletes]
        return original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def _fresh_config_cache() -> Iterator[None]:
    """Each test has its own database rows: no process-kept configuration carries over, nor a
    Redis back-off (a test that broke Redis does not hold back the next)."""
    config_cache.clear()
    redis_client.reset()
    yield
    config_cache.clear()
    redis_client.reset()


@pytest.fixture(autouse=True)
def _nothing_seen_of_earlier_channels() -> Iterator[None]:
    """A channel this process read in another test (ids and keys repeat across tests) is not
    taken as seen (devices.hotpath.seen_result): each test's statements are its own."""
    from devices import hotpath

    hotpath.forget_seen()
    yield
    hotpath.forget_seen()


class InProcessGeneration:
    """A configuration generation kept in this process, for tests without Redis."""

    def __init__(self) -> None:
        self.value: str | None = None

    def get(self) -> str | None:
        return self.value

    def add(self, value: str) -> bool:
        if self.value is None:
            self.value = value
            return True
        return False

    def set(self, value: str) -> None:
        self.value = value


@pytest.fixture
def config_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Configuration is kept between requests: through Redis when the run has it, else in
    this process (the server itself keeps nothing without Redis)."""
    if config_cache._store() is None:
        monkeypatch.setattr(config_cache, "_stores", [InProcessGeneration()])


def _user(username: str, role: str | None) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username)
    if role:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    return user


@pytest.fixture
def admin_user(db: None) -> User:
    return _user("alice-admin", roles.ADMINISTRATOR)


@pytest.fixture
def helpdesk_user(db: None) -> User:
    return _user("harry-helpdesk", roles.HELPDESK)


@pytest.fixture
def outsider_user(db: None) -> User:
    return _user("oscar-outsider", None)


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def helpdesk_client(helpdesk_user: User) -> Client:
    client = Client()
    client.force_login(helpdesk_user)
    return client


@pytest.fixture(autouse=True)
def _distinct_rsa_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Session-made RSA keys, distinct within each test (tests/keys.py)."""
    from mdm_server.pki import certificates

    POOL.start_test()
    monkeypatch.setattr(certificates, "new_rsa_key", POOL.new_rsa_key)


@pytest.fixture(autouse=True)
def _parsed_keys_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool's keys come back as PEM from every test's rows: parsed once per session
    (tests/keys.py)."""
    from mdm_server.pki import certificates

    monkeypatch.setattr(certificates, "load_key_pem", PARSED_KEYS.load_key_pem)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Personas and directory users hash passwords in nearly every test; PBKDF2 is slow on
    purpose. Tests of the production hasher set PASSWORD_HASHERS themselves."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def server_pki(db: None):  # type: ignore[no-untyped-def]
    """The MDM CA and signing certificate, as `manage.py setup` creates them."""
    from mdm_server.pki import services

    services.forget_identities()
    status = services.ensure_server_pki(organisation="Test")
    services.forget_identities()
    return status
