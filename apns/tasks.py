"""Celery entry points for pushes: thin shells over `apns.services`.

What must be pushed is in the push outbox (PostgreSQL), not in the task message: the drain task
takes rows from it, and Celery beat runs it every APNS_OUTBOX_SWEEP_SECONDS, so a push survives
Redis being down when it was queued and a worker killed while pushing (its rows are taken again
once their claim is APNS_OUTBOX_RECLAIM_SECONDS old). The time limits stay below the broker's
visibility timeout (settings), so a redelivered message never finds its first run still going.

`push_enrollments_task` and `push_enrollment_task` carry enrollment ids in the message: the
format of earlier versions, still drained after an upgrade.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task

from apns import services

logger = logging.getLogger(__name__)


def _push(task: Task, enrollment_ids: list[int], batch_id: int | None) -> dict[str, Any]:
    retries = task.request.retries or 0
    while True:
        final = retries >= task.max_retries
        try:
            report = services.push_enrollments(
                enrollment_ids=enrollment_ids, batch_id=batch_id, final_attempt=final
            )
        except services.NoPushCertificate as exc:
            services.give_up(enrollment_ids=enrollment_ids, batch_id=batch_id, reason=str(exc))
            logger.error("%s", exc)
            return {"error": str(exc)}
        if not report.retry or final or report.certificate_error:
            return report.summary()
        if not task.request.is_eager:
            # Only the transient failures go round again, with jittered exponential backoff.
            raise task.retry(
                args=[report.retry, batch_id],
                kwargs={},
                countdown=services.retry_delay(retries),
            )
        # No broker (tests, a bare runserver): retry inline, without waiting.
        enrollment_ids, retries = report.retry, retries + 1


@shared_task(
    bind=True,
    name="apns.tasks.push_enrollments_task",
    max_retries=services.MAX_RETRIES,
    time_limit=services.DRAIN_TIME_LIMIT_SECONDS,
)
def push_enrollments_task(
    self: Task, enrollment_ids: list[int], batch_id: int | None = None
) -> dict[str, Any]:
    """Push a chunk of enrollments; retry the transient failures (429, 5xx, no answer)."""
    return _push(self, enrollment_ids, batch_id)


@shared_task(
    bind=True,
    name="apns.tasks.push_enrollment_task",
    max_retries=services.MAX_RETRIES,
    time_limit=services.DRAIN_TIME_LIMIT_SECONDS,
)
def push_enrollment_task(
    self: Task, enrollment_ids: list[int], batch_id: int | None = None
) -> dict[str, Any]:
    """Push one enrollment (given as a one-item list, so a retry has the same shape)."""
    return _push(self, enrollment_ids[:1], batch_id)


@shared_task(
    bind=True,
    name="apns.tasks.drain_push_outbox_task",
    time_limit=services.DRAIN_TIME_LIMIT_SECONDS,
    # Nobody waits for its summary; and publishing it then does not subscribe to a result in
    # Redis (one more call that a Redis not answering would make wait).
    ignore_result=True,
)
def drain_push_outbox_task(self: Task) -> dict[str, int]:
    """Push what the outbox holds (also the beat sweep); retries wait their backoff in it."""
    services.drain_started()
    return services.drain_outbox(
        budget_seconds=services.DRAIN_BUDGET_SECONDS,
        wait_between_retries=not self.request.is_eager,
    ).summary()


@shared_task(name="apns.tasks.repush_stale_enrollments_task")
def repush_stale_enrollments_task() -> int:
    return len(services.repush_stale_enrollments().scheduled)


@shared_task(name="apns.tasks.sweep_silent_devices_task")
def sweep_silent_devices_task() -> int:
    return len(services.sweep_silent_devices().scheduled)


@shared_task(name="apns.tasks.check_push_certificate_expiry_task")
def check_push_certificate_expiry_task() -> list[str]:
    return services.check_certificate_expiry()
