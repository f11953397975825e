"""The profiles assigned to a new channel ride its first TokenUpdate: decided in a constant
number of queries, queued in the same enqueue (one push) as its inventory, Delivery rows
written from that enqueue's result."""

from __future__ import annotations

import plistlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from devices import signals
from devices.models import Command, Enrollment, QueuedCommand
from directory.models import DirectoryGroup, DirectoryUser, IdentitySource
from mdm_server.pki import certificates, cms
from mdm_server.pki import services as pki
from profiles import services
from profiles.models import Delivery, Profile
from tests.profiles.conftest import make_enrollment
from tests.simulated import client_device
from tests.simulator import SimulatedDevice

pytestmark = pytest.mark.django_db

PASSCODE = services.PayloadInput(
    "com.apple.mobiledevice.passwordpolicy", {"minLength": 8, "allowSimple": False}
)
RESTRICTIONS = services.PayloadInput("com.apple.applicationaccess", {"allowCamera": False})


def _clip(n: int) -> services.PayloadInput:
    return services.PayloadInput(
        "com.apple.webClip.managed", {"URL": f"https://{n}.example", "Label": f"{n}"}
    )


def _profile(actor: Any, identifier: str, *payloads: services.PayloadInput, **kw: Any) -> Profile:
    return services.create_profile(
        identifier=identifier,
        display_name=identifier,
        payloads=list(payloads) or [_clip(0)],
        actor=actor,
        **kw,
    )


@pytest.fixture
def staff(db: None) -> Iterator[tuple[DirectoryUser, DirectoryGroup]]:
    source = IdentitySource.objects.create(name="Local", kind=IdentitySource.Kind.LOCAL)
    alice = DirectoryUser.objects.create(source=source, external_id="a", username="alice")
    group = DirectoryGroup.objects.create(name="staff")
    alice.groups.add(group)
    yield alice, group


@pytest.fixture
def new_device(server_pki: pki.PkiStatus) -> Callable[..., SimulatedDevice]:
    ca = pki.active_identity("ca")

    def make(*, platform: str = "iOS", user_enrollment: bool = True) -> SimulatedDevice:
        return client_device(ca, platform=platform, user_enrollment=user_enrollment)

    return make


def _channel(device: SimulatedDevice) -> Enrollment:
    ids: dict[str, str] = (
        {"enrollment_id": device.enrollment_id}
        if device.user_enrollment
        else {"device__udid": device.udid}
    )
    return Enrollment.objects.select_related("device").get(channel=Enrollment.Channel.DEVICE, **ids)


class _Enrolled:
    """A device's first TokenUpdate, observed: its statements (with what runs after commit)
    and the enqueues (pushes) it made."""

    def __init__(self, device: SimulatedDevice, person: DirectoryUser | None, capture: Any):
        assert device.authenticate() == 200
        self.channel = _channel(device)
        if person is not None:
            self.channel.device.directory_user = person
            self.channel.device.save(update_fields=["directory_user"])
        self.pushes: list[list[int]] = []
        signals.commands_enqueued.connect(self._enqueued)
        try:
            with CaptureQueriesContext(connection) as queries, capture(execute=True):
                assert device.token_update() == 200
        finally:
            signals.commands_enqueued.disconnect(self._enqueued)
        self.statements = len(queries.captured_queries)

    def _enqueued(self, sender: Any, command: Command, enrollment_ids: Any, **kw: Any) -> None:
        self.pushes.append(list(enrollment_ids))

    def installs(self) -> dict[str, QueuedCommand]:
        """The InstallProfile commands queued for the channel, by profile identifier."""
        rows = QueuedCommand.objects.filter(
            enrollment=self.channel,
            command__request_type="InstallProfile",
            status=QueuedCommand.Status.QUEUED,
        ).select_related("command")
        out = {}
        for row in rows:
            payload = plistlib.loads(bytes(row.command.body))["Command"]["Payload"]
            document = plistlib.loads(cms.verify_signed_data(payload).content)
            out[document["PayloadIdentifier"]] = row
        return out


