"""`app.managed`: validated and edited from Apple's schema, delivered to a user-enrolled iPhone,
and the status item `app.managed.list` read into the channel's app state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from devices.models import Enrollment
from profiles.declarations import editor, protocol, rules, services
from profiles.declarations.models import ManagedAppState, SetAssignment
from tests.simulator import SimulatedDevice

MakeDevice = Callable[..., SimulatedDevice]
APP = services.MANAGED_APP


def _app(identifier: str, payload: dict[str, Any]) -> Any:
    return services.create_declaration(
        declaration_type=APP, identifier=identifier, display_name=identifier, payload=payload
    )


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "one and only one"),
        ({"AppStoreID": "1", "BundleID": "com.ex.app"}, "not 2"),
        ({"BundleID": "com.ex.app", "InstallBehavior": {"Install": "Sometimes"}}, "Optional"),
        ({"BundleID": 5}, "must be a string"),
    ],
    ids=["no-source", "two-sources", "bad-install", "bad-type"],
)
@pytest.mark.django_db
def test_app_managed_is_validated(payload: dict[str, Any], message: str) -> None:
    with pytest.raises(services.DeclarationError, match=message):
        _app("com.ex.app", payload)


def test_app_managed_form_from_the_schema() -> None:
    form_class = editor.payload_form_class(APP)
    paths = {key.dotted: key for key in form_class.keys.values()}
    assert {"AppStoreID", "BundleID", "ManifestURL", "InstallBehavior.Install"} <= set(paths)
    install = form_class.base_fields[paths["InstallBehavior.Install"].name]
    assert [v for v, _ in install.choices][1:] == ["Optional", "Required"]  # type: ignore[attr-defined]
    # Apple: iOS 17.2 and later, User Enrollments included; not on macOS in this schema copy.
    assert rules.refusal(APP, rules.ChannelKind("iOS", "18.2", "user", "system")) is None
    assert "needs iOS 17.2" in (
        rules.refusal(APP, rules.ChannelKind("iOS", "17.1", "user", "system")) or ""
    )


def test_app_managed_list_is_parsed() -> None:
    report = {
        "StatusItems": {
            "app": {
                "managed": {
                    "list": [
                        {"identifier": "com.ex.a", "state": "managed", "name": "A", "version": "2"},
                        {"identifier": "com.ex.b", "_removed": True},
                        {"identifier": "com.ex.a", "state": "failed"},  # repeated: ignored
                        {"state": "managed"},  # no identifier: ignored
                        "odd",
                    ]
                }
            }
        }
    }
    apps = protocol.parse_status(report).managed_apps
    assert apps == [
        protocol.ManagedApp("com.ex.a", name="A", version="2", state="managed"),
        protocol.ManagedApp("com.ex.b", removed=True),
    ]
    assert protocol.parse_status({"StatusItems": {}}).managed_apps is None


@pytest.mark.django_db
def test_a_user_enrolled_iphone_reports_its_declared_apps(
    make_device: MakeDevice, admin_client: Client
) -> None:
    phone = make_device(platform="iOS", user_enrollment=True)
    phone.enroll()
    row = Enrollment.objects.get()
    app = _app(
        "com.ex.notes",
        {"BundleID": "com.example.notes", "InstallBehavior": {"Install": "Required"}},
    )
    work = services.create_set(name="apps", declarations=[app])
    services.assign_set(declaration_set=work, kind=SetAssignment.Kind.ENROLLMENT, enrollment=row)
    phone.sync_declarations()
    # The server's own subscriptions ask for app.managed.list (Apple allows it on a User
    # Enrollment of iOS), so the device reports its declared apps.
    assert "app.managed.list" in phone.declarative.subscribed()
    state = ManagedAppState.objects.get(enrollment=row)
    assert (state.bundle_id, state.declaration_identifier, state.state) == (
        "com.example.notes",
        "com.ex.notes",
        "managed",
    )
    page = admin_client.get(f"/console/declarations/devices/{row.public_id}/")
    assert b"com.example.notes" in page.content and b'id="apps"' in page.content
    api = admin_client.get(f"/api/v1/declarations/devices/{row.public_id}/")
    assert api.json()["apps"][0]["bundle_id"] == "com.example.notes"
    # Incremental report: the app removed; a full report replaces the list.
    services.record_status(
        row,
        {
            "StatusItems": {
                "app": {
                    "managed": {"list": [{"identifier": "com.example.notes", "_removed": True}]}
                }
            }
        },
    )
    assert not ManagedAppState.objects.filter(enrollment=row).exists()
    services.record_status(
        row,
        {
            "FullReport": True,
            "StatusItems": {
                "app": {"managed": {"list": [{"identifier": "com.ex.x", "state": "queued"}]}}
            },
        },
    )
    assert list(ManagedAppState.objects.values_list("bundle_id", "state")) == [
        ("com.ex.x", "queued")
    ]


def test_incremental_app_reports_cannot_grow_a_channels_app_state_without_bound(
    make_device: Callable[..., SimulatedDevice],
) -> None:
    """A device's status reports naming apps it makes up, one incremental report after another,
    keep at most as many apps as one full report can list."""
    phone = make_device(platform="iOS", user_enrollment=True)
    phone.enroll()
    row = Enrollment.objects.get()
    limit = protocol.MAX_MANAGED_APPS
    for batch in range(3):
        made_up = [{"identifier": f"com.made.up.{batch}.{n}"} for n in range(limit)]
        services.record_status(row, {"StatusItems": {"app": {"managed": {"list": made_up}}}})
    assert ManagedAppState.objects.filter(enrollment=row).count() == limit
    # The apps it holds are still updated, and one it removes makes room for another.
    services.record_status(
        row,
        {
            "StatusItems": {
                "app": {
                    "managed": {
                        "list": [
                            {"identifier": "com.made.up.0.0", "state": "managed"},
                            {"identifier": "com.made.up.0.1", "_removed": True},
                            {"identifier": "com.ex.real", "state": "queued"},
                        ]
                    }
                }
            }
        },
    )
    states = ManagedAppState.objects.filter(enrollment=row)
    assert states.count() == limit
    assert states.get(bundle_id="com.made.up.0.0").state == "managed"
    assert states.get(bundle_id="com.ex.real").state == "queued"
