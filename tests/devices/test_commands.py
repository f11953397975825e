"""The command registry: one module per command, parameters validated by each command's
serializer, forms and API generated from it, the User-Enrollment decision read from the table."""

from __future__ import annotations

import importlib
import pkgutil
import plistlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import User
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from devices import capabilities, capability_table, commands, services
from devices.console import command_form_class
from devices.models import Device, Enrollment
from devices.services.inventory_queue import inventory_commands
from mdm_server import api_tokens
from mdm_server.pki import cms
from mdm_server.pki.services import active_identity
from tests.devices._rows import enrolled, later_commands
from tests.simulator import SimulatedDevice

MakeDevice = Callable[..., SimulatedDevice]
ROOT = Path(__file__).resolve().parents[2]
APPS = ("devices", "profiles", "enrollment", "apns", "directory", "mdm_server")


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


# --- one module per command --------------------------------------------------------------------


def test_each_module_of_the_package_is_one_registered_command() -> None:
    found = {}
    for info in pkgutil.iter_modules(commands.__path__):
        module = importlib.import_module(f"devices.commands.{info.name}")
        spec = getattr(module, "COMMAND", None)
        if spec is None:
            assert info.name == "base", f"{info.name} defines no COMMAND"
            continue
        found[spec.name] = module.__name__
        assert info.name == _snake(spec.name), (info.name, spec.name)
    assert found == commands.MODULES
    assert list(commands.REGISTRY) == sorted(
        commands.REGISTRY, key=lambda n: commands.REGISTRY[n].menu_order
    )
    assert len({s.menu_order for s in commands.REGISTRY.values()}) == len(commands.REGISTRY)


@pytest.mark.parametrize("name", sorted(commands.REGISTRY))
def test_each_command_is_a_request_type_of_the_table_and_cites_its_file(name: str) -> None:
    spec = commands.REGISTRY[name]
    assert spec.request_type in capabilities.known_request_types()
    source = capability_table.COMMANDS[spec.request_type]["file"]
    assert source in (importlib.import_module(commands.MODULES[name]).__doc__ or "")


def _queued_request_types() -> set[str]:
    """Every RequestType the server's code queues by name (`request_type="..."`)."""
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found |= set(re.findall(r'request_type="([A-Za-z]+)"', path.read_text()))
    return found


def test_every_request_type_the_server_sends_has_a_module() -> None:
    sent = _queued_request_types() | {name for name, _ in inventory_commands(user_enrollment=True)}
    # The scan finds the ones this test knows the code to send (it is not reading nothing).
    assert {"DeviceConfigured", "DeclarativeManagement", "RemoveApplication"} <= sent
    assert sent <= set(commands.REGISTRY), sent - set(commands.REGISTRY)
    with pytest.raises(commands.CommandInputError, match="unknown command"):
        commands.get_spec("ActivationLockBypassCode")  # in the table, not supported here


# --- result handling ------------------------------------------------------------------------------


def test_results_that_change_the_inventory_are_handled_by_their_command_module() -> None:
    handled = {s.request_type for s in commands.REGISTRY.values() if s.on_result is not None}
    assert handled == {
        "DeviceInformation", "ProfileList", "CertificateList",
        "InstalledApplicationList", "ManagedApplicationList",
    }  # fmt: skip
    # Device columns only: stored with the result, by one statement on PostgreSQL.
    by_fields = {
        s.request_type for s in commands.REGISTRY.values() if s.on_result_fields is not None
    }
    assert by_fields == {"SecurityInfo"}


@pytest.mark.django_db
def test_handle_result_runs_the_modules_handler(make_device: MakeDevice) -> None:
    _, enrollment = enrolled(make_device, platform="iOS", user_enrollment=False)
    info = {"PasscodePresent": True, "HardwareEncryptionCaps": 3}
    assert commands.handle_result(enrollment, "SecurityInfo", {"SecurityInfo": info}) == {"keys": 2}
    enrollment.refresh_from_db()
    assert enrollment.device.security_info == info
    assert commands.handle_result(enrollment, "RestartDevice", {"Status": "Acknowledged"}) == {}