def test_first_token_update_queues_exactly_the_covering_profiles_in_one_enqueue(
    admin_user, staff, new_device, django_capture_on_commit_callbacks
) -> None:
    alice, group = staff
    by_type = _profile(admin_user, "com.ex.type", _clip(1))
    services.assign_profile(
        profile=by_type, actor=admin_user, enrollment_types=[Enrollment.Type.USER]
    )
    by_group = _profile(admin_user, "com.ex.group", _clip(2))
    services.assign_profile(profile=by_group, actor=admin_user, groups=[group])
    elsewhere = _profile(admin_user, "com.ex.elsewhere", _clip(3))
    services.assign_profile(
        profile=elsewhere, actor=admin_user, enrollment_types=[Enrollment.Type.DEVICE]
    )
    enrolled = _Enrolled(new_device(), alice, django_capture_on_commit_callbacks)
    # One enqueue, one push: the inventory and the profiles together.
    assert enrolled.pushes == [[enrolled.channel.pk]]
    installs = enrolled.installs()
    assert set(installs) == {"com.ex.type", "com.ex.group"}
    assert QueuedCommand.objects.filter(
        enrollment=enrolled.channel, command__request_type="DeviceInformation"
    ).exists()
    deliveries = {d.profile.identifier: d for d in Delivery.objects.select_related("profile")}
    assert set(deliveries) == {"com.ex.type", "com.ex.group"}
    for identifier, delivery in deliveries.items():
        assert delivery.enrollment_id == enrolled.channel.pk
        assert delivery.status == Delivery.Status.QUEUED
        assert delivery.command_uuid == installs[identifier].command.uuid
        assert not delivery.partial


def test_first_token_update_statements_do_not_grow_with_the_assigned_profiles(
    admin_user, staff, new_device, django_capture_on_commit_callbacks
) -> None:
    alice, group = staff

    def assign(n: int) -> None:
        profile = _profile(admin_user, f"com.ex.{n}", _clip(n))
        if n % 2:
            services.assign_profile(profile=profile, actor=admin_user, groups=[group])
        else:
            services.assign_profile(
                profile=profile, actor=admin_user, enrollment_types=[Enrollment.Type.USER]
            )

    assign(0)
    _Enrolled(new_device(), alice, django_capture_on_commit_callbacks)  # warms the caches
    one = _Enrolled(new_device(), alice, django_capture_on_commit_callbacks)
    assert len(one.installs()) == 1
    for n in range(1, 5):
        assign(n)
    five = _Enrolled(new_device(), alice, django_capture_on_commit_callbacks)
    assert len(five.installs()) == 5
    assert Delivery.objects.filter(enrollment=five.channel).count() == 5
    assert len(five.pushes) == 1
    assert one.statements == five.statements


def test_a_ue_subset_profile_is_trimmed_and_signed_again_at_the_first_token_update(
    admin_user, new_device, django_capture_on_commit_callbacks
) -> None:
    profile = _profile(
        admin_user,
        "com.ex.subset",
        PASSCODE,
        RESTRICTIONS,
        ue_mode=Profile.UserEnrollmentMode.SUBSET,
    )
    services.assign_profile(
        profile=profile, actor=admin_user, enrollment_types=[Enrollment.Type.USER]
    )
    enrolled = _Enrolled(new_device(platform="macOS"), None, django_capture_on_commit_callbacks)
    command = enrolled.installs()["com.ex.subset"].command
    payload = plistlib.loads(bytes(command.body))["Command"]["Payload"]
    # Not the full profile as signed for everyone: a copy without what a macOS User
    # Enrollment may not receive (the passcode payload), signed again by the server.
    assert payload != services.signed_profile(profile)
    signed = cms.verify_signed_data(payload)
    assert signed.signer.subject == pki.active_identity("signing").certificate.subject
    content = plistlib.loads(signed.content)["PayloadContent"]
    assert [p["PayloadType"] for p in content] == ["com.apple.applicationaccess"]
    delivery = Delivery.objects.get(profile=profile, enrollment=enrolled.channel)
    assert delivery.status == Delivery.Status.QUEUED and delivery.partial
    assert "passwordpolicy" in delivery.reason


