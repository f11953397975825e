"""Celery entry points for directory imports and the scheduled sync (thin shells over services)."""

from __future__ import annotations

from celery import shared_task

from directory import services


# Nothing reads these tasks' results (the run record carries them): not storing them also keeps
# a publish from waiting on the result backend (Redis, without a socket timeout).
@shared_task(name="directory.tasks.execute_import_run_task", ignore_result=True)
def execute_import_run_task(run_id: int) -> str:
    """Run one queued import or sync; the run record carries progress and the outcome."""
    run = services.execute_import_run(run_id=run_id)
    return run.status if run is not None else "gone"


@shared_task(name="directory.tasks.start_waiting_runs_task", ignore_result=True)
def start_waiting_runs_task() -> int:
    """Beat schedule: start the runs whose task never reached a worker; returns how many."""
    return len(services.start_waiting_runs())


@shared_task(name="directory.tasks.sync_all_sources_task")
def sync_all_sources_task() -> int:
    """Beat schedule: queue a sync of every enabled directory source; returns how many."""
    return len(services.sync_all_sources())
