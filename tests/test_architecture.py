"""Three surfaces, kept apart: console URLs go to *.console, API URLs to *.api, protocol to *.views."""

from __future__ import annotations

import pytest

from tests.url_walk import Route, routes

# Framework views mounted on purpose: sign-in/out, the OpenAPI schema and docs, Django's admin.
CONSOLE_FRAMEWORK = ("django.contrib.auth.views",)
API_FRAMEWORK = ("drf_spectacular.views",)
OTHER_ALLOWED = {"healthz": "mdm_server.health"}

ROUTES = routes()


def _expected(route: Route) -> str:
    if route.pattern.startswith("console/"):
        return "console"
    if route.pattern.startswith("api/"):
        return "api"
    return "views"


def test_the_walk_finds_every_surface() -> None:
    kinds = {_expected(r) for r in ROUTES}
    assert kinds == {"console", "api", "views"}
    assert any(r.module == "devices.console" for r in ROUTES)
    assert any(r.module == "devices.api" for r in ROUTES)
    assert any(r.module == "devices.views" for r in ROUTES)


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if not r.pattern.startswith("admin/")], ids=lambda r: r.pattern
)
def test_route_is_served_by_its_surface_module(route: Route) -> None:
    surface = _expected(route)
    if route.pattern in OTHER_ALLOWED:
        assert route.module == OTHER_ALLOWED[route.pattern]
        return
    allowed = {"console": CONSOLE_FRAMEWORK, "api": API_FRAMEWORK, "views": ()}[surface]
    assert route.module.endswith(f".{surface}") or route.module in allowed, (
        f"/{route.pattern} is served by {route.module}; {surface} URLs belong in a "
        f"*.{surface} module"
    )


def test_admin_site_is_only_django_admin() -> None:
    for route in ROUTES:
        if route.pattern.startswith("admin/"):
            # The admin's own views, its RedirectView for legacy object URLs, and django-otp's
            # pages for a TOTP device (its set-up key and QR code, for staff replacing a phone).
            assert route.module.startswith(
                ("django.contrib.", "django.views.generic.", "django_otp.")
            ), route
