"""The server's own status subscriptions: every channel that may report status gets them at
enrollment, filtered from Apple's status-item table, beside the admin's own subscriptions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from devices.models import Enrollment, QueuedCommand
from profiles.declarations import protocol, rules, services
from profiles.declarations.declaration_table import STATUS_ITEMS
from profiles.declarations.models import ChannelStatus, SetAssignment
from tests.simulator import SimulatedDevice

MakeDevice = Callable[..., SimulatedDevice]
AUTO = ("configuration", services.AUTO_SUBSCRIPTIONS)


def _names(device: SimulatedDevice) -> set[str]:
    body = device.declarative.declarations[AUTO]
    return {item["Name"] for item in body["Payload"]["StatusItems"]}


@pytest.mark.parametrize(
    "channel",
    [
        rules.ChannelKind("iOS", "18.2", "user", "system"),
        rules.ChannelKind("iOS", "18.2", "device", "system"),
        rules.ChannelKind("macOS", "15.2", "supervised", "system"),
        rules.ChannelKind("macOS", "15.2", "user", "user"),
    ],
    ids=["ios-user", "ios-device", "macos-supervised", "macos-user-channel"],
)
def test_server_subscriptions_are_what_apple_lets_the_channel_report(
    channel: rules.ChannelKind,
) -> None:
    chosen = rules.server_subscriptions(channel)
    assert chosen, "every DDM channel reports some of what the server reads"
    for name in protocol.SERVER_STATUS_ITEMS:
        rule = STATUS_ITEMS[name]["os"][channel.platform]
        allowed = (
            bool(rule.get("introduced"))
            and channel.kind in rule.get("enrollments", [channel.kind])
            and channel.scope in rule.get("scopes", [channel.scope])
        )
        assert (name in chosen) is allowed, name


def _nested(names: list[str]) -> dict[str, Any]:
    """A status report's StatusItems naming these items (each value "x")."""
    items: dict[str, Any] = {}
    for name in names:
        *parents, leaf = name.split(".")
        node = items
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = "x"
    return items


@pytest.mark.parametrize(
    "channel",
    [
        rules.ChannelKind("iOS", "18.2", "user", "system"),
        rules.ChannelKind("macOS", "15.2", "user", "system"),
        rules.ChannelKind("macOS", "15.2", "user", "user"),
    ],
    ids=["ios", "macos", "macos-user-channel"],
)
def test_a_user_enrollment_keeps_what_it_may_report_and_nothing_else(
    channel: rules.ChannelKind,
) -> None:
    """`reportable_status` keeps the items Apple's table lets a User Enrollment report (all the
    server subscribes it to among them) and drops every other item of the table."""
    report = {"StatusItems": _nested(sorted(STATUS_ITEMS)), "Errors": [], "FullReport": True}
    kept, withheld = rules.reportable_status(report, channel)
    assert kept["Errors"] == [] and kept["FullReport"] is True
    flat = set()
    for name in STATUS_ITEMS:
        node: Any = kept["StatusItems"]
        for part in name.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node == "x":
            flat.add(name)
    any_version = replace(channel, os_version="")  # judged by the kind of channel only
    may = {n for n in STATUS_ITEMS if rules.status_refusal(n, any_version) is None}
    assert flat == may
    assert set(rules.server_subscriptions(channel)) <= flat
    assert not {"device.identifier.udid", "device.identifier.serial-number"} & flat
    assert set(withheld) <= set(STATUS_ITEMS)


def test_other_enrollments_keep_their_report_as_sent() -> None:
    company = rules.ChannelKind("iOS", "18.2", "supervised", "system")
    report = {"StatusItems": {"device": {"identifier": {"udid": "U"}}, "made": {"up": 1}}}
    assert rules.reportable_status(report, company) == (report, {})


def test_a_user_enrollment_is_not_subscribed_to_software_update_items() -> None:
    phone = rules.ChannelKind("iOS", "18.2", "user", "system")
    chosen = rules.server_subscriptions(phone)
    assert "softwareupdate.pending-version" not in chosen
    assert "User Enrollments" in (
        rules.status_refusal("softwareupdate.pending-version", phone) or ""
    )
    assert {"device.operating-system.version", "passcode.is-compliant"} <= set(chosen)
    assert "management.declarations" in chosen
    assert (
        rules.status_refusal("made.up", phone) == "made.up is not a status item in Apple's schema"
    )


def test_an_os_without_declarative_management_gets_nothing() -> None:
    old = rules.ChannelKind("iOS", "14.8", "device", "system")
    assert services.server_subscriptions(old) is None
    unknown = rules.ChannelKind("", "", "device", "system")  # no platform told yet
    assert services.server_subscriptions(unknown) is None


