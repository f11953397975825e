"""Paths of named routes kept per process: the same as reverse(), per URLconf and script prefix."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import clear_script_prefix, path, reverse, set_script_prefix

from mdm_server.paths import path_for


def _view(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


# A URLconf of its own (override_settings(ROOT_URLCONF=__name__)), where healthz is elsewhere.
urlpatterns = [path("elsewhere/healthz", _view, name="healthz")]


def test_what_reverse_gives() -> None:
    for name, args in [
        ("enrollment:privacy", ()),
        ("enrollment:account", ("0123abcd", "byod")),
        ("enrollment:authenticate", ("other-slug", "adde")),
        ("enrollment:oauth-token", ("0123abcd",)),
    ]:
        assert path_for(name, *args) == reverse(name, args=args)
        assert path_for(name, *args) == reverse(name, args=args)  # kept, still the same


def test_each_script_prefix_and_urlconf_has_its_own_paths() -> None:
    assert path_for("healthz") == "/healthz"
    try:
        set_script_prefix("/mdm/")
        assert path_for("healthz") == "/mdm/healthz"
        assert path_for("enrollment:privacy") == "/mdm/enroll/privacy/"
    finally:
        clear_script_prefix()
    assert path_for("enrollment:privacy") == "/enroll/privacy/"
    with override_settings(ROOT_URLCONF=__name__):
        assert path_for("healthz") == "/elsewhere/healthz"
    assert path_for("healthz") == "/healthz"
