"""Celery interface of the ABM app: the scheduled device sync (thin: the service does it)."""

from __future__ import annotations

import logging

from celery import shared_task

from enrollment.abm import services
from enrollment.abm.models import AbmLink
from mdm_server import redis_client

logger = logging.getLogger(__name__)


@shared_task(name="enrollment.abm.tasks.sync_link_task")
def sync_link_task(link_id: int) -> dict[str, int] | None:
    link = AbmLink.objects.filter(pk=link_id).first()
    if link is None or not link.has_token:
        return None
    try:
        return services.sync_devices(link=link)
    except services.AbmError as exc:
        # Kept on the link for the dashboard; the next beat tries again (after Retry-After).
        logger.warning("ABM sync of %s failed: %s", link.name, exc)
        return None


@shared_task(name="enrollment.abm.tasks.sync_all_links_task")
def sync_all_links_task() -> int:
    ids = list(AbmLink.objects.filter(encrypted_token__isnull=False).values_list("pk", flat=True))
    for link_id in ids:
        redis_client.publish(sync_link_task, link_id)
    return len(ids)