@pytest.mark.django_db
def test_a_user_enrolled_iphone_with_no_set_reports_status_at_enrollment(
    make_device: MakeDevice, django_capture_on_commit_callbacks: Any
) -> None:
    phone = make_device(platform="iOS", user_enrollment=True, drain_inventory=False)
    with django_capture_on_commit_callbacks(execute=True):
        phone.enroll()
    enrollment = Enrollment.objects.get()
    queued = QueuedCommand.objects.filter(
        enrollment=enrollment, command__request_type="DeclarativeManagement"
    )
    assert queued.count() == 1  # nothing assigned: the subscriptions alone turn DDM on
    handled = phone.run()
    # Queued with the inventory, at the TokenUpdate: answered after it (its priority).
    assert [r.request_type for r in handled][-1] == "DeclarativeManagement"
    assert AUTO in phone.declarative.declarations
    assert services.AUTO_SUBSCRIPTIONS in phone.declarative.active
    assert "softwareupdate.pending-version" not in _names(phone)
    status = ChannelStatus.objects.get(enrollment=enrollment)
    # The simulated device reports only what it is subscribed to, as Apple's devices do.
    assert status.os_version == "18.2" and status.build_version == "22C152"
    assert status.passcode_compliant is True and status.passcode_present is True
    assert enrollment.declaration_states.get(identifier=services.AUTO_SUBSCRIPTIONS).active


@pytest.mark.django_db
def test_without_the_server_subscriptions_the_device_would_report_nothing(
    make_device: MakeDevice,
) -> None:
    """The simulator honours subscriptions: the automatic one is what fills the status."""
    # Not yet synchronised: the first DeclarativeManagement waits in the queue.
    phone = make_device(platform="iOS", user_enrollment=True, drain_inventory=False)
    phone.enroll()
    report = phone.declarative.report(os_version="18.2", build_version="22C152")
    assert report["StatusItems"] == {}
    phone.sync_declarations()
    report = phone.declarative.report(os_version="18.2", build_version="22C152")
    assert report["StatusItems"]["device"]["operating-system"]["version"] == "18.2"


@pytest.mark.django_db
def test_a_supervised_mac_is_subscribed_to_its_pending_update(make_device: MakeDevice) -> None:
    mac = make_device(platform="macOS", user_enrollment=False, supervised=True, os_version="15.1")
    mac.enroll()
    mac.sync_declarations()
    assert {"softwareupdate.pending-version", "softwareupdate.install-state"} <= _names(mac)


@pytest.mark.django_db
def test_admin_subscriptions_still_work_beside_the_servers(
    make_device: MakeDevice, django_capture_on_commit_callbacks: Any
) -> None:
    phone = make_device(platform="iOS", user_enrollment=True)
    phone.enroll()
    enrollment = Enrollment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        mine = services.create_declaration(
            declaration_type=services.SUBSCRIPTIONS,
            identifier="com.ex.status",
            display_name="Accounts",
            payload={"StatusItems": [{"Name": "account.list.mail.incoming"}]},
        )
        work = services.create_set(name="status", declarations=[mine])
        services.assign_set(
            declaration_set=work, kind=SetAssignment.Kind.ENROLLMENT, enrollment=enrollment
        )
    phone.run()
    assert {"com.ex.status", services.AUTO_SUBSCRIPTIONS} <= phone.declarative.active
    assert "account.list.mail.incoming" in phone.declarative.subscribed()
    assert "device.operating-system.version" in phone.declarative.subscribed()
    # The server's identifiers are its own: an admin cannot take them.
    with pytest.raises(services.DeclarationError, match="server's own"):
        services.create_declaration(
            declaration_type=services.SUBSCRIPTIONS,
            identifier=services.AUTO_SUBSCRIPTIONS,
            display_name="x",
            payload={"StatusItems": []},
        )


@pytest.mark.django_db
def test_a_mac_whose_supervision_is_not_known_yet_is_told_at_enrollment(
    make_device: MakeDevice, django_capture_on_commit_callbacks: Any
) -> None:
    """Apple lets only supervised Macs (of device enrollments) have status subscriptions, and
    supervision is known after DeviceInformation: the Mac is told to sync all the same, and is
    served according to what it turns out to be."""
    mac = make_device(
        platform="macOS",
        user_enrollment=False,
        supervised=True,
        os_version="15.1",
        drain_inventory=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        mac.enroll()  # the inventory (IsSupervised) is asked, not answered yet
    row = Enrollment.objects.get(device__udid=mac.udid)
    assert not row.device.supervised
    assert QueuedCommand.objects.filter(
        enrollment=row, command__request_type="DeclarativeManagement"
    ).exists()
    handled = [r.request_type for r in mac.run()]
    assert handled.index("DeviceInformation") < handled.index("DeclarativeManagement")
    assert AUTO in mac.declarative.declarations
    plain = make_device(platform="macOS", user_enrollment=False, os_version="15.1")
    plain.enroll()
    plain.sync_declarations()  # an unsupervised Mac: Apple does not allow it there
    assert AUTO not in plain.declarative.declarations
