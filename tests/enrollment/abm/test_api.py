from __future__ import annotations

from typing import Any

import pytest

from enrollment.abm.models import AbmLink
from tests.enrollment.abm.fake_abm import FakeAbm

pytestmark = pytest.mark.django_db


def test_links_devices_and_sync_over_the_api(
    admin_client: Any, helpdesk_client: Any, link: AbmLink, stocked: FakeAbm
) -> None:
    links = helpdesk_client.get("/api/v1/abm/links/").json()["results"]
    assert [item["name"] for item in links] == ["Main"] and links[0]["has_token"] is True
    assert not {"encrypted_key", "encrypted_token", "consumer_key"} & set(links[0])
    assert helpdesk_client.post(f"/api/v1/abm/links/{link.pk}/sync/").status_code == 403
    response = admin_client.post(f"/api/v1/abm/links/{link.pk}/sync/")
    assert response.status_code == 200 and response.json()["changed"] == 3
    devices = admin_client.get("/api/v1/abm/devices/").json()["results"]
    assert [d["serial_number"] for d in devices] == ["C02ZZ1CCCCCC", "F2LXK1AAAAAA", "F2LXK1BBBBBB"]
    stocked.fail("/devices/sync", 503, "", **{"Retry-After": "60"})
    response = admin_client.post(f"/api/v1/abm/links/{link.pk}/sync/")
    assert response.status_code == 503
    assert "retry after 60 s" in response.json()["error"]["message"]
