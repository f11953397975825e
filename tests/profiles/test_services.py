import plistlib

import pytest

from devices import hotpath, protocol, signals
from devices import services as device_services
from devices.models import Command, Enrollment, InstalledProfile, QueuedCommand
from devices.services import inventory_queue
from mdm_server.pki import cms
from profiles import services
from profiles.models import Assignment, Delivery, Profile
from tests.channels import bulk_create_channels
from tests.profiles.conftest import make_enrollment

pytestmark = pytest.mark.django_db

PASSCODE = services.PayloadInput(
    "com.apple.mobiledevice.passwordpolicy", {"minLength": 8, "allowSimple": False}
)
RESTRICTIONS = services.PayloadInput(
    "com.apple.applicationaccess", {"allowCamera": False, "allowScreenShot": True}
)
CLIP = services.PayloadInput("com.apple.webClip.managed", {"URL": "https://e.x", "Label": "E"})


def _profile(actor, *payloads, ue_mode=Profile.UserEnrollmentMode.SKIP, identifier="com.ex.p"):
    return services.create_profile(
        identifier=identifier,
        display_name="P",
        payloads=list(payloads) or [CLIP],
        actor=actor,
        ue_mode=ue_mode,
    )


def _report(enrollment: Enrollment, command_uuid: str, status: str = "Acknowledged", **extra):
    data = {"Status": status, "CommandUUID": command_uuid, "UDID": "x", **extra}
    body = plistlib.dumps(data)
    connect = hotpath.ConnectRow(enrollment=enrollment, queue_empty=False)
    device_services.handle_report(
        connect=connect, report=protocol.report_from_dict(data), body=body
    )


def _installed_payload_types(command: Command) -> list[str]:
    payload = plistlib.loads(bytes(command.body))["Command"]["Payload"]
    content = cms.verify_signed_data(payload).content
    return [p["PayloadType"] for p in plistlib.loads(content)["PayloadContent"]]


def test_create_profile_refuses_schema_errors_with_field_paths(admin_user) -> None:
    bad = services.PayloadInput("com.apple.mobiledevice.passwordpolicy", {"minLength": 99})
    with pytest.raises(services.ProfileError) as info:
        _profile(admin_user, CLIP, bad)
    assert info.value.fields == {"payloads[1].minLength": ["must be at most 16"]}
    assert not Profile.objects.exists()


def test_ue_report_differs_for_ios_and_macos(admin_user) -> None:
    profile = _profile(admin_user, PASSCODE, RESTRICTIONS)
    ios, macos = services.ue_report(profile)
    assert (ios.platform, macos.platform) == ("iOS", "macOS")
    # iOS: passcode allowed (keys ignored, the clamp spelled out), camera restriction forbidden.
    assert ios.outcome == "subset"
    passcode_ios = ios.payloads[0]
    assert passcode_ios.allowed
    assert set(passcode_ios.ignored_keys) == {"minLength", "allowSimple"}
    assert any("at least 6 characters" in note for note in passcode_ios.notes)
    assert "allowCamera" in ios.payloads[1].forbidden_keys
    # macOS: the passcode payload itself is not available under User Enrollment.
    passcode_mac = macos.payloads[0]
    assert not passcode_mac.allowed
    assert "macOS" in passcode_mac.reason and "passwordpolicy.yaml" in passcode_mac.rule
    json_report = services.ue_report_json(profile)
    assert json_report[1]["payloads"][0]["allowed"] is False


def test_fully_compatible_profile_installs_unchanged(admin_user) -> None:
    ios, macos = services.ue_report(_profile(admin_user, CLIP))
    assert ios.outcome == "installs"
    assert ios.payloads[0].forbidden_keys == {}
    # On macOS a web clip exists on the user channel only: a device-scope profile is refused.
    assert macos.outcome == "refused"
    user_scoped = _profile(admin_user, CLIP, identifier="com.ex.user")
    services.update_profile(user_scoped, actor=admin_user, scope=Profile.Scope.USER)
    user_scoped.refresh_from_db()
    assert [r.outcome for r in services.ue_report(user_scoped)] == ["installs", "installs"]


