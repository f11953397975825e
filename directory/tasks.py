"""Celery entry points for directory imports and the scheduled sync (thin shells over services)."""

from __future__ import annotations

from celery import shared_task

from directory import services


@shared_task(name="directory.tasks.execute_import_run_task")
def execute_import_run_task(run_id: int) -> str:
    """Run one queued import or sync; the run record carries progress and the outcome."""
    return services.execute_import_run(run_id=run_id).status


@shared_task(name="directory.tasks.sync_all_sources_task")
def sync_all_sources_task() -> int:
    """Beat schedule: queue a sync of every enabled directory source; returns how many."""
    return len(services.sync_all_sources())
