"""The pure rules: licence kind per enrollment, variables, install parameters, backoff."""

from __future__ import annotations

from datetime import timedelta

import pytest

from devices import commands
from devices.managed_apps import rules

ANN = rules.Person(
    enrollment_type="user",
    managed_apple_id="ann@appleid.example.com",
    email="ann@example.com",
    username="ann",
    full_name="Ann Example",
    device_name="Ann's iPhone",
)


@pytest.mark.parametrize(
    ("person", "assignable", "expected"),
    [
        (ANN, False, rules.USER),
        (rules.Person("device", serial_number="F2L"), True, rules.DEVICE),
        (rules.Person("ade", serial_number="F2L"), True, rules.DEVICE),
    ],
)
def test_licence_kind(person: rules.Person, assignable: bool, expected: str) -> None:
    assert rules.licence_kind(person, device_assignable=assignable) == expected


@pytest.mark.parametrize(
    ("person", "assignable", "words"),
    [
        (rules.Person("user"), True, "no Managed Apple Account"),
        (rules.Person("device", serial_number="F2L"), False, "cannot be assigned to devices"),
        (rules.Person("device"), True, "serial number"),
    ],
)
def test_no_licence_possible(person: rules.Person, assignable: bool, words: str) -> None:
    with pytest.raises(rules.LicenceProblem, match=words):
        rules.licence_kind(person, device_assignable=assignable)


def test_variables_are_substituted_at_any_depth() -> None:
    config = {"a": "${EMAIL}", "b": ["${FULL_NAME} on ${DEVICE_NAME}", 3], "c": {"d": "${X}"}}
    assert rules.substitute(config, ANN) == {
        "a": "ann@example.com",
        "b": ["Ann Example on Ann's iPhone", 3],
        "c": {"d": "${X}"},
    }
    assert rules.unknown_variables(config) == ["X"]


def test_install_params_build_an_install_command() -> None:
    params = rules.install_params(
        rules.AppRef(adam_id="361309726"),
        configuration={"user": "${MANAGED_APPLE_ID}"},
        vpn_uuid="VPN-1",
        associated_domains=("applinks:example.com",),
        removable=False,
        person=ANN,
    )
    command = commands.build_command("InstallApplication", params)
    assert command == {
        "iTunesStoreID": 361309726,
        "Configuration": {"user": "ann@appleid.example.com"},
        "Attributes": {
            "VPNUUID": "VPN-1",
            "AssociatedDomains": ["applinks:example.com"],
            "Removable": False,
        },
        "Options": {"PurchaseMethod": 1},
        "ManagementFlags": 1,
    }


def test_a_manifest_app_has_no_purchase_method() -> None:
    params = rules.install_params(
        rules.AppRef(manifest_url="https://apps.example.com/lob.plist"),
        configuration=None,
        person=ANN,
    )
    command = commands.build_command("InstallApplication", params)
    assert command == {"ManifestURL": "https://apps.example.com/lob.plist", "ManagementFlags": 1}


@pytest.mark.parametrize(
    "attributes", [{"Nope": 1}, {"VPNUUID": 3}, {"AssociatedDomains": [1]}, {"Removable": "no"}]
)
def test_bad_attributes_are_refused(attributes: dict[str, object]) -> None:
    with pytest.raises(commands.CommandInputError, match="Attributes"):
        commands.build_command("InstallApplication", {"iTunesStoreID": 1, "Attributes": attributes})


def test_backoff_doubles_and_is_capped() -> None:
    assert [rules.backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert rules.backoff(30) == timedelta(hours=6)


@pytest.mark.parametrize(
    ("configuration", "words"),
    [
        ({"a": None}, "a is null"),
        ({"a": [1, {"b": None}]}, r"a\[1\].b is null"),
        ({"a": 2**70}, "too large"),
    ],
)
def test_configuration_must_fit_a_property_list(
    configuration: dict[str, object], words: str
) -> None:
    with pytest.raises(commands.CommandInputError, match=words):
        commands.build_command(
            "InstallApplication", {"iTunesStoreID": 1, "Configuration": configuration}
        )
