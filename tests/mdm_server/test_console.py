import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PAGES = ["/console/", "/console/settings/", "/console/audit/"]


@pytest.mark.parametrize("url", PAGES)
def test_console_pages_require_login(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/")


@pytest.mark.parametrize("url", PAGES)
def test_console_pages_render_for_admin(admin_client: Client, url: str) -> None:
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b'data-nav="devices"' in response.content


def test_user_without_role_is_refused(client: Client, outsider_user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(outsider_user)
    assert client.get("/console/").status_code == 403


def test_helpdesk_cannot_upload_signing_certificate(helpdesk_client: Client, server_pki) -> None:  # type: ignore[no-untyped-def]
    assert helpdesk_client.get("/console/settings/").status_code == 200
    response = helpdesk_client.post("/console/settings/", {})
    assert response.status_code == 403


def test_signing_upload_form_shows_error(admin_client: Client, server_pki) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin_client.post(
        "/console/settings/",
        {"certificate": SimpleUploadedFile("x.p12", b"junk"), "password": "x"},
    )
    assert response.status_code == 200
    assert b"cannot be opened" in response.content


def test_login_page_signs_in(client: Client, admin_user) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/console/login/", {"username": admin_user.username, "password": "pw-alice-admin"}
    )
    assert response.status_code == 302
    assert client.get("/console/").status_code == 200


def test_static_files_are_served_without_debug(client: Client) -> None:
    """The console's CSS and htmx must load on the embedded default (DEBUG off)."""
    for path in ("/static/console/console.css", "/static/vendor/htmx.min.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 100
