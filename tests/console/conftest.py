"""Browser-test fixtures: Debian's headless Chromium driven by Playwright, simulated devices over HTTP."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devices.models import Enrollment
from mdm_server.pki import services as pki
from tests.devices._rows import drain_inventory
from tests.simulator import HttpTransport, SimulatedDevice, issue_identity

# Debian's package by default; elsewhere (Ubuntu has only a snap) MDM_CHROMIUM names one.
CHROMIUM = Path(os.environ.get("MDM_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module. Not per session: Playwright's sync API keeps an event loop
    running in this thread until it stops, which would break later tests that call asyncio.run."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's chromium, or set MDM_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    # The ORM calls the tests make between browser steps are synchronous, but Django sees
    # Playwright's running loop and would refuse them; relax its guard while the browser runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; any Content-Security-Policy violation it logs fails the test."""
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    violations: list[str] = []
    page.csp_violations = violations
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield page
    context.close()
    assert not violations, "\n".join(violations)


@pytest.fixture
def shot(page: Any) -> Callable[[str], Path]:
    """Save a full-page screenshot into artifacts/screenshots/ (gitignored) for a human to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def live_device(
    live_server: Any, server_pki: pki.PkiStatus
) -> Callable[..., tuple[SimulatedDevice, Enrollment]]:
    """Enroll a simulated device against the live server over real HTTP."""
    ca = pki.active_identity("ca")
    made: list[HttpTransport] = []

    def make(*, drain: bool = True, **kwargs: Any) -> tuple[SimulatedDevice, Enrollment]:
        """`drain`: the device answers the inventory asked when its enrollment completed, so
        the test goes on from an empty queue."""
        cert, key = issue_identity(ca)
        transport = HttpTransport(timeout=10.0)
        made.append(transport)
        device = SimulatedDevice(
            transport=transport,
            certificate=cert,
            key=key,
            server_url=f"{live_server.url}/mdm/connect",
            checkin_url=f"{live_server.url}/mdm/checkin",
            **kwargs,
        )
        device.enroll()
        if drain:
            drain_inventory(device)
        key_name = (
            f"eid:{device.enrollment_id}" if device.user_enrollment else f"udid:{device.udid}"
        )
        return device, Enrollment.objects.get(channel_key=key_name)

    yield make  # type: ignore[misc]
    for transport in made:
        transport.close()
