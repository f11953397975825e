"""403, 404 and 500: styled console pages that say what to do; JSON for the API, text for devices."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import path

from mdm_server import urls as root_urls

pytestmark = pytest.mark.django_db


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_a_console_404_is_a_page_in_the_console_layout(admin_client: Client) -> None:
    response = admin_client.get("/console/devices/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    page = _text(response)
    assert 'data-error="404"' in page and 'data-nav="devices"' in page  # the console's top bar
    assert 'href="/console/devices/"' in page and "Check the address" in page


def test_an_unknown_console_address_is_the_same_page(admin_client: Client) -> None:
    response = admin_client.get("/console/no-such-page/")
    assert response.status_code == 404 and 'data-error="404"' in _text(response)


def test_helpdesk_403_says_who_can_do_it(helpdesk_client: Client) -> None:
    response = helpdesk_client.post("/console/devices/bulk/", {"action": "SecurityInfo"})
    assert response.status_code == 403
    page = _text(response)
    assert 'data-error="403"' in page and "This needs the administrator role." in page
    assert "Ask an administrator" in page and 'data-nav="dashboard"' in page


def test_api_errors_stay_json_and_device_paths_plain_text(admin_client: Client) -> None:
    api = admin_client.get("/api/v1/devices/00000000-0000-0000-0000-000000000000/")
    assert api.status_code == 404 and api["Content-Type"].startswith("application/json")
    device = Client().get("/mdm/no-such-endpoint", HTTP_ACCEPT="*/*")
    assert device.status_code == 404
    assert device["Content-Type"].startswith("text/plain") and "<html" not in _text(device)


def _explode(request: object) -> None:
    raise RuntimeError("a bug")


urlpatterns = [path("console/explode/", _explode), *root_urls.urlpatterns]
handler500 = root_urls.handler500


@pytest.mark.urls("tests.mdm_server.test_error_pages")
def test_a_console_500_is_styled_and_says_what_to_do(admin_user: object) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)  # type: ignore[arg-type]
    response = client.get("/console/explode/")
    assert response.status_code == 500
    page = _text(response)
    assert 'data-error="500"' in page and "/console/explode/" in page
    assert "Try again" in page and "rolled back" in page


def test_too_many_parameters_is_a_400_that_says_so(admin_client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    """Django's SuspiciousOperation answers (TooManyFieldsSent here) were its bare "Bad Request
    (400)" page on every surface, HTML even on the API."""
    query = "&".join(f"c={n}" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    reason = f"than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} parameters"
    page = admin_client.get(f"/console/devices/commands/?{query}", HTTP_ACCEPT="text/html")
    assert page.status_code == 400
    assert 'data-error="400"' in _text(page) and reason in _text(page)
    api = admin_client.get(f"/api/v1/devices/?{query}")
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "bad_request" and reason in api.json()["error"]["message"]
    device = Client().get(f"/scep?operation=GetCACert&{query}")
    assert device.status_code == 400 and device["Content-Type"].startswith("text/plain")
    assert reason in _text(device)


def test_a_host_this_server_does_not_answer_for_is_a_400_that_says_so(client: Client) -> None:
    response = client.get("/console/login/", HTTP_HOST="evil.example", HTTP_ACCEPT="text/html")
    assert response.status_code == 400
    assert "Host header" in _text(response) and "evil.example" not in _text(response)
