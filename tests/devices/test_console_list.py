"""Device list at scale: sorting by a column with keyset pages, totals, saved named filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from devices.models import Enrollment, SavedFilter
from tests.devices._rows import bulk_devices

pytestmark = pytest.mark.django_db
LIST = "/console/devices/"


def _walk(client: Client, params: dict[str, Any]) -> tuple[list[int], list[int]]:
    """Every page forwards by its `after` cursor, then back from the last by `before`."""
    forward: list[int] = []
    pages = []
    query = dict(params)
    while True:
        response = client.get(LIST, query)
        assert response.status_code == 200
        page = response.context["page"]
        pages.append([d.pk for d in page.rows])
        forward += pages[-1]
        if page.after is None:
            break
        query = {**params, "after": page.after}
    backward = list(pages[-1])
    before = page.before
    while before is not None:
        page = client.get(LIST, {**params, "before": before}).context["page"]
        backward = [d.pk for d in page.rows] + backward
        before = page.before
    return forward, backward


def _expected(field: str, *, descending: bool) -> list[int]:
    # A Device column's ties are ordered by the Device's id (one device channel per Device).
    tie = "device_id" if field.startswith("device__") else "pk"
    rows = [
        (value, order, pk)
        for value, order, pk in Enrollment.objects.filter(parent__isnull=True).values_list(
            field, tie, "pk"
        )
    ]
    # Empty values are the lowest: last when descending, first when ascending.
    floor = dt.datetime.min.replace(tzinfo=dt.UTC)
    ordered = sorted(rows, key=lambda r: (floor if r[0] is None else r[0], r[1]))
    ids = [pk for _, _, pk in ordered]
    return ids[::-1] if descending else ids


@pytest.mark.parametrize("sort", ["-last_seen", "last_seen", "-managed_apple_id"])
def test_sorted_keyset_pages_list_every_device_once_in_order(
    admin_client: Client, sort: str
) -> None:
    bulk_devices(
        14
    )  # last seen 0..13 days ago; platforms and Managed Apple IDs repeat or are empty
    now = timezone.now()
    never = Enrollment.objects.order_by("pk").values_list("pk", flat=True)[:3]
    Enrollment.objects.filter(pk__in=list(never)).update(last_seen_at=None)
    # Ties: the id decides between equal times.
    Enrollment.objects.filter(pk__in=list(Enrollment.objects.values_list("pk", flat=True)[5:9]))\
        .update(last_seen_at=now)  # fmt: skip
    field = "last_seen_at" if "last_seen" in sort else "device__managed_apple_id"
    expected = _expected(field, descending=sort.startswith("-"))
    # Small pages: each cursor carries (value, id), so no row is skipped or repeated, forwards
    # or backwards, across ties and empty values.
    forward, backward = _walk_small(admin_client, sort)
    assert forward == expected and backward == expected


def _walk_small(client: Client, sort: str) -> tuple[list[int], list[int]]:
    import devices.console as console

    original = console.PAGE_SIZES
    console.PAGE_SIZES = (*original, 4)  # type: ignore[assignment]
    try:
        return _walk(client, {"sort": sort, "size": "4"})
    finally:
        console.PAGE_SIZES = original


def test_headers_sort_both_ways_and_keep_the_filter(admin_client: Client) -> None:
    bulk_devices(3)
    page = admin_client.get(LIST, {"platform": "iOS"}).content.decode()
    assert 'href="?platform=iOS&amp;sort=-last_seen"' in page
    page = admin_client.get(LIST, {"platform": "iOS", "sort": "-last_seen"}).content.decode()
    assert 'aria-sort="descending"' in page and "sort=last_seen" in page
    assert 'data-sort="name"' not in page  # a computed name has no index to sort by


def test_unknown_sort_or_forged_cursor_is_a_400_with_the_reason(admin_client: Client) -> None:
    bulk_devices(2)
    response = admin_client.get(LIST, {"sort": "name"})
    assert response.status_code == 400 and b"sort must be one of" in response.content
    for forged in ("not-a-cursor", "WyJ4Il0", "WzEsMl0"):  # garbage, ["x"], [1,2]
        response = admin_client.get(LIST, {"sort": "-last_seen", "after": forged})
        assert response.status_code == 400, forged
        assert b"not valid for this list" in response.content


def test_saved_filters_belong_to_their_owner(
    admin_client: Client, admin_user: User, helpdesk_client: Client, helpdesk_user: User
) -> None:
    bulk_devices(6)
    response = admin_client.post(
        "/console/devices/filters/",
        {"name": "  Stale  Macs ", "query": "platform=macOS&sort=-last_seen&after=WzEsMl0"},
    )
    assert response.status_code == 302
    saved = SavedFilter.objects.get(owner=admin_user)
    assert saved.name == "Stale Macs" and saved.query == "platform=macOS&sort=-last_seen"
    assert response["Location"].endswith("?platform=macOS&sort=-last_seen")
    page = admin_client.get(LIST).content.decode()
    assert 'data-saved-filter="Stale Macs"' in page
    # Saving the same name again replaces it.
    admin_client.post("/console/devices/filters/", {"name": "Stale Macs", "query": "status=x"})
    assert SavedFilter.objects.get(owner=admin_user).query == "status=x"
    # A helpdesk account keeps its own filters (they change nothing on a device) and sees none
    # of the administrator's; it cannot delete the administrator's.
    assert "Stale Macs" not in helpdesk_client.get(LIST).content.decode()
    assert helpdesk_client.post("/console/devices/filters/", {"name": "Mine", "query": ""})\
        .status_code == 302  # fmt: skip
    assert SavedFilter.objects.filter(owner=helpdesk_user, name="Mine").exists()
    response = helpdesk_client.post(f"/console/devices/filters/{saved.pk}/delete/")
    assert response.status_code == 404
    assert admin_client.post(f"/console/devices/filters/{saved.pk}/delete/").status_code == 302
    assert not SavedFilter.objects.filter(owner=admin_user).exists()


def test_a_saved_filter_needs_a_name(admin_client: Client) -> None:
    response = admin_client.post(
        "/console/devices/filters/", {"name": " ", "query": "q=x"}, follow=True
    )
    assert "Filter not saved: Give the filter a name." in response.content.decode()
    assert not SavedFilter.objects.exists()
    assert admin_client.get("/console/devices/filters/").status_code == 405


def test_a_saved_filter_name_with_a_nul_character_is_refused(admin_client: Client) -> None:
    # PostgreSQL refuses NUL in text: it was a 500.
    response = admin_client.post(
        "/console/devices/filters/", {"name": "Stale\x00Macs", "query": "q=x"}, follow=True
    )
    assert "Filter not saved: The name has a control character." in response.content.decode()
    assert not SavedFilter.objects.exists()