@pytest.mark.django_db
def test_result_fields_set_device_columns_without_writing(make_device: MakeDevice) -> None:
    _, enrollment = enrolled(make_device, platform="iOS", user_enrollment=False)
    before = enrollment.device.security_info
    info = {"PasscodePresent": False}
    change = commands.result_fields(enrollment, "SecurityInfo", {"SecurityInfo": info})
    assert change is not None and change.fields == ("security_info",)
    assert change.summary == {"keys": 1} and enrollment.device.security_info == info
    enrollment.device.refresh_from_db()
    assert enrollment.device.security_info == before != info  # the services write it
    # A handler that writes rows of its own is not one of them.
    assert commands.result_fields(enrollment, "ProfileList", {"ProfileList": []}) is None
    assert commands.result_fields(enrollment, "RestartDevice", {}) == commands.DeviceFields(
        fields=(), summary={}
    )


# --- the User-Enrollment decision is the table's -------------------------------------------------

UE_TARGETS = {
    "iOS": capabilities.Target(platform="iOS", os_version="18.0", enrollment_type="user"),
    "macOS": capabilities.Target(platform="macOS", os_version="15.0", enrollment_type="user"),
}


@pytest.mark.parametrize("platform", sorted(UE_TARGETS))
@pytest.mark.parametrize("name", sorted(commands.REGISTRY))
def test_user_enrollment_decision_is_read_from_the_table(name: str, platform: str) -> None:
    spec = commands.REGISTRY[name]
    rule = capability_table.COMMANDS[spec.request_type]["os"][platform]
    decision = spec.decide(UE_TARGETS[platform])
    assert decision == capabilities.check_command(spec.request_type, UE_TARGETS[platform])
    if rule.get("userenrollment") == "forbidden":
        assert not decision.allowed
        assert "userenrollment" in decision.rule
        assert capability_table.COMMANDS[spec.request_type]["file"] in decision.rule
    elif rule.get("supported") is not False and not rule.get("supervised"):
        assert decision.allowed, decision.reason


def test_the_table_forbids_some_registered_commands_to_user_enrollment() -> None:
    """The decision test above checks both branches (a table change cannot hollow it out)."""
    forbidden = {
        name
        for name, spec in commands.REGISTRY.items()
        if capability_table.COMMANDS[spec.request_type]["os"]["iOS"].get("userenrollment")
        == "forbidden"
    }
    assert {"EraseDevice", "ClearPasscode", "RestartDevice"} <= forbidden
    assert "ProfileList" not in forbidden


# --- parameters: DRF serializers per command ------------------------------------------------------

GOOD: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("DeviceInformation", {}, {}),
    ("DeviceInformation", {"Queries": "DeviceName, OSVersion"}, {"Queries": ["DeviceName", "OSVersion"]}),
    ("RemoveProfile", {"Identifier": "com.example.p"}, {"Identifier": "com.example.p"}),
    ("InstalledApplicationList", {"ManagedAppsOnly": "true"}, {"ManagedAppsOnly": True}),
    ("CertificateList", {"ManagedOnly": False}, {"ManagedOnly": False}),
    ("DeviceLock", {"Message": "Hi", "PIN": "123456", "PhoneNumber": ""}, {"Message": "Hi", "PIN": "123456"}),
    ("EnableLostMode", {"PhoneNumber": "+33 1"}, {"PhoneNumber": "+33 1"}),
    ("ScheduleOSUpdate", {}, {"Updates": [{"InstallAction": "Default"}]}),
    (
        "ScheduleOSUpdate",
        {"ProductKey": "MSU_X", "InstallAction": "InstallASAP"},
        {"Updates": [{"InstallAction": "InstallASAP", "ProductKey": "MSU_X"}]},
    ),
    ("Settings", {"Settings": [{"Item": "Bluetooth", "Enabled": True}]}, {"Settings": [{"Item": "Bluetooth", "Enabled": True}]}),
    ("DeclarativeManagement", {"Data": b"{}"}, {"Data": b"{}"}),
    (
        "InstallApplication",
        {"iTunesStoreID": "361309726"},
        {"iTunesStoreID": 361309726, "Options": {"PurchaseMethod": 1}, "ManagementFlags": 1},
    ),
    (
        "InstallApplication",
        {"ManifestURL": "https://apps.example.com/a.plist"},
        {"ManifestURL": "https://apps.example.com/a.plist", "ManagementFlags": 1},
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "params", "payload"), GOOD, ids=[f"{g[0]}-{i}" for i, g in enumerate(GOOD)]
)
def test_valid_parameters_build_the_command(
    name: str, params: dict[str, Any], payload: dict[str, Any]
) -> None:
    assert commands.build_command(name, params) == payload


