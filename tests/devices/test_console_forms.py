"""Action forms: readable labels, only the options the device's platform has, DeviceInformation
queries as a checklist with what a personal device may not be asked greyed, counted confirms."""

from __future__ import annotations

import plistlib
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from devices.capabilities import Target, command_option_tally, query_option_tally
from devices.console import human_label
from tests.devices._rows import bulk_devices, enrolled, later_commands
from tests.simulator import SimulatedDevice

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


# --- bulk: the options the selected devices' platforms have, counted ---------------------------

IPHONE = Target(platform="iOS", os_version="18.0", enrollment_type="device")
MAC = Target(platform="macOS", os_version="15.0", enrollment_type="device")
PERSONAL = Target(platform="iOS", os_version="18.0", enrollment_type="user")


def test_option_tally_counts_devices_by_what_their_platform_has() -> None:
    """Oracle: Apple's schema has PIN for a Mac's erase only, PreserveDataPlan for an iPhone's."""
    tally = command_option_tally("EraseDevice", ["PIN", "PreserveDataPlan"], {IPHONE: 3, MAC: 1})
    assert (tally["PIN"].offered, tally["PIN"].absent, tally["PIN"].total) == (1, 3, 4)
    assert tally["PreserveDataPlan"].offered == 3 and tally["PreserveDataPlan"].absent == 1
    assert tally["PIN"].partial and not tally["PIN"].greyed
    only_phones = command_option_tally("EraseDevice", ["PIN"], {IPHONE: 2})
    assert not only_phones["PIN"].shown
    queries = {t.key: t for t in query_option_tally("DeviceInformation", {IPHONE: 2, PERSONAL: 1})}
    assert queries["OSVersion"].offered == 3 and not queries["OSVersion"].partial
    serial = queries["SerialNumber"]
    assert (serial.offered, serial.refused) == (2, 1) and "User Enrollment" in serial.reason
    personal = {t.key: t for t in query_option_tally("DeviceInformation", {PERSONAL: 4})}
    assert personal["SerialNumber"].greyed and personal["OSVersion"].offered == 4


def _bulk(client: Client, action: str, filter_query: str = "", **data: object) -> Any:
    params = {"action": action, "all_matching": "1", "filter": filter_query, **data}
    if data:
        return client.post("/console/devices/bulk/", {**params, "submit": "1"})
    return client.get("/console/devices/bulk/", params)


def test_bulk_erase_offers_each_platforms_options_with_counts(admin_client: Client) -> None:
    bulk_devices(6)  # erasable: three iPhones (one account-driven) and a Mac; two personal
    form = _bulk(admin_client, "EraseDevice").context["form"]
    assert form.fields["PIN"].help_text.startswith("For 1 of 4 devices. 3 have no such option")
    assert form.fields["PreserveDataPlan"].help_text.startswith(
        "For 3 of 4 devices. 1 has no such option on its platform"
    )
    assert form.fields["PreserveDataPlan"].label == "Preserve data plan"
    phones = _bulk(admin_client, "EraseDevice", "platform=iOS").context["form"]
    assert "PIN" not in phones.fields  # as on one iPhone's form
    assert "For " not in phones.fields["PreserveDataPlan"].help_text  # every one has it
    html = _bulk(admin_client, "EraseDevice").content.decode()
    assert 'data-field="PIN"' in html and "For 1 of 4 devices." in html


def test_bulk_device_information_counts_and_greys_queries(admin_client: Client) -> None:
    bulk_devices(6, platform="iOS")  # two personal iPhones among six
    page = _bulk(admin_client, "DeviceInformation")
    field = page.context["form"].fields["Queries"]
    labels = dict(field.choices)
    assert labels["SerialNumber"] == "SerialNumber (4 of 6 devices)"
    assert labels["OSVersion"] == "OSVersion"
    assert "SerialNumber" not in field.widget.greyed
    assert "how many of the selected devices may be asked it" in field.help_text

    personal = _bulk(admin_client, "DeviceInformation", "enrollment_type=user")
    html = personal.content.decode()
    assert "SerialNumber (not for the selected devices)" in html
    assert "User Enrollment" in personal.context["form"].fields["Queries"].widget.greyed["UDID"]
    refused = _bulk(
        admin_client, "DeviceInformation", "enrollment_type=user", Queries=["SerialNumber"]
    )
    assert refused.status_code == 400
    assert "may not be asked SerialNumber" in refused.content.decode()
    assert not later_commands().exists()

    # Posted for all six anyway: the capability filter still refuses each personal device.
    done = _bulk(admin_client, "DeviceInformation", Queries=["SerialNumber", "OSVersion"])
    assert done.status_code == 302
    command = later_commands().get()
    assert command.deliveries.count() == 4
    assert sorted(plistlib.loads(bytes(command.body))["Command"]["Queries"]) == [
        "OSVersion",
        "SerialNumber",
    ]
