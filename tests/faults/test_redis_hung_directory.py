"""Directory imports and syncs started while Redis is hung (SIGSTOP) or refusing connections (a
private redis-server): the admin's request hands the run to the broker once, without Celery's
retries and without waiting on the result backend, and returns; the run waits, pending, saying
why; once Redis is back the sweep starts it, against the test's slapd, exactly once. What is
counted is the publish attempts that reach Redis, never the wall clock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import kombu.messaging
import pytest
import redis.connection
from django.test import Client
from django.utils import timezone

from directory import services
from directory.models import DirectoryUser, ImportRun
from directory.services import imports
from directory.tasks import execute_import_run_task
from mdm_server import redis_client
from mdm_server.celery import app as celery_app
from tests.faults.broken_redis import Broken, Clock

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit runs as in a server process

API = "/api/v1/directory/"


class Attempts:
    """How the import task is handed over: the options of each publish, each message Celery
    tries to write to the broker, each connection opened to Redis (a retry connects again), and
    each time a publish asks the result backend (Redis, no socket timeout) to watch for the
    task's result."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.options: list[dict[str, Any]] = []
        self.publish = 0
        self.connects = 0
        self.result_watch = 0
        apply_async = execute_import_run_task.apply_async
        real_publish = kombu.messaging.Producer._publish
        real_connect = redis.connection.Connection._connect

        def handed(*args: Any, **kwargs: Any) -> Any:
            self.options.append(kwargs)
            return apply_async(*args, **kwargs)

        def publish(*args: Any, **kwargs: Any) -> Any:
            self.publish += 1
            return real_publish(*args, **kwargs)

        def connect(*args: Any, **kwargs: Any) -> Any:
            self.connects += 1
            return real_connect(*args, **kwargs)

        def watch(*args: Any, **kwargs: Any) -> None:
            self.result_watch += 1

        monkeypatch.setattr(execute_import_run_task, "apply_async", handed)
        monkeypatch.setattr(kombu.messaging.Producer, "_publish", publish)
        monkeypatch.setattr(redis.connection.Connection, "_connect", connect)
        monkeypatch.setattr(celery_app.backend, "on_task_call", watch)


def _collections(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The run ids whose directory was read (a run that ran twice would appear twice)."""
    ran: list[int] = []
    real: Callable[..., Any] = imports._collect_ldap

    def collect(run: ImportRun, source: Any) -> Any:
        ran.append(run.pk)
        return real(run, source)

    monkeypatch.setattr(imports, "_collect_ldap", collect)
    return ran


def _age(*runs: int) -> None:
    ImportRun.objects.filter(pk__in=runs).update(
        created_at=timezone.now() - imports.START_WAITING_AFTER - timedelta(seconds=1)
    )


@pytest.mark.parametrize("fault", ["hung", "refusing"])
def test_import_and_sync_while_redis_is_broken_return_wait_pending_and_start_once_it_is_back(
    fault: str,
    broken: Broken,
    clock: Clock,
    ldap_source: Any,
    admin_client: Client,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    broken.record_publish(execute_import_run_task)
    attempts = Attempts(monkeypatch)
    ran = _collections(monkeypatch)
    setup = len(broken.calls)  # what creating the source sent (the configuration generation)
    if fault == "hung":
        broken.hang()
    else:
        broken.server.stop()

    # "Sync now" in the console: one publish, tried once, and the admin sees the run page.
    response = admin_client.post(f"/console/directory/sources/{ldap_source.pk}/sync/")
    assert response.status_code == 302
    sync = ImportRun.objects.get(kind=ImportRun.Kind.SYNC)
    assert response["Location"] == f"/console/directory/runs/{sync.pk}/"
    assert broken.calls[setup:] == [("publish", "OperationalError")]
    assert [o.get("retry") for o in attempts.options] == [False]  # no retry by Celery
    assert attempts.publish == 1
    if fault == "hung":
        assert attempts.connects == 1  # one connection, whose first answer timed out
    assert attempts.result_watch == 0  # nor a wait on the result backend
    assert (sync.status, sync.error) == ("pending", imports.WAITING_FOR_QUEUE)
    page = admin_client.get(response["Location"]).content.decode()
    assert "waiting for a worker" in page and imports.WAITING_FOR_QUEUE in page
    assert "reading the directory" not in page
    listing = admin_client.get(f"/console/directory/sources/{ldap_source.pk}/").content.decode()
    assert "pending: task queue unreachable" in listing

    # The REST API's import, within the back-off: Redis is not asked; the answer says why.
    response = admin_client.post(
        API + f"sources/{ldap_source.pk}/import/",
        {"selection": [{"type": "all"}]},
        content_type="application/json",
    )
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert response.json()["error"] == imports.WAITING_FOR_QUEUE
    assert len(broken.calls) == setup + 1 and len(attempts.options) == 1
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3, messages  # the back-off's one line, then one per request
    assert messages[0].startswith("Redis unreachable")
    assert all("waits for the task queue" in m for m in messages[1:])
    import_run = ImportRun.objects.get(pk=response.json()["id"])

    # Not started before START_WAITING_AFTER (its task may still be on its way to a worker).
    assert services.start_waiting_runs() == []
    assert ran == []

    if fault == "hung":
        broken.resume()
    else:
        broken.server.start()
    clock.now = redis_client._backoff.until
    _age(sync.pk, import_run.pk)
    started = services.start_waiting_runs()  # the beat task's function
    assert [(r.pk, r.status, r.error) for r in started] == [
        (sync.pk, "succeeded", ""),
        (import_run.pk, "succeeded", ""),
    ]
    assert ran == [sync.pk, import_run.pk]
    assert DirectoryUser.objects.filter(source=ldap_source).count() >= 4
    # A late delivery of either task, or the next sweep, finds the runs taken.
    assert execute_import_run_task(sync.pk) == "succeeded"
    assert services.start_waiting_runs() == []
    assert ran == [sync.pk, import_run.pk]


def test_a_run_handed_to_the_broker_and_started_by_the_sweep_runs_once(
    broken: Broken, ldap_source: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The message waits for a worker while the sweep starts the run (workers busy, say): when
    a worker takes the message, the run is claimed already and nothing is read twice."""
    broken.record_publish(execute_import_run_task)
    ran = _collections(monkeypatch)
    setup = len(broken.calls)
    run = services.start_import(source=ldap_source, selection=[{"type": "all"}], actor=None)
    assert broken.calls[setup:] == [("publish", None)]
    assert broken.direct().llen("mdm") == 1  # the task waits in the broker
    run.refresh_from_db()
    assert (run.status, run.error) == ("pending", "")  # handed over: no note
    _age(run.pk)
    assert [r.status for r in services.start_waiting_runs()] == ["succeeded"]
    assert execute_import_run_task(run.pk) == "succeeded"  # the worker's delivery
    assert ran == [run.pk]