BAD: list[tuple[str, dict[str, Any], str, str]] = [
    ("RemoveProfile", {}, "Identifier", "is required"),
    ("RemoveProfile", {"Identifier": 5}, "Identifier", "must be text"),
    ("DeviceLock", {"PIN": "1234567"}, "PIN", "longer than 6"),
    ("DeviceLock", {"Pin": "123456"}, "Pin", "unknown parameter"),
    ("EraseDevice", {"PreserveDataPlan": "maybe"}, "PreserveDataPlan", "true or false"),
    ("InstallProfile", {}, "Payload", "is required"),
    ("InstallProfile", {"Payload": "text"}, "Payload", "binary data"),
    ("InstallApplication", {"iTunesStoreID": True}, "iTunesStoreID", "whole number"),
    ("InstallApplication", {"iTunesStoreID": 2**64}, "iTunesStoreID", "too large"),
    ("InstallApplication", {"iTunesStoreID": 1, "Identifier": "a"}, "iTunesStoreID", "exactly one"),
    ("InstallApplication", {"ManifestURL": "http://x"}, "ManifestURL", "https://"),
    ("InstallApplication", {"Identifier": "a", "Configuration": "k=v"}, "Configuration", "dictionary"),
    ("InstallApplication", {"Identifier": "a", "Configuration": {"k": None}}, "Configuration", "null"),
    ("InstalledApplicationList", {"Identifiers": [1]}, "Identifiers", "list of text"),
    ("EnableLostMode", {"Footnote": "x"}, "Message", "message or a phone number"),
    ("ScheduleOSUpdate", {"InstallAction": "Now"}, "InstallAction", "must be one of Default"),
    ("Settings", {}, "Settings", "non-empty list"),
    ("Settings", {"Settings": [{"Enabled": True}]}, "Settings", "Item name"),
    ("Settings", {"Settings": ["Bluetooth"]}, "Settings", "list of dictionaries"),
    ("Settings", {"Settings": [{"Item": "Bluetooth", "Enabled": None}]}, "Settings", "Settings[0].Enabled is null"),
    ("ClearPasscode", {"Anything": 1}, "Anything", "unknown parameter"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "params", "field", "words"), BAD, ids=[f"{b[0]}-{b[2]}-{i}" for i, b in enumerate(BAD)]
)
def test_invalid_parameters_name_the_field(
    name: str, params: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(commands.CommandInputError) as info:
        commands.build_command(name, params)
    assert info.value.field == field
    assert words in info.value.message


def test_unenroll_takes_nothing_from_the_admin_and_the_url_from_the_queue() -> None:
    with pytest.raises(commands.CommandInputError, match="public_url"):
        commands.build_command("Unenroll")
    built = commands.build_command("Unenroll", public_url="https://mdm.example.com/")
    assert built == {"Identifier": "com.example.mdm.enrollment"}
    with pytest.raises(commands.CommandInputError, match="unknown parameter"):
        commands.build_command("Unenroll", {"Identifier": "com.other"}, public_url="https://a.b")


# --- what each command knows, the queue service asks it ------------------------------------------

DE_IOS = capabilities.Target(platform="iOS", os_version="18.0", enrollment_type="device")


def test_device_information_without_queries_asks_each_device_every_key_it_may_be_asked() -> None:
    spec = commands.REGISTRY["DeviceInformation"]
    built = spec.build_payload({})
    assert built == {}
    for target in (UE_TARGETS["iOS"], DE_IOS):
        queries = spec.body_for(built, target)["Queries"]
        expected = capabilities.allowed_query_keys("DeviceInformation", target)
        assert queries == sorted(expected) and queries
    assert "UDID" not in spec.body_for(built, UE_TARGETS["iOS"])["Queries"]
    assert "UDID" in spec.body_for(built, DE_IOS)["Queries"]


def test_device_information_keeps_the_admins_queries_sorted_for_every_device() -> None:
    spec = commands.REGISTRY["DeviceInformation"]
    built = spec.build_payload({"Queries": ["OSVersion", "DeviceName"]})
    assert built == {"Queries": ["DeviceName", "OSVersion"]}
    assert spec.body_for(built, UE_TARGETS["iOS"]) == built


def test_a_command_without_a_target_hook_is_the_same_for_every_device() -> None:
    spec = commands.REGISTRY["ProfileList"]
    built = spec.build_payload({})
    assert spec.for_target is None
    assert spec.body_for(built, UE_TARGETS["iOS"]) is built


def test_the_queue_service_names_no_command() -> None:
    # What a command needs per device (DeviceInformation's queries, InstallProfile's profile,
    # Unenroll's ending) is its module's: the services ask the spec, never compare names.
    for module in ("devices/services/queue.py", "devices/services/connect.py"):
        source = (ROOT / module).read_text()
        for spec in commands.REGISTRY.values():
            for name in {spec.name, spec.request_type}:
                assert f'"{name}"' not in source, (module, name)


def test_install_profile_names_the_key_of_its_profile_and_unenroll_ends_the_enrollment() -> None:
    assert commands.REGISTRY["InstallProfile"].profile_key == "Payload"
    assert {n for n, s in commands.REGISTRY.items() if s.profile_key} == {"InstallProfile"}
    assert sorted(commands.ENDS_ENROLLMENT) == ["Unenroll"]


@pytest.mark.django_db
def test_an_unenroll_is_known_by_its_command_not_by_its_console_copy(
    make_device: MakeDevice,
) -> None:
    from devices import selectors
    from devices.models import Command

    device, enrollment = enrolled(make_device, platform="iOS", user_enrollment=False)
    device.run()
    # A RemoveProfile whose console copy claims to be an Unenroll ends nothing.
    other = services.enqueue_command(
        enrollments=[enrollment], request_type="RemoveProfile", payload={"Identifier": "com.ex.p"}
    ).command
    assert other is not None and other.spec == "RemoveProfile"
    Command.objects.filter(pk=other.pk).update(display={"name": "Unenroll", "title": "Unenroll"})
    assert not selectors.unenroll_pending(enrollment)
    assert [r.request_type for r in device.run()] == ["RemoveProfile"]
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED
    # The Unenroll is recognised by what it is, whatever its console copy says.
    unenroll = services.enqueue_command(enrollments=[enrollment], request_type="Unenroll").command
    assert unenroll is not None and unenroll.spec == "Unenroll"
    Command.objects.filter(pk=unenroll.pk).update(display={})
    assert selectors.unenroll_pending(enrollment)
    assert [r.request_type for r in device.run()] == ["RemoveProfile"]
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.UNENROLLED


@pytest.mark.django_db
def test_an_unenroll_stored_without_its_registry_name_still_ends_the_enrollment(
    make_device: MakeDevice,
) -> None:
    """During an upgrade, servers older than `Command.spec` keep queueing while the migration
    has run: their rows get the column's default (""). An Unenroll among them, acknowledged
    after the upgrade, must still end the enrollment (the device removed its profile and will
    not check in again); its console copy is all that names it. A RemoveProfile stays one."""
    from devices.models import Command

    device, enrollment = enrolled(make_device, platform="iOS", user_enrollment=False)
    device.run()
    other = services.enqueue_command(
        enrollments=[enrollment], request_type="RemoveProfile", payload={"Identifier": "com.ex.p"}
    ).command
    assert other is not None
    Command.objects.filter(pk=other.pk).update(spec="")
    assert [r.request_type for r in device.run()] == ["RemoveProfile"]
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ENROLLED
    unenroll = services.enqueue_command(enrollments=[enrollment], request_type="Unenroll").command
    assert unenroll is not None
    Command.objects.filter(pk=unenroll.pk).update(spec="")
    assert [r.request_type for r in device.run()] == ["RemoveProfile"]
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.UNENROLLED


def test_an_unenroll_stored_without_its_registry_name_counts_as_pending(
    make_device: MakeDevice,
) -> None:
    """The same rows while they wait: the privacy page says removal is pending and the owner's
    request is not queued twice; a RemoveProfile stored the same way is not an Unenroll."""
    from devices import selectors
    from devices.models import Command
    from devices.services import owner
    from directory.models import DirectoryUser, IdentitySource

    _, enrollment = enrolled(make_device, platform="iOS", user_enrollment=True)
    source = IdentitySource.objects.create(name="Local", kind=IdentitySource.Kind.LOCAL)
    person = DirectoryUser.objects.create(source=source, external_id="o", username="owner")
    Device.objects.filter(pk=enrollment.device_id).update(directory_user=person)
    other = services.enqueue_command(
        enrollments=[enrollment], request_type="RemoveProfile", payload={"Identifier": "com.ex.p"}
    ).command
    assert other is not None
    Command.objects.filter(pk=other.pk).update(spec="")
    assert not selectors.unenroll_pending(enrollment)
    unenroll = services.enqueue_command(enrollments=[enrollment], request_type="Unenroll").command
    assert unenroll is not None
    Command.objects.filter(pk=unenroll.pk).update(spec="")
    assert selectors.unenroll_pending(enrollment)
    outcome = owner.remove_management(
        directory_user_id=person.pk, public_id=str(enrollment.public_id), person="owner"
    )
    assert outcome == "already requested"


def test_parameter_descriptions_come_from_the_serializers() -> None:
    (product, action) = commands.REGISTRY["ScheduleOSUpdate"].params
    assert (product.name, product.kind, product.required) == ("ProductKey", "str", False)
    assert action.choices == (
        "Default",
        "DownloadOnly",
        "InstallASAP",
        "NotifyOnly",
        "InstallLater",
    )
    (payload,) = commands.REGISTRY["InstallProfile"].params
    assert (payload.kind, payload.required) == ("data", True)
    pin = next(p for p in commands.REGISTRY["DeviceLock"].params if p.name == "PIN")
    assert pin.max_length == 6


# --- console and API are generated from the registry ---------------------------------------------


def test_console_form_is_generated_from_the_command() -> None:
    form = command_form_class(commands.REGISTRY["ScheduleOSUpdate"])()
    install = form.fields["InstallAction"]
    assert isinstance(install, forms.ChoiceField)
    assert [c for c, _ in install.choices] == [
        "",
        *commands.REGISTRY["ScheduleOSUpdate"].params[1].choices,
    ]
    lock = command_form_class(commands.REGISTRY["DeviceLock"])()
    assert set(lock.fields) == {"Message", "PhoneNumber", "PIN", "confirm"}
    assert lock.fields["PIN"].max_length == 6
    assert set(command_form_class(commands.REGISTRY["SecurityInfo"])().fields) == set()


def _api(user: User) -> APIClient:
    client = APIClient()
    key = api_tokens.create_api_token(user=user, actor=None).key
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.django_db
def test_api_command_types_are_the_registry(admin_user: User) -> None:
    rows = _api(admin_user).get("/api/v1/command-types/").json()
    assert [r["name"] for r in rows] == list(commands.REGISTRY)
    update = next(r for r in rows if r["name"] == "ScheduleOSUpdate")
    assert update["params"][1] == {
        "name": "InstallAction",
        "kind": "str",
        "required": False,
        "help": "",
        "choices": ["Default", "DownloadOnly", "InstallASAP", "NotifyOnly", "InstallLater"],
    }


def test_api_schema_gives_each_commands_parameters() -> None:
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    listed = {ref["$ref"].rsplit("/", 1)[1] for ref in schemas["CommandParams"]["oneOf"]}
    with_params = {spec.params_class.__name__ for spec in commands.REGISTRY.values() if spec.params}
    assert listed == with_params
    lock = schemas["DeviceLockParams"]["properties"]
    assert lock["PIN"] == {"type": "string", "maxLength": 6}
    assert schemas["InstallProfileParams"]["properties"]["Payload"]["format"] == "byte"
    assert schemas["InstallProfileParams"]["required"] == ["Payload"]
    action = schemas["ScheduleOSUpdateParams"]["properties"]["InstallAction"]
    enum = schemas[action["$ref"].rsplit("/", 1)[1]]["enum"]
    assert enum == list(commands.REGISTRY["ScheduleOSUpdate"].params[1].choices)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"params": {}, "priority": 99}, "priority"),
        ({"params": {"Identifier": "com.example.p", "Force": True}}, "params"),
    ],
    ids=["top-level", "params"],
)
def test_api_refuses_unknown_fields_with_400(
    make_device: MakeDevice, admin_user: User, body: dict[str, Any], field: str
) -> None:
    _, enrollment = enrolled(make_device, platform="iOS")
    response = _api(admin_user).post(
        "/api/v1/commands/",
        {"command": "RemoveProfile", "devices": [str(enrollment.public_id)], **body},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["fields"]
    assert "priority" in str(error) or "Force" in str(error)
    assert not later_commands().exists()


@pytest.mark.django_db
def test_service_refuses_unknown_parameters(make_device: MakeDevice) -> None:
    _, enrollment = enrolled(make_device, platform="iOS")
    with pytest.raises(commands.CommandInputError, match="unknown parameter") as info:
        services.enqueue_command(
            enrollments=[enrollment], request_type="SecurityInfo", payload={"Queries": ["x"]}
        )
    assert info.value.field == "Queries"
    assert not later_commands().exists()


@pytest.mark.django_db
def test_api_refuses_a_command_forbidden_for_user_enrollment_with_the_tables_reason(
    make_device: MakeDevice, admin_user: User
) -> None:
    _, ue = enrolled(make_device, platform="iOS", user_enrollment=True)
    target = services.target_for(ue)
    assert target is not None
    expected = commands.REGISTRY["EraseDevice"].decide(target)
    assert not expected.allowed and "User Enrollment" in expected.reason
    response = _api(admin_user).post(
        "/api/v1/commands/",
        {"command": "EraseDevice", "devices": [str(ue.public_id)], "confirm": True},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "refused"
    assert error["refused"] == {str(ue.public_id): expected.reason}
    assert not later_commands().exists()


# --- a profile trimmed for a User Enrollment is signed again by the PKI --------------------------

MIXED = {
    "PayloadType": "Configuration",
    "PayloadIdentifier": "com.example.mixed",
    "PayloadUUID": "CCCCCCCC-0000-0000-0000-000000000001",
    "PayloadVersion": 1,
    "PayloadContent": [
        {
            "PayloadType": "com.apple.applicationaccess",
            "PayloadIdentifier": "com.example.mixed.restrictions",
            "PayloadUUID": "CCCCCCCC-0000-0000-0000-000000000002",
            "PayloadVersion": 1,
            "allowScreenShot": False,
            "allowCamera": False,
        },
    ],
}


@pytest.mark.django_db
def test_trimmed_profile_is_signed_with_the_servers_signing_identity(
    make_device: MakeDevice,
) -> None:
    _, ue = enrolled(make_device, platform="iOS", user_enrollment=True)
    _, company = enrolled(make_device, platform="iOS", user_enrollment=False)
    result = services.enqueue_command(
        enrollments=Enrollment.objects.filter(pk__in=[ue.pk, company.pk]),
        request_type="InstallProfile",
        payload={"Payload": plistlib.dumps(MIXED)},
        strip_forbidden=True,
    )
    assert sorted(result.queued) == sorted([ue.pk, company.pk])
    bodies = {c.pk: plistlib.loads(bytes(c.body))["Command"]["Payload"] for c in result.commands}
    assert len(bodies) == 2  # the company device gets the profile as given
    signed = [b for b in bodies.values() if not b.startswith(b"<?xml")]
    (trimmed,) = signed
    verified = cms.verify_signed_data(trimmed)
    assert verified.signer == active_identity("signing").certificate
    restrictions = plistlib.loads(verified.content)["PayloadContent"][0]
    assert "allowCamera" not in restrictions
    assert restrictions["allowScreenShot"] is False
    assert plistlib.dumps(MIXED) in bodies.values()
