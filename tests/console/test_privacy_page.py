"""The privacy page in headless Chromium at phone width (390x844), with simulated devices over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devices.models import Device, Enrollment
from tests.console.conftest import SCREENSHOTS
from tests.directory.conftest import (  # noqa: F401 - pytest finds fixtures by name
    FakeEntra,
    entra_source,
    fake_entra,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PASSWORD = "correct-horse-9"


def _person(username: str) -> Any:
    from directory import services as directory

    return directory.create_local_user(
        username=username, email=f"{username}@example.com", password=PASSWORD, actor=None
    )


def _own(enrollment: Enrollment, person: Any) -> None:
    Device.objects.filter(channels=enrollment).update(directory_user=person)


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"


def test_privacy_page_on_a_phone(
    page: Any, live_server: Any, live_device: Any, shot: Callable[[str], Path]
) -> None:
    base = live_server.url
    alice, dave = _person("alice"), _person("dave")
    phone_sim, phone = live_device(platform="iOS", user_enrollment=True, os_version="17.5")
    _, mac = live_device(platform="macOS", user_enrollment=False, os_version="15.2")
    _, daves = live_device(platform="iOS", user_enrollment=True)
    _own(phone, alice)
    _own(mac, alice)
    _own(daves, dave)
    page.set_viewport_size(PHONE)

    # Linked from the enrollment portal.
    page.goto(f"{base}/enroll/")
    page.click(".privacy-link a")
    page.wait_for_url(f"{base}/enroll/privacy/")
    _no_sideways_scroll(page)
    shot("privacy-01-sign-in-phone")

    page.fill("#identifier", "alice")
    page.fill("#password", "wrong")
    page.click("#privacy-sign-in button[type=submit]")
    assert page.is_visible("#privacy-error")
    shot("privacy-02-wrong-password-phone")

    page.fill("#identifier", "alice")
    page.fill("#password", PASSWORD)
    page.click("#privacy-sign-in button[type=submit]")
    page.wait_for_selector("#privacy-person")
    assert page.inner_text("#privacy-person") == "alice"
    assert page.locator("section.device").count() == 2  # dave's device is not here
    assert page.locator(f"#device-{daves.public_id}").count() == 0
    _no_sideways_scroll(page)

    personal = page.locator(f"#device-{phone.public_id}")
    assert "User Enrollment" in personal.locator(".kind").inner_text()
    cannot_do = personal.locator(".cannot-do").inner_text()
    assert "Erase the device" in cannot_do
    cannot_see = personal.locator(".cannot-see").inner_text()
    assert "The serial number" in cannot_see and "Your photos" in cannot_see
    assert "Last checked in" in personal.locator(".seen").inner_text()
    shot("privacy-03-devices-phone")

    corporate = page.locator(f"#device-{mac.public_id}")
    assert "Erase the device" in corporate.locator(".can-do").inner_text()
    assert corporate.locator(".contact-it").is_visible()
    assert corporate.locator("form.remove").count() == 0

    # Remove management without ticking the box: refused with the reason.
    personal.locator("form.remove button").click()
    page.wait_for_selector("#privacy-error")
    assert "Tick the box" in page.inner_text("#privacy-error")
    assert Enrollment.objects.get(pk=phone.pk).status == Enrollment.Status.ENROLLED

    personal = page.locator(f"#device-{phone.public_id}")
    personal.locator("form.remove input[name=confirm]").check()
    shot("privacy-05-confirm-phone")
    personal.locator("form.remove button").click()
    page.wait_for_selector("#privacy-flash")
    assert "Removal requested" in page.inner_text("#privacy-flash")
    assert page.locator(f"#device-{phone.public_id} .pending").is_visible()
    _no_sideways_scroll(page)
    shot("privacy-06-removal-requested-phone")

    # The phone connects, removes its enrollment profile; the page no longer lists it.
    received = phone_sim.run()
    assert [r.request_type for r in received] == ["RemoveProfile"]
    assert Enrollment.objects.get(pk=phone.pk).status == Enrollment.Status.UNENROLLED
    page.reload()
    assert page.locator(f"#device-{phone.public_id}").count() == 0
    assert page.locator(f"#device-{mac.public_id}").count() == 1
    shot("privacy-07-after-removal-phone")


@pytest.fixture
def entra_page(browser: Any) -> Iterator[Any]:
    """A phone-sized page that accepts the local Microsoft stand-in's test certificate (its CA
    is not the browser's); any Content-Security-Policy violation fails the test."""
    context = browser.new_context(viewport=PHONE, ignore_https_errors=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield page
    context.close()
    assert not violations, "\n".join(violations)


def test_privacy_page_entra_sign_in_on_a_phone(
    entra_page: Any,
    live_server: Any,
    live_device: Any,
    entra_source: Any,  # noqa: F811
    fake_entra: FakeEntra,  # noqa: F811
    settings: Any,
) -> None:
    """A person who enrolled with Entra ID signs in at Microsoft and sees only their devices."""
    from directory import services as directory
    from directory import sync

    settings.PUBLIC_URL = live_server.url  # Microsoft sends the browser back here
    page, base = entra_page, live_server.url
    owners = {}
    for login in ("ann@contoso.example", "ben@contoso.example"):
        entra = fake_entra.user_by_login(login)
        owners[login] = directory.upsert_signed_in_user(
            source=entra_source,
            record=sync.UserRecord(external_id=entra["id"], username=login, upn=login),
        )
    _, anns = live_device(platform="iOS", user_enrollment=True, os_version="26.0")
    _, bens = live_device(platform="iOS", user_enrollment=True)
    _own(anns, owners["ann@contoso.example"])
    _own(bens, owners["ben@contoso.example"])

    page.goto(f"{base}/enroll/privacy/")
    assert page.is_visible("#password-note")
    page.fill("#identifier", "ann@contoso.example")
    page.screenshot(path=str(SCREENSHOTS / "privacy-08-entra-sign-in-phone.png"), full_page=True)
    page.click("#privacy-sign-in button[type=submit]")  # to Microsoft and back
    page.wait_for_selector("#privacy-person")
    assert page.url == f"{base}/enroll/privacy/"
    # The browser went to Microsoft's authorization endpoint; the server redeemed the code.
    assert sum(path.endswith("/oauth2/v2.0/authorize") for path in fake_entra.requests) == 1
    assert sum(path.endswith("/oauth2/v2.0/token") for path in fake_entra.requests) == 1
    assert page.inner_text("#privacy-person") == "ann@contoso.example"
    assert page.locator("section.device").count() == 1
    assert page.locator(f"#device-{anns.public_id}").count() == 1
    assert page.locator(f"#device-{bens.public_id}").count() == 0
    _no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "privacy-09-entra-devices-phone.png"), full_page=True)