def test_assignment_queues_only_where_allowed_and_says_why(
    server_pki, admin_user, ue_ios, ue_macos, device_ios
) -> None:
    profile = _profile(admin_user, PASSCODE, RESTRICTIONS)
    outcome = services.assign_profile(
        profile=profile, actor=admin_user, enrollments=[ue_ios, ue_macos, device_ios]
    )
    assert outcome.installed.queued == [device_ios.pk]
    assert "allowCamera" in outcome.installed.skipped[ue_ios.pk]
    assert "not available under User Enrollment on macOS" in outcome.installed.skipped[ue_macos.pk]
    statuses = {d.enrollment_id: d for d in Delivery.objects.filter(profile=profile)}
    assert statuses[device_ios.pk].status == Delivery.Status.QUEUED
    assert statuses[ue_ios.pk].status == Delivery.Status.SKIPPED
    assert "allowCamera" in statuses[ue_ios.pk].reason
    assert QueuedCommand.objects.filter(enrollment=ue_ios).count() == 0


def test_subset_mode_sends_the_allowed_part_to_ue_devices(
    server_pki, admin_user, ue_ios, ue_macos, device_ios
) -> None:
    profile = _profile(
        admin_user, PASSCODE, RESTRICTIONS, ue_mode=Profile.UserEnrollmentMode.SUBSET
    )
    services.assign_profile(
        profile=profile, actor=admin_user, enrollments=[ue_ios, ue_macos, device_ios]
    )
    deliveries = {d.enrollment_id: d for d in Delivery.objects.filter(profile=profile)}
    assert set(deliveries) == {ue_ios.pk, ue_macos.pk, device_ios.pk}
    assert all(d.status == Delivery.Status.QUEUED for d in deliveries.values())
    assert not deliveries[device_ios.pk].partial
    assert deliveries[ue_ios.pk].partial and deliveries[ue_macos.pk].partial
    assert "at least 6 characters" in deliveries[ue_ios.pk].reason
    full = Command.objects.get(uuid=deliveries[device_ios.pk].command_uuid)
    mac = Command.objects.get(uuid=deliveries[ue_macos.pk].command_uuid)
    assert _installed_payload_types(full) == [
        "com.apple.mobiledevice.passwordpolicy",
        "com.apple.applicationaccess",
    ]
    # The macOS UE copy lost the passcode payload and is still properly signed.
    assert _installed_payload_types(mac) == ["com.apple.applicationaccess"]


