"""The profile editor in headless Chromium: grouped keys, key search, collapsed help, and marks
of what won't apply on a personal device while editing (before anything is saved)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User

from profiles.models import Profile
from tests.console.test_browser import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSCODE = "com.apple.mobiledevice.passwordpolicy"
RESTRICTIONS = "com.apple.applicationaccess"
# The page used to be 23,600 pixels tall with these two payloads: every key open, every help text.
MAX_HEIGHT = 3000


def _add(page: Any, payload_type: str) -> None:
    page.select_option("select[name=add_type]", payload_type)
    page.click("button[name=action][value=add]")
    page.wait_for_selector(f"fieldset.payload[data-payload-type='{payload_type}']")


def test_passcode_and_restrictions_fit_and_mark_personal_device_keys_while_editing(
    page: Any, live_server: Any, admin_user: User, shot: Any, server_pki: Any
) -> None:
    base = live_server.url
    _sign_in(page, base, admin_user)
    page.goto(f"{base}/console/profiles/new/")
    page.fill("input[name=identifier]", "com.example.byod")
    page.fill("input[name=display_name]", "BYOD baseline")
    _add(page, PASSCODE)
    _add(page, RESTRICTIONS)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MAX_HEIGHT, height
    restrictions = page.locator(f"fieldset.payload[data-payload-type='{RESTRICTIONS}']")
    groups = restrictions.locator("details.key-group").evaluate_all(
        "gs => gs.map(g => [g.dataset.group, g.open])"
    )
    assert len(groups) >= 8 and not any(is_open for _, is_open in groups), groups
    assert "Camera, screen and sharing" in [title for title, _ in groups]
    # Help text is collapsed: present, not shown.
    help_box = page.locator(f"fieldset.payload[data-payload-type='{PASSCODE}'] details.help").first
    assert help_box.get_attribute("open") is None
    shot("40-editor-collapsed")

    # Search finds a key in a closed group and opens only the groups that match.
    restrictions.locator(".key-search").fill("accountmod")
    visible = restrictions.locator(".key:visible")
    assert visible.count() == 1
    assert visible.first.get_attribute("data-key") == "allowAccountModification"
    key = restrictions.locator(".key[data-key=allowAccountModification]")
    assert "personal iPhone/iPad" in key.locator(".ue-mark").inner_text()
    live = restrictions.locator("[data-ue-live]")
    assert live.is_hidden()
    key.locator("select").select_option("false")
    assert live.is_visible() and "allowAccountModification" in live.inner_text()
    assert "ue-set" in (key.get_attribute("class") or "")
    restrictions.locator(".key-search").fill("")
    assert restrictions.locator("details.key-group[open]").count() == 0

    passcode = page.locator(f"fieldset.payload[data-payload-type='{PASSCODE}']")
    min_length = passcode.locator(".key[data-key=minLength]")
    assert passcode.locator("[data-ue-live]").is_hidden()
    min_length.locator("input").fill("8")
    assert "minLength" in passcode.locator("[data-ue-live]").inner_text()
    min_length.locator("input").fill("")
    assert passcode.locator("[data-ue-live]").is_hidden()
    min_length.locator("input").fill("8")
    shot("41-editor-marks-while-editing")

    page.click("button[name=action][value=save]")
    page.wait_for_url(re.compile(r".*/console/profiles/\d+/$"))
    saved = Profile.objects.get(identifier="com.example.byod")
    contents = {p["PayloadType"]: p for p in saved.payloads}
    assert contents[PASSCODE]["minLength"] == 8
    assert contents[RESTRICTIONS]["allowAccountModification"] is False
    # Editing again opens the groups holding a value, and only those.
    page.goto(f"{base}/console/profiles/{saved.pk}/edit/")
    opened = page.locator(
        f"fieldset.payload[data-payload-type='{RESTRICTIONS}'] details.key-group[open]"
    ).evaluate_all("gs => gs.map(g => g.dataset.group)")
    assert opened == ["Apple Account, iCloud and backup"]
    assert (
        "1 key set here"
        in page.locator(
            f"fieldset.payload[data-payload-type='{RESTRICTIONS}'] [data-ue-live]"
        ).inner_text()
    )


VPN = "com.apple.vpn.managed"
WIFI = "com.apple.wifi.managed"


def test_vpn_and_wifi_keys_are_grouped_as_the_schema_nests_them(
    page: Any, live_server: Any, admin_user: User, shot: Any, server_pki: Any
) -> None:
    """A VPN payload has 147 fields in the schema's dictionaries (IPSec, IKEv2, DNS…); Wi-Fi
    49. Each dictionary is a group under the schema's title, required keys come first and
    open, and the passcode payload beside them keeps its personal-device marks while editing."""
    base = live_server.url
    _sign_in(page, base, admin_user)
    page.goto(f"{base}/console/profiles/new/")
    page.fill("input[name=identifier]", "com.example.network")
    page.fill("input[name=display_name]", "Network")
    _add(page, VPN)
    _add(page, WIFI)
    # 196 fields, closed in their groups: no taller than Passcode and Restrictions together.
    assert page.evaluate("document.documentElement.scrollHeight") < MAX_HEIGHT
    _add(page, PASSCODE)
    vpn = page.locator(f"fieldset.payload[data-payload-type='{VPN}']")
    groups = vpn.locator("details.key-group").evaluate_all(
        "gs => gs.map(g => [g.dataset.group, g.open])"
    )
    titles = [title for title, _ in groups]
    assert titles[0] == "Required" and groups[0][1] is True
    # The schema's titles, as Apple's 27.0 text writes them (18.1 had "IPSec Settings" and
    # "EAP Client Configuration").
    assert {"IPSec settings", "IKEv2", "DNS", "Proxies"} <= set(titles), titles
    assert not any(is_open for title, is_open in groups[1:]), groups
    required = vpn.locator("details.key-group[data-group=Required] .key").evaluate_all(
        "ks => ks.map(k => k.dataset.key)"
    )
    assert required == ["VPNType", "UserDefinedName"]
    wifi = page.locator(f"fieldset.payload[data-payload-type='{WIFI}']")
    wifi_titles = wifi.locator("details.key-group").evaluate_all(
        "gs => gs.map(g => g.dataset.group)"
    )
    assert "EAP client configuration" in wifi_titles and "Proxy…" in wifi_titles
    shot("42-editor-vpn-wifi-grouped")

    # Search opens the groups that hold a match, across the schema's dictionaries.
    vpn.locator(".key-search").fill("remoteaddress")
    found = vpn.locator(".key:visible").evaluate_all("ks => ks.map(k => k.dataset.key)")
    # Apple's 27.0 text adds the VPN dictionary's own RemoteAddress.
    assert set(found) == {
        "PPP.CommRemoteAddress",
        "IPSec.RemoteAddress",
        "IKEv2.RemoteAddress",
        "VPN.RemoteAddress",
    }
    vpn.locator(".key[data-key='IKEv2.RemoteAddress'] input").fill("vpn.example.com")
    vpn.locator(".key-search").fill("")
    shot("43-editor-vpn-search")

    # The personal-device marks still come while editing, in the passcode payload's groups.
    passcode = page.locator(f"fieldset.payload[data-payload-type='{PASSCODE}']")
    assert passcode.locator("details.key-group").count() >= 2
    passcode.locator(".key[data-key=minLength] input").fill("8")
    assert "minLength" in passcode.locator("[data-ue-live]").inner_text()

    vpn.locator(".key[data-key=VPNType] select").select_option("IKEv2")
    page.fill(".key[data-key=UserDefinedName] input", "Office")
    # A dictionary partly filled in asks for its own required keys (the schema's rule).
    page.click("button[name=action][value=save]")
    page.wait_for_selector(".key.has-error[data-key='IKEv2.LocalIdentifier']")
    ike = vpn.locator("details.key-group[data-group=IKEv2]")
    assert ike.get_attribute("open") is not None  # opened where the errors are
    vpn = page.locator(f"fieldset.payload[data-payload-type='{VPN}']")
    vpn.locator(".key[data-key='IKEv2.LocalIdentifier'] input").fill("office")
    vpn.locator(".key[data-key='IKEv2.RemoteIdentifier'] input").fill("vpn.example.com")
    vpn.locator(".key[data-key='IKEv2.AuthenticationMethod'] select").select_option("Certificate")
    page.click("button[name=action][value=save]")
    page.wait_for_url(re.compile(r".*/console/profiles/\d+/$"))
    saved = Profile.objects.get(identifier="com.example.network")
    contents = {p["PayloadType"]: p for p in saved.payloads}
    assert contents[VPN]["IKEv2"]["RemoteAddress"] == "vpn.example.com"
    # Editing again opens the required keys and the group holding a value.
    page.goto(f"{base}/console/profiles/{saved.pk}/edit/")
    opened = page.locator(
        f"fieldset.payload[data-payload-type='{VPN}'] details.key-group[open]"
    ).evaluate_all("gs => gs.map(g => g.dataset.group)")
    assert opened == ["Required", "IKEv2"], opened
