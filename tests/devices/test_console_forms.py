"""Action forms: readable labels, only the options the device's platform has, DeviceInformation
queries as a checklist with what a personal device may not be asked greyed, counted confirms."""

from __future__ import annotations

import plistlib
from collections.abc import Callable

import pytest
from django.test import Client

from devices.console import human_label
from devices.simulator import SimulatedDevice
from tests.devices._rows import bulk_devices, enrolled, later_commands

pytestmark = pytest.mark.django_db
MakeDevice = Callable[..., SimulatedDevice]
LIST = "/console/devices/"


def test_labels_are_words_not_keys() -> None:
    assert human_label("ManagedAppsOnly") == "Managed apps only"
    assert human_label("iTunesStoreID") == "iTunes Store ID"
    assert human_label("PreserveDataPlan") == "Preserve data plan"
    assert human_label("ManifestURL") == "Manifest URL"


def test_device_information_is_a_checklist_with_personal_limits_greyed(
    admin_client: Client, make_device: MakeDevice
) -> None:
    _, ue = enrolled(make_device, user_enrollment=True)
    url = f"{LIST}{ue.public_id}/actions/DeviceInformation/"
    form = admin_client.get(url).context["form"]
    widget = form.fields["Queries"].widget
    choices = [key for key, _ in form.fields["Queries"].choices]
    assert "OSVersion" in choices and "OSVersion" not in widget.greyed
    assert "SerialNumber" in widget.greyed and "User Enrollment" in widget.greyed["SerialNumber"]
    html = admin_client.get(url).content.decode()
    assert 'value="SerialNumber"' in html and "SerialNumber (not for this device)" in html
    refused = admin_client.post(url, {"Queries": ["OSVersion", "SerialNumber"]})
    assert refused.status_code == 400
    assert "may not be asked SerialNumber" in refused.content.decode()
    assert not later_commands().exists()  # the inventory asked at enrollment aside
    ok = admin_client.post(url, {"Queries": ["OSVersion", "DeviceName"]})
    assert ok.status_code == 302
    body = plistlib.loads(bytes(later_commands().get().body))
    assert sorted(body["Command"]["Queries"]) == ["DeviceName", "OSVersion"]


def test_erase_offers_only_the_options_of_the_platform(
    admin_client: Client, make_device: MakeDevice
) -> None:
    _, iphone = enrolled(make_device, user_enrollment=False, platform="iOS")
    _, mac = enrolled(make_device, user_enrollment=False, platform="macOS")
    phone_form = admin_client.get(f"{LIST}{iphone.public_id}/actions/EraseDevice/").context["form"]
    mac_form = admin_client.get(f"{LIST}{mac.public_id}/actions/EraseDevice/").context["form"]
    assert "PreserveDataPlan" in phone_form.fields and "PIN" not in phone_form.fields
    assert "PIN" in mac_form.fields and "PreserveDataPlan" not in mac_form.fields
    assert phone_form.fields["PreserveDataPlan"].label == "Preserve data plan"
    page = admin_client.get(f"{LIST}{mac.public_id}/actions/EraseDevice/").content.decode()
    assert f"Erase device on {mac.display_name}</button>" in page


def test_bulk_confirm_counts_the_devices_that_will_get_it(admin_client: Client) -> None:
    bulk_devices(6)  # two of each: User Enrollment, Device Enrollment, account-driven DE
    page = admin_client.get(
        "/console/devices/bulk/", {"action": "EraseDevice", "all_matching": "1", "filter": ""}
    )
    html = page.content.decode()
    assert page.context["preview"][0] == 4
    assert 'data-confirm-count="4"' in html and "Erase device on 4 devices (skip 2)" in html
    assert "Yes, erase on 4 devices" in html
    none = admin_client.get(
        "/console/devices/bulk/",
        {"action": "EraseDevice", "all_matching": "1", "filter": "enrollment_type=user"},
    ).content.decode()
    assert 'disabled data-confirm-count="0"' in none