def test_status_follows_results_and_profile_list(
    server_pki, admin_user, device_ios, django_capture_on_commit_callbacks
) -> None:
    profile = _profile(admin_user)
    services.assign_profile(profile=profile, actor=admin_user, enrollments=[device_ios])
    delivery = Delivery.objects.get(profile=profile, enrollment=device_ios)
    with django_capture_on_commit_callbacks(execute=True):
        _report(device_ios, delivery.command_uuid)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.INSTALLED
    # The device later reports a ProfileList without it: marked missing, then found again.
    services.reconcile_profile_list(enrollment_id=device_ios.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.MISSING
    InstalledProfile.objects.create(enrollment=device_ios, identifier=profile.identifier)
    services.reconcile_profile_list(enrollment_id=device_ios.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.INSTALLED


def test_failed_install_records_the_error_chain(
    server_pki, admin_user, device_ios, django_capture_on_commit_callbacks
) -> None:
    profile = _profile(admin_user)
    services.assign_profile(profile=profile, actor=admin_user, enrollments=[device_ios])
    delivery = Delivery.objects.get(profile=profile, enrollment=device_ios)
    chain = [
        {
            "ErrorCode": 4001,
            "ErrorDomain": "MCInstallationErrorDomain",
            "USEnglishDescription": "Profile cannot be installed",
        }
    ]
    with django_capture_on_commit_callbacks(execute=True):
        _report(device_ios, delivery.command_uuid, status="Error", ErrorChain=chain)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert "Profile cannot be installed" in delivery.reason
    assert delivery.error_chain[0]["ErrorCode"] == 4001


def test_version_change_reinstalls(server_pki, admin_user, device_ios) -> None:
    profile = _profile(admin_user)
    services.assign_profile(profile=profile, actor=admin_user, enrollments=[device_ios])
    first = Delivery.objects.get(profile=profile).command_uuid
    # Same content: no new version, nothing queued.
    services.update_profile(profile, actor=admin_user, display_name="P")
    profile.refresh_from_db()
    assert profile.version == 1
    assert Delivery.objects.get(profile=profile).command_uuid == first
    services.update_profile(profile, actor=admin_user, display_name="Renamed")
    profile.refresh_from_db()
    assert profile.version == 2
    delivery = Delivery.objects.get(profile=profile)
    assert delivery.version == 2 and delivery.command_uuid != first
    assert QueuedCommand.objects.filter(enrollment=device_ios).count() == 2


def test_unassign_removes_and_result_marks_removed(
    server_pki, admin_user, device_ios, django_capture_on_commit_callbacks
) -> None:
    profile = _profile(admin_user)
    services.assign_profile(profile=profile, actor=admin_user, enrollments=[device_ios])
    assignment = Assignment.objects.get(profile=profile)
    outcome = services.unassign_profile(assignment=assignment, actor=admin_user)
    assert outcome.removed == [device_ios.pk]
    delivery = Delivery.objects.get(profile=profile, enrollment=device_ios)
    assert delivery.status == Delivery.Status.REMOVING
    command = Command.objects.get(uuid=delivery.command_uuid)
    assert command.request_type == "RemoveProfile"
    assert plistlib.loads(bytes(command.body))["Command"]["Identifier"] == profile.identifier
    with django_capture_on_commit_callbacks(execute=True):
        _report(device_ios, delivery.command_uuid)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.REMOVED


def test_enrollment_type_assignment_installs_at_enrollment(
    server_pki, admin_user, django_capture_on_commit_callbacks
) -> None:
    profile = _profile(admin_user)
    services.assign_profile(
        profile=profile, actor=admin_user, enrollment_types=[Enrollment.Type.DEVICE]
    )
    new = make_enrollment(enrollment_type=Enrollment.Type.DEVICE)
    # Queued with the channel's first commands (in its first TokenUpdate's transaction).
    inventory_queue.queue_first_commands(enrollment=new)
    delivery = Delivery.objects.get(profile=profile, enrollment=new)
    assert delivery.status == Delivery.Status.QUEUED
    installs = QueuedCommand.objects.filter(enrollment=new, command__request_type="InstallProfile")
    assert [q.command.uuid for q in installs] == [delivery.command_uuid]
    # A later sync of the enrollment does not queue it again.
    assert services.sync_enrollment(enrollment=new) == []
    assert installs.count() == 1


def test_unknown_enrollment_type_is_refused(admin_user) -> None:
    profile = _profile(admin_user)
    with pytest.raises(services.ProfileError, match="Unknown enrollment type"):
        services.assign_profile(profile=profile, actor=admin_user, enrollment_types=["galaxy"])


def test_delete_profile_removes_it_from_devices(server_pki, admin_user, device_ios) -> None:
    profile = _profile(admin_user)
    services.assign_profile(profile=profile, actor=admin_user, enrollments=[device_ios])
    assert services.delete_profile(profile, actor=admin_user) == 1
    assert not Profile.objects.exists()
    assert QueuedCommand.objects.filter(
        enrollment=device_ios, command__request_type="RemoveProfile"
    ).exists()


def test_bulk_assignment_fans_out_one_command(
    server_pki, admin_user, django_assert_max_num_queries, django_capture_on_commit_callbacks
) -> None:
    bulk_create_channels([make_enrollment(save=False) for _ in range(1000)], batch_size=500)
    profile = _profile(admin_user)
    devices = Enrollment.objects.all()
    pushes: list[list[int]] = []

    def on_enqueued(sender, command, enrollment_ids, **kwargs) -> None:
        pushes.append(list(enrollment_ids))

    signals.commands_enqueued.connect(on_enqueued)
    try:
        with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(60):
            outcome = services.assign_profile(
                profile=profile, actor=admin_user, enrollments=devices
            )
    finally:
        signals.commands_enqueued.disconnect(on_enqueued)
    # One push batch for the whole assignment.
    assert len(pushes) == 1 and len(pushes[0]) == 1000
    assert len(outcome.installed.queued) == 1000
    assert Command.objects.filter(request_type="InstallProfile").count() == 1
    command = Command.objects.get(request_type="InstallProfile")
    assert QueuedCommand.objects.filter(command=command).count() == 1000
    assert command.target_count == 1000
    assert Delivery.objects.filter(profile=profile, status=Delivery.Status.QUEUED).count() == 1000


def test_profile_list_result_reconciles_status(
    server_pki, admin_user, device_ios, django_capture_on_commit_callbacks
) -> None:
    present = _profile(admin_user)
    gone = _profile(admin_user, CLIP, identifier="com.ex.gone")
    services.assign_profile(profile=present, actor=admin_user, enrollments=[device_ios])
    services.assign_profile(profile=gone, actor=admin_user, enrollments=[device_ios])
    with django_capture_on_commit_callbacks(execute=True):
        for delivery in Delivery.objects.filter(enrollment=device_ios):
            _report(device_ios, delivery.command_uuid)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"installed"}
    # The device's ProfileList (stored by the devices app) shows only one of them.
    listing = device_services.enqueue_command(enrollments=[device_ios], request_type="ProfileList")
    items = [{"PayloadIdentifier": present.identifier, "PayloadUUID": present.uuid}]
    with django_capture_on_commit_callbacks(execute=True):
        _report(device_ios, listing.command.uuid, ProfileList=items)
    statuses = dict(Delivery.objects.values_list("profile__identifier", "status"))
    assert statuses == {present.identifier: "installed", gone.identifier: "missing"}


def test_checkout_marks_profiles_removed(server_pki, admin_user, device_ios) -> None:
    profile = _profile(admin_user)
    services.assign_profile(profile=profile, actor=admin_user, enrollments=[device_ios])
    signals.enrollment_checked_out.send(sender=Enrollment, enrollment=device_ios)
    delivery = Delivery.objects.get(profile=profile, enrollment=device_ios)
    assert delivery.status == Delivery.Status.REMOVED
    assert delivery.reason == "the device unenrolled"


def test_a_profile_list_changes_only_the_deliveries_it_contradicts(
    server_pki, admin_user, device_ios, django_assert_num_queries
) -> None:
    states = {
        "com.ex.installed-reported": Delivery.Status.INSTALLED,
        "com.ex.installed-gone": Delivery.Status.INSTALLED,
        "com.ex.missing-back": Delivery.Status.MISSING,
        "com.ex.missing-still": Delivery.Status.MISSING,
        "com.ex.removing-done": Delivery.Status.REMOVING,
        "com.ex.removing-still": Delivery.Status.REMOVING,
        "com.ex.failed-gone": Delivery.Status.FAILED,
    }
    for identifier, status in states.items():
        profile = _profile(admin_user, identifier=identifier)
        Delivery.objects.create(
            profile=profile, enrollment=device_ios, status=status, reason="before"
        )
    for identifier in ("com.ex.installed-reported", "com.ex.missing-back", "com.ex.removing-still"):
        InstalledProfile.objects.create(enrollment=device_ios, identifier=identifier)
    before = dict(Delivery.objects.values_list("profile__identifier", "updated_at"))
    # The statement compiled once reads what the ORM's QuerySet reads.
    prepared = services._CONTRADICTED.all(device_ios.pk)
    assert len(prepared) == 3
    assert sorted(prepared) == sorted(services._contradicted(device_ios.pk))

    assert services.reconcile_profile_list(enrollment_id=device_ios.pk) == 3

    after = {
        d.profile.identifier: (d.status, d.reason)
        for d in Delivery.objects.select_related("profile")
    }
    assert after == {
        "com.ex.installed-reported": (Delivery.Status.INSTALLED, "before"),
        "com.ex.installed-gone": (Delivery.Status.MISSING, "not in the device's ProfileList"),
        "com.ex.missing-back": (Delivery.Status.INSTALLED, "reported by ProfileList"),
        "com.ex.missing-still": (Delivery.Status.MISSING, "before"),
        "com.ex.removing-done": (Delivery.Status.REMOVED, "absent from ProfileList"),
        "com.ex.removing-still": (Delivery.Status.REMOVING, "before"),
        "com.ex.failed-gone": (Delivery.Status.FAILED, "before"),
    }
    moved = {
        identifier
        for identifier, stamp in Delivery.objects.values_list("profile__identifier", "updated_at")
        if stamp != before[identifier]
    }
    assert moved == {"com.ex.installed-gone", "com.ex.missing-back", "com.ex.removing-done"}
    # A list that contradicts nothing: one statement, however many deliveries there are.
    with django_assert_num_queries(1):
        assert services.reconcile_profile_list(enrollment_id=device_ios.pk) == 0


def test_a_profile_list_result_that_contradicts_nothing_opens_no_transaction(
    server_pki, admin_user, device_ios, django_assert_num_queries
) -> None:
    """Every ProfileList result is compared with the deliveries (one statement, usually finding
    nothing to change): a transaction is opened only for what it then writes."""
    profile = _profile(admin_user, identifier="com.ex.reported")
    Delivery.objects.create(
        profile=profile, enrollment=device_ios, status=Delivery.Status.INSTALLED
    )
    InstalledProfile.objects.create(enrollment=device_ios, identifier="com.ex.reported")
    result = QueuedCommand(
        enrollment_id=device_ios.pk,
        status=QueuedCommand.Status.ACKNOWLEDGED,
        command=Command(request_type="ProfileList"),
    )
    with django_assert_num_queries(1):  # no SAVEPOINT and RELEASE around it either
        assert services.record_command_result(delivery=result) == 0
    InstalledProfile.objects.all().delete()
    with django_assert_num_queries(4):  # the read, then the update in its own savepoint
        assert services.record_command_result(delivery=result) == 1
    assert Delivery.objects.get().status == Delivery.Status.MISSING
