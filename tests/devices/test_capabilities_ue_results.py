"""What a User Enrollment's command result keeps (devices.capabilities.user_enrollment_result).

No database. Real devices' results keep everything Apple allows them to tell; a value of
another shape than Apple's schema describes is dropped whole, and the log says where and how
many without repeating what the device sent.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from devices.capabilities import (
    UNKNOWN_KEYS,
    EnrollmentType,
    Platform,
    Target,
    user_enrollment_result,
)
from devices.capabilities import _places as _places  # the log's list of places

UE_IOS = Target(Platform.IOS, "18.1", EnrollmentType.USER)
UE_MAC = Target(Platform.MACOS, "15.1", EnrollmentType.USER)
COMPANY_IOS = Target(Platform.IOS, "18.1", EnrollmentType.ADE, supervised=True)
ENVELOPE = {
    "CommandUUID": "0E752469-34C1-4C35-92A2-536F0A10E893",
    "Status": "Acknowledged",
    "EnrollmentID": "712C210B-BADB-4B21-9FB9-B3F12CE35A5C",
}
SERIAL = "F2LXK0LZKXKN"
DER = b"0\x82\x03\x1e0\x82\x02\x06\xa0\x03\x02\x01\x02\x02\x14certificate"

# As iPhones and Macs under User Enrollment answer (only what Apple lets them tell).
REAL_RESULTS: list[tuple[str, Target, dict[str, Any]]] = [
    (
        "InstalledApplicationList",
        UE_IOS,
        {
            "InstalledApplicationList": [
                {
                    "Identifier": "com.microsoft.Office.Outlook",
                    "Name": "Microsoft Outlook",
                    "ShortVersion": "4.2447.0",
                    "Version": "4.2447.0",
                    "BundleSize": 312_475_648,
                    "DynamicSize": 98_304_000,
                    "ExternalVersionIdentifier": 869_312_004,
                    "IsValidated": True,
                    "AppStoreVendable": True,
                    "DeviceBasedVPP": False,
                    "BetaApp": False,
                    "AdHocCodeSigned": False,
                    "HasUpdateAvailable": False,
                    "Installing": False,
                },
                {"Identifier": "com.example.work", "Name": "Work", "Version": "3"},
            ]
        },
    ),
    (
        "ProfileList",
        UE_IOS,
        {
            "ProfileList": [
                {
                    "PayloadIdentifier": "com.example.mdm",
                    "PayloadUUID": "5B8B1C2E-0B6B-4C7B-9A8E-2D2F1C3A4B5C",
                    "PayloadDisplayName": "Work",
                    "PayloadDescription": "Work account",
                    "PayloadOrganization": "Example Corp",
                    "PayloadVersion": 1,
                    "PayloadRemovalDisallowed": False,
                    "HasRemovalPasscode": False,
                    "IsEncrypted": False,
                    "IsManaged": True,
                    "SignerCertificates": [DER],
                    "PayloadContent": [
                        {
                            "PayloadType": "com.apple.mdm",
                            "PayloadIdentifier": "com.example.mdm.1",
                            "PayloadUUID": "5B8B1C2E-0B6B-4C7B-9A8E-2D2F1C3A4B5D",
                            "PayloadVersion": 1,
                            "PayloadDisplayName": "MDM",
                        },
                        {"PayloadType": "com.apple.security.scep", "PayloadVersion": 1},
                    ],
                },
                {"PayloadIdentifier": "com.example.wifi", "IsManaged": True, "PayloadContent": []},
            ]
        },
    ),
    (
        "CertificateList",
        UE_IOS,
        {
            "CertificateList": [
                {"CommonName": "mdm-identity", "Data": DER, "IsIdentity": True},
                {"CommonName": "Example Corp Root CA", "Data": DER, "IsIdentity": False},
            ]
        },
    ),
    (
        "ManagedApplicationList",
        UE_IOS,
        {
            "ManagedApplicationList": {
                "com.example.work": {
                    "Status": "Managed",
                    "ManagementFlags": 1,
                    "HasConfiguration": True,
                    "HasFeedback": False,
                    "IsValidated": True,
                    "ExternalVersionIdentifier": 1,
                },
                "com.microsoft.Office.Outlook": {"Status": "Installing", "ManagementFlags": 0},
            }
        },
    ),
    ("ManagedApplicationList", UE_IOS, {"ManagedApplicationList": {}}),
    (
        "SecurityInfo",
        UE_IOS,
        {"SecurityInfo": {"HardwareEncryptionCaps": 3, "PasscodeCompliant": True}},
    ),
    (
        "SecurityInfo",
        UE_MAC,
        {
            "SecurityInfo": {
                "FDE_Enabled": True,
                "SystemIntegrityProtectionEnabled": True,
                "ManagementStatus": {"IsUserEnrollment": True, "UserApprovedEnrollment": True},
            }
        },
    ),
    (
        "DeviceInformation",
        UE_IOS,
        {
            "QueryResponses": {
                "OSVersion": "18.1",
                "BuildVersion": "22B83",
                "DeviceName": "Personal phone",
                "Model": "iPhone15,2",
                "ModelName": "iPhone",
                "ProductName": "iPhone15,2",
                "DeviceCapacity": 128.0,
                "AvailableDeviceCapacity": 61.5,
                "MDMOptions": {"PromptUserToAllowBootstrapTokenForAuthentication": False},
                "OrganizationInfo": {"OrganizationName": "Example Corp"},
                "DevicePropertiesAttestation": [DER, DER],
            }
        },
    ),
]


@pytest.mark.parametrize(
    ("request_type", "target", "answer"), REAL_RESULTS, ids=lambda v: getattr(v, "value", "")
)
def test_a_real_ue_result_keeps_everything(
    request_type: str, target: Target, answer: dict[str, Any]
) -> None:
    raw = {**ENVELOPE, **copy.deepcopy(answer)}
    assert user_enrollment_result(request_type, raw, target) == ({**ENVELOPE, **answer}, {})


@pytest.mark.parametrize(
    ("request_type", "answer", "discarded"),
    [
        ("SecurityInfo", {"SecurityInfo": [{"SerialNumber": SERIAL}]}, "SecurityInfo"),
        ("DeviceInformation", {"QueryResponses": [SERIAL]}, "QueryResponses"),
        ("DeviceInformation", {"QueryResponses": SERIAL}, "QueryResponses"),
        ("ProfileList", {"ProfileList": {"SerialNumber": SERIAL}}, "ProfileList"),
        ("CertificateList", {"CertificateList": SERIAL}, "CertificateList"),
        (
            "ManagedApplicationList",
            {"ManagedApplicationList": {"com.example.work": SERIAL}},
            "ManagedApplicationList.ANY app identifier",
        ),
    ],
)
def test_a_ue_value_of_another_shape_is_dropped_and_logged_without_it(
    request_type: str, answer: dict[str, Any], discarded: str
) -> None:
    kept, why = user_enrollment_result(request_type, {**ENVELOPE, **answer}, UE_IOS)
    assert SERIAL not in json.dumps(kept, default=repr)
    assert set(why) == {discarded}
    assert why[discarded].startswith("1 value(s) not the shape Apple's schema describes (")
    assert SERIAL not in json.dumps(why)


def test_the_items_of_another_shape_go_and_the_others_stay() -> None:
    good = {"CommonName": "mdm-identity", "Data": DER, "IsIdentity": True}
    raw = {"CertificateList": [good, [SERIAL], SERIAL, {"CommonName": "ca"}]}
    kept, why = user_enrollment_result("CertificateList", raw, UE_IOS)
    assert kept == {"CertificateList": [good, {"CommonName": "ca"}]}
    assert why == {
        "CertificateList[].CertificateListItem": (
            "2 value(s) not the shape Apple's schema describes (a dictionary) in the "
            "CertificateList result: not kept for a User Enrollment "
            "(mdm/commands/certificate.list.yaml)"
        )
    }


def test_a_company_result_of_another_shape_is_kept_as_sent() -> None:
    raw = {"ProfileList": {"SerialNumber": SERIAL}, "QueryResponses": [SERIAL]}
    assert user_enrollment_result("ProfileList", raw, COMPANY_IOS) == (raw, {})


def test_keys_apple_does_not_describe_are_counted_where_they_were_not_by_name() -> None:
    raw = {
        "SecurityInfo": {
            "HardwareEncryptionCaps": 3,
            SERIAL: True,
            "ManagementStatus": {"IsUserEnrollment": True, "WiFiMAC": "a4:83"},
        },
        "IMEI": "35 1",
    }
    kept, why = user_enrollment_result("SecurityInfo", raw, UE_IOS)
    assert kept == {
        "SecurityInfo": {
            "HardwareEncryptionCaps": 3,
            "ManagementStatus": {"IsUserEnrollment": True},
        }
    }
    assert why[UNKNOWN_KEYS].endswith(
        "; where: the top level (1), SecurityInfo (1), SecurityInfo.ManagementStatus (1)"
    )
    for text in (SERIAL, "WiFiMAC", "a4:83", "IMEI", "35 1"):
        assert text not in json.dumps(why)


def test_the_places_named_are_capped() -> None:
    apps = {f"com.example.{n}": {"Status": "Managed", "Made": n} for n in range(3)}
    _, why = user_enrollment_result(
        "ManagedApplicationList", {"ManagedApplicationList": apps}, UE_IOS
    )
    assert why[UNKNOWN_KEYS].endswith("where: ManagedApplicationList.ANY app identifier (3)")
    many = {f"Path{n:02}": n + 1 for n in range(12)}
    assert _places(many) == (
        "Path11 (12), Path10 (11), Path09 (10), Path08 (9), Path07 (8), Path06 (7), "
        "Path05 (6), Path04 (5), 4 more"
    )