def test_a_profile_a_user_enrollment_may_not_get_is_recorded_as_skipped(
    admin_user, new_device, django_capture_on_commit_callbacks
) -> None:
    profile = _profile(admin_user, "com.ex.skip", PASSCODE, RESTRICTIONS)  # SKIP mode
    services.assign_profile(
        profile=profile, actor=admin_user, enrollment_types=[Enrollment.Type.USER]
    )
    enrolled = _Enrolled(new_device(), None, django_capture_on_commit_callbacks)
    assert enrolled.installs() == {}
    delivery = Delivery.objects.get(profile=profile, enrollment=enrolled.channel)
    assert delivery.status == Delivery.Status.SKIPPED and "allowCamera" in delivery.reason


def test_a_channel_enrolled_again_gets_its_profiles_again(
    admin_user, staff, new_device, django_capture_on_commit_callbacks
) -> None:
    alice, _ = staff
    kept = _profile(admin_user, "com.ex.kept", _clip(1))
    services.assign_profile(profile=kept, actor=admin_user, enrollment_types=["user"])
    device = new_device()
    first = _Enrolled(device, alice, django_capture_on_commit_callbacks)
    old_uuid = Delivery.objects.get(profile=kept).command_uuid
    Delivery.objects.filter(profile=kept).update(status=Delivery.Status.INSTALLED)
    # A profile it held, no longer assigned (the assignment went while it was away).
    gone = _profile(admin_user, "com.ex.gone", _clip(2))
    Delivery.objects.create(
        profile=gone, enrollment=first.channel, status=Delivery.Status.INSTALLED, version=1
    )
    # The enrollment profile installed again: Authenticate and a first TokenUpdate again.
    again = _Enrolled(device, None, django_capture_on_commit_callbacks)
    assert again.channel.pk == first.channel.pk
    delivery = Delivery.objects.get(profile=kept)
    assert delivery.status == Delivery.Status.QUEUED and delivery.command_uuid != old_uuid
    assert set(again.installs()) == {"com.ex.kept"}  # the first command was canceled
    stale = Delivery.objects.get(profile=gone)
    assert stale.status == Delivery.Status.REMOVED
    assert not QueuedCommand.objects.filter(
        enrollment=again.channel, command__request_type="RemoveProfile"
    ).exists()


def test_sync_enrollment_decides_and_queues_in_statements_that_do_not_grow(
    server_pki, admin_user, staff
) -> None:
    alice, _ = staff

    def statements(profiles: int) -> int:
        enrollment = make_enrollment(enrollment_type="user", directory_user=alice)
        for n in range(profiles):
            profile = _profile(admin_user, f"com.ex.sync.{enrollment.pk}.{n}", _clip(n))
            services.assign_profile(profile=profile, actor=admin_user, enrollments=[enrollment])
            # Assigned, but as if it had not been installed there yet.
            Delivery.objects.filter(profile=profile).delete()
        with CaptureQueriesContext(connection) as queries:
            outcomes = services.sync_enrollment(enrollment=enrollment)
        assert [o.queued for o in outcomes] == [[enrollment.pk]] * profiles
        assert Delivery.objects.filter(enrollment=enrollment).count() == profiles
        return len(queries.captured_queries)

    statements(1)  # warms the caches
    assert statements(1) == statements(5)


