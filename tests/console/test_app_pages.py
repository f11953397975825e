"""The other main console pages render in a real browser, with a screenshot of each to look at."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.console.test_browser import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("17-enrollment", "/console/enrollment/", "Enrollment"),
    ("18-profiles", "/console/profiles/", "Profiles"),
    ("19-directory", "/console/directory/", "Directory"),
    ("20-push", "/console/push/", "Push"),
]


def test_main_pages_of_every_app(
    page: Any, live_server: Any, admin_user: User, server_pki: Any, shot: Any
) -> None:
    _sign_in(page, live_server.url, admin_user)
    for name, path, nav in PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        assert page.locator("h1").first.is_visible(), path
        active = page.locator("nav a.active").first.inner_text()
        assert active == nav, f"{path}: navigation shows {active!r}"
        shot(name)
