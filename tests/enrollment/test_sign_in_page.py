"""The web sheet's sign-in page from kept pieces (enrollment.views._sign_in_page): the page
Django's render() gives for the same context, its CSRF token and cookie."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.test import Client, RequestFactory
from django.utils.safestring import mark_safe

from enrollment import services, views
from tests.enrollment.conftest import DOMAIN, PASSWORD

pytestmark = pytest.mark.django_db

SERVER = "http://127.0.0.1:8000"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
# Text the template escapes, or that looks like its markup.
AWKWARD = ["", "alice@example.com", "a&b<c>\"d'e", "ünïcødé 名前", "{{ x }} {% y %}", "</p><p>"]


def _path() -> str:
    return services.sign_in_url(services.default_configuration(), "mdm-byod").removeprefix(SERVER)


def _request() -> Any:
    request = RequestFactory().get(_path())
    CsrfViewMiddleware(lambda r: None).process_request(request)  # type: ignore[arg-type]
    return request


def _context(identifier: str, error: str) -> dict[str, Any]:
    return {
        "identifier": identifier,
        "error": error,
        "configuration": services.default_configuration(),
    }


def _without_token(html: str) -> str:
    assert len(TOKEN.findall(html)) == 1
    return TOKEN.sub('name="csrfmiddlewaretoken" value="TOKEN"', html)


@pytest.mark.parametrize("identifier", AWKWARD)
@pytest.mark.parametrize("error", ["", 'Wrong & <bad> "password"', mark_safe("<b>safe</b>")])
def test_the_kept_page_is_what_django_renders(identifier: str, error: str) -> None:
    views._kept_pages.clear()
    for _ in range(2):  # the first keeps the pieces, the second uses them
        context = _context(identifier, error)
        request = _request()
        kept = views._sign_in_page(request, dict(context), 403)
        context["privacy_url"] = views.path_for("enrollment:privacy")
        rendered = render(_request(), views.SIGN_IN_TEMPLATE, context, status=403)
        assert kept.status_code == rendered.status_code == 403
        assert kept["Content-Type"] == rendered["Content-Type"]
        assert _without_token(kept.content.decode()) == _without_token(rendered.content.decode())
        # The token asks for the cookie, as {% csrf_token %} does.
        assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_the_kept_pages_token_passes_the_csrf_check(org: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    path = _path()
    page = client.get(path, {"user-identifier": f"alice@{DOMAIN}"})
    assert page.status_code == 200
    assert "csrftoken" in page.cookies
    assert "Cookie" in page["Vary"]
    html = page.content.decode()
    assert f'value="alice@{DOMAIN}"' in html
    (token,) = TOKEN.findall(html)
    # Without the token: Django's CSRF refusal.
    refused = client.post(path, {"identifier": f"alice@{DOMAIN}", "password": "x"})
    assert refused.status_code == 403 and b"CSRF" in refused.content
    # With it, the sign-in is checked: a wrong password keeps the form open with the error.
    wrong = client.post(
        path, {"identifier": f"alice@{DOMAIN}", "password": "x", "csrfmiddlewaretoken": token}
    )
    assert wrong.status_code == 200
    assert 'id="sign-in-error"' in wrong.content.decode()
    assert len(TOKEN.findall(wrong.content.decode())) == 1
    signed_in = client.post(
        path,
        {"identifier": f"alice@{DOMAIN}", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert signed_in.status_code == 308
    assert signed_in["Location"].startswith("apple-remotemanagement-user-login://")


def test_the_oauth_form_is_rendered_by_django(org: dict[str, Any]) -> None:
    request = _request()
    context = _context("alice", "") | {"oauth": {"state": "s<1>", "client_id": "c"}}
    html = views._sign_in_page(request, context).content.decode()
    assert '<input type="hidden" name="state" value="s&lt;1&gt;">' in html
    assert len(TOKEN.findall(html)) == 1