def test_the_enrollment_side_rule_agrees_with_desired_enrollments(
    server_pki, admin_user, staff
) -> None:
    alice, group = staff
    others = DirectoryGroup.objects.create(name="others")
    mac = make_enrollment(platform="macOS", os_version="15.1", directory_user=alice)
    channels = [
        make_enrollment(enrollment_type="user", directory_user=alice),
        make_enrollment(enrollment_type="device"),
        mac,
        make_enrollment(
            platform="macOS", os_version="15.1", channel=Enrollment.Channel.USER, parent=mac
        ),
        make_enrollment(enrollment_type="user", platform="macOS", os_version="15.1"),
        make_enrollment(enrollment_type="user"),
    ]
    Enrollment.objects.filter(pk=channels[5].pk).update(status=Enrollment.Status.UNENROLLED)
    targets: list[dict[str, Any]] = [
        {"enrollment_types": ["user"]},
        {"enrollment_types": ["device", "adde"]},
        {"groups": [group]},
        {"groups": [others]},
        {"enrollments": [channels[1], channels[3]]},
        {"enrollments": [channels[5]]},
    ]
    for n, target in enumerate(targets):
        for scope in (Profile.Scope.DEVICE, Profile.Scope.USER):
            profile = _profile(admin_user, f"com.ex.rule.{n}.{scope}", _clip(n))
            profile = services.update_profile(profile, actor=admin_user, scope=scope)
            services.assign_profile(profile=profile, actor=admin_user, **target)
    for channel in channels:
        channel = Enrollment.objects.select_related("device").get(pk=channel.pk)
        expected = {
            p.identifier
            for p in Profile.objects.all()
            if services.desired_enrollments(p).filter(pk=channel.pk).exists()
        }
        found = {p.identifier for p in services.profiles_for_enrollment(channel)}
        assert found == expected, channel
    # Not a vacuous comparison: each kind of channel is covered by something.
    assert all(services.profiles_for_enrollment(c) for c in channels[:5])
    assert services.profiles_for_enrollment(Enrollment.objects.get(pk=channels[5].pk)) == []


def test_the_profiles_an_enrollment_stands_with_are_the_orm_s_rows(server_pki, admin_user) -> None:
    """`_standing` reads its rows through a cursor: each Profile has every field the ORM gives
    it (converted the same way: JSON, binary content, times), and is a saved instance."""
    channel = make_enrollment(enrollment_type="user")
    profiles = [_profile(admin_user, f"com.ex.fields.{n}", _clip(n), PASSCODE) for n in range(2)]
    for profile in profiles:
        services.assign_profile(profile=profile, actor=admin_user, enrollments=[channel])
    channel = Enrollment.objects.select_related("device").get(pk=channel.pk)
    standing = services.profiles_for_enrollment(channel)
    assert [p.identifier for p in standing] == ["com.ex.fields.0", "com.ex.fields.1"]
    for found in standing:
        expected = Profile.objects.get(pk=found.pk)
        assert not found._state.adding and found._state.db == expected._state.db
        for field in Profile._meta.concrete_fields:
            value = getattr(found, field.attname)
            assert value == getattr(expected, field.attname), field.name
            assert type(value) is type(getattr(expected, field.attname)), field.name
    assert standing[0].payload_summary and standing[0].created_at.tzinfo is not None


def test_installs_reuse_a_profile_s_signature_until_its_content_or_the_certificate_changes(
    server_pki, admin_user
) -> None:
    profile = _profile(admin_user, "com.ex.signed", _clip(1))
    identity = pki.active_identity("signing")
    first = services._signed_for_install(profile, identity)
    assert services._signed_for_install(profile, identity) == first
    assert cms.verify_signed_data(first).content == bytes(profile.content)
    profile = services.update_profile(profile, actor=admin_user, display_name="Renamed")
    changed = services._signed_for_install(profile, identity)
    assert changed != first
    assert cms.verify_signed_data(changed).content == bytes(profile.content)
    ca = pki.active_identity("ca")
    other = certificates.Identity(certificate=ca.certificate, key=ca.key)
    assert (
        cms.verify_signed_data(services._signed_for_install(profile, other)).signer
        == other.certificate
    )
