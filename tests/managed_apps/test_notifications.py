"""Apple's Apps and Books notifications: registered through client config, delivered by the
local service over 127.0.0.1 to the live server, checked (bearer token, constant time) and
applied once; hostile requests get a 4xx with the reason, never a 500; polling stays the
fallback."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import LazySettings
from django.test import Client
from django.utils import timezone

from devices.managed_apps import appsbooks, services
from devices.managed_apps.models import (
    App,
    AppAssignment,
    AppInstall,
    AppsBooksNotification,
    AppsBooksToken,
    AppsBooksUser,
)
from devices.models import Enrollment
from tests.channels import create_channel
from tests.managed_apps.fake_appsbooks import UID, FakeAppsBooks

MAIL, CHAT = "361309726", "408709785"
_n = iter(range(1, 10_000))


def user_enrollment(apple_id: str) -> Enrollment:
    n = next(_n)
    return create_channel(
        channel_key=f"notify:{n}",
        enrollment_type="user",
        platform="iOS",
        os_version="18.2",
        status=Enrollment.Status.ENROLLED,
        enrollment_id=f"EID-N{n}",
        managed_apple_id=apple_id,
    )


def wait_for(check: Callable[[], bool], seconds: float = 10) -> None:
    """Until `check()` holds (the local service notifies from its own thread)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the notification did not arrive in time"
        time.sleep(0.05)


def post(client: Client, token: AppsBooksToken | str, body: Any, **headers: str) -> Any:
    notify_id = token if isinstance(token, str) else str(token.notify_id)
    headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {services.notify_secret(notify_id)}")
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        f"/apps-books/notifications/{notify_id}/",
        data=data,
        content_type=headers.pop("content_type", "application/json"),
        **headers,
    )


def note(kind: str, body: dict[str, Any], notification_id: str = "") -> dict[str, Any]:
    return {
        "notification": body,
        "notificationId": notification_id or str(uuid.uuid4()),
        "notificationType": kind,
        "uId": UID,
    }


# --- live: the local service notifies the running server ----------------------------------


@pytest.fixture
def live_location(
    fake_vpp: FakeAppsBooks, live_server: Any, settings: LazySettings, transactional_db: None
) -> AppsBooksToken:
    settings.PUBLIC_URL = live_server.url
    token = services.upload_token(name="HQ", data=fake_vpp.stoken.encode())
    services.sync_token(token=token)
    return token


def test_uploading_registers_the_url_and_apples_test_notification_passes(
    live_location: AppsBooksToken, fake_vpp: FakeAppsBooks
) -> None:
    url = services.notify_url(live_location)
    assert fake_vpp.notify_url == url and url.endswith(f"/{live_location.notify_id}/")
    assert fake_vpp.notify_token == services.notify_secret(live_location)
    assert set(fake_vpp.notify_types) == set(appsbooks.NOTIFICATION_TYPES)
    assert fake_vpp.sent == [("TEST_NOTIFICATION", 200)]
    assert live_location.notifications == f"notifications arrive at {url}"
    assert fake_vpp.mdm_info["id"] == str(live_location.client_context)


def test_notifications_carry_a_user_licence_through_without_polling(
    live_location: AppsBooksToken, fake_vpp: FakeAppsBooks
) -> None:
    enrollment = user_enrollment("ann@appleid.example.com")
    services.assign_app(
        app=App.objects.get(adam_id=MAIL), scope=AppAssignment.Scope.DEVICE, enrollment=enrollment
    )
    services.advance_due()  # registers the person with the location (users/create)
    wait_for(lambda: AppsBooksUser.objects.filter(registered=True).exists())
    # The registration's notification made the install due; its next step associates.
    services.advance_due(now=timezone.now())
    wait_for(lambda: AppInstall.objects.filter(status=AppInstall.Status.INSTALLING).exists())
    install = AppInstall.objects.get()
    assert install.licence == "user" and install.command_uuid
    app = App.objects.get(adam_id=MAIL)
    assert (app.licences_assigned, app.licences_available) == (1, 2)
    assert "GET status" not in fake_vpp.requests  # no event was polled
    wait_for(lambda: len(fake_vpp.sent) == 3)  # recorded once our server answered
    kinds = [kind for kind, status in fake_vpp.sent if status == 200]
    assert kinds == ["TEST_NOTIFICATION", "USER_MANAGEMENT", "ASSET_MANAGEMENT"]
    # A poll that comes after the notification finds the install moved on: nothing twice.
    services.advance_due(now=timezone.now())
    app.refresh_from_db()
    assert app.licences_assigned == 1


def test_a_failed_association_notification_fails_the_install_with_apples_reason(
    live_location: AppsBooksToken, fake_vpp: FakeAppsBooks
) -> None:
    chat = App.objects.get(adam_id=CHAT)  # one licence
    enrollment = user_enrollment("ann@appleid.example.com")
    services.assign_app(app=chat, scope=AppAssignment.Scope.DEVICE, enrollment=enrollment)
    fake_vpp.asset(CHAT).serials.add("SOMEONE-ELSE")  # taken meanwhile, outside this server
    services.advance_due()
    wait_for(lambda: AppsBooksUser.objects.filter(registered=True).exists())
    services.advance_due(now=timezone.now())
    wait_for(lambda: AppInstall.objects.filter(status=AppInstall.Status.FAILED).exists())
    install = AppInstall.objects.get()
    assert "no licence left" in install.reason and "9709" in install.reason
    assert (install.licence, install.licence_holder) == ("", "")
    chat.refresh_from_db()
    assert chat.licences_assigned == 0


def test_a_purchase_notification_moves_the_licence_counts(
    live_location: AppsBooksToken, fake_vpp: FakeAppsBooks
) -> None:
    fake_vpp.buy(CHAT, 5)
    chat = App.objects.get(adam_id=CHAT)
    assert (chat.licences_total, chat.licences_available) == (6, 6)
    fake_vpp.buy(CHAT, -10)  # a refund beyond the count stops at zero
    chat.refresh_from_db()
    assert (chat.licences_total, chat.licences_available) == (0, 0)


def test_an_accepted_invitation_notification_registers_the_person(
    live_location: AppsBooksToken, fake_vpp: FakeAppsBooks
) -> None:
    user = AppsBooksUser.objects.create(
        token=live_location, managed_apple_id="ann@appleid.example.com", event_id="ev-pending"
    )
    fake_vpp.user_accepts(str(user.client_user_id))
    user.refresh_from_db()
    assert user.registered and user.event_id == ""
    assert fake_vpp.sent[-1] == ("USER_ASSOCIATED", 200)


def test_an_unreachable_url_leaves_the_location_polled(fake_vpp: FakeAppsBooks, db: None) -> None:
    token = services.upload_token(name="HQ", data=fake_vpp.stoken.encode())
    assert fake_vpp.notify_url == ""  # Apple refused it (9728): the claim went through without
    assert "9728" in token.notifications and "events are polled" in token.notifications
    assert fake_vpp.mdm_info["id"] == str(token.client_context)


def test_a_plain_http_public_url_is_not_offered(
    fake_vpp: FakeAppsBooks, settings: LazySettings, db: None
) -> None:
    settings.PUBLIC_URL = "http://mdm.example.com"
    token = services.upload_token(name="HQ", data=fake_vpp.stoken.encode())
    assert "not an https URL" in token.notifications
    assert fake_vpp.sent == []


# --- the endpoint against hostile requests (no live server needed) ------------------------


@pytest.fixture
def location(fake_vpp: FakeAppsBooks, db: None) -> AppsBooksToken:
    token = services.upload_token(name="HQ", data=fake_vpp.stoken.encode())
    services.sync_token(token=token)
    return token


COUNT = {"adamId": CHAT, "countDelta": 2, "pricingParam": "STDQ"}


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"HTTP_AUTHORIZATION": ""}, 401),
        ({"HTTP_AUTHORIZATION": "Bearer wrong"}, 401),
        ({"HTTP_AUTHORIZATION": "Basic abc"}, 401),
        ({"content_type": "text/plain"}, 415),
    ],
    ids=["no-token", "wrong-token", "not-bearer", "not-json"],
)
def test_requests_without_the_token_or_json_are_refused(
    location: AppsBooksToken, client: Client, headers: dict[str, str], status: int
) -> None:
    response = post(client, location, note("ASSET_COUNT", COUNT), **headers)
    assert response.status_code == status
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert App.objects.get(adam_id=CHAT).licences_total == 1  # nothing applied
    assert not AppsBooksNotification.objects.exists()


def test_another_locations_token_does_not_open_this_one(
    location: AppsBooksToken, client: Client
) -> None:
    other = str(uuid.uuid4())
    response = post(
        client,
        location,
        note("ASSET_COUNT", COUNT),
        HTTP_AUTHORIZATION=f"Bearer {services.notify_secret(other)}",
    )
    assert response.status_code == 401


HOSTILE: list[tuple[str, bytes]] = [
    ("not-json", b"{nope"),
    ("array", b"[]"),
    ("nan", b'{"notificationType": NaN}'),
    ("deep", b'{"a":' * 200 + b"1" + b"}" * 200),
    ("no-id", json.dumps({"notificationType": "ASSET_COUNT", "notification": COUNT}).encode()),
    ("long-id", json.dumps(note("ASSET_COUNT", COUNT, "x" * 500)).encode()),
    ("count-text", json.dumps(note("ASSET_COUNT", {**COUNT, "countDelta": "2"})).encode()),
    ("count-bool", json.dumps(note("ASSET_COUNT", {**COUNT, "countDelta": True})).encode()),
    (
        "assignments-object",
        json.dumps(
            note(
                "ASSET_MANAGEMENT",
                {"assignments": {}, "eventId": "e", "result": "SUCCESS", "type": "ASSOCIATE"},
            )
        ).encode(),
    ),
    (
        "assignments-too-many",
        json.dumps(
            note(
                "ASSET_MANAGEMENT",
                {
                    "assignments": [{"adamId": "1", "pricingParam": "STDQ"}] * 1001,
                    "eventId": "e",
                    "result": "SUCCESS",
                    "type": "ASSOCIATE",
                },
            )
        ).encode(),
    ),
    (
        "unknown-result",
        json.dumps(
            note(
                "ASSET_MANAGEMENT",
                {"assignments": [], "eventId": "e", "result": "MAYBE", "type": "ASSOCIATE"},
            )
        ).encode(),
    ),
    ("users-not-list", json.dumps(note("USER_ASSOCIATED", {"associatedUsers": "x"})).encode()),
    ("body-not-object", json.dumps({**note("ASSET_COUNT", COUNT), "notification": []}).encode()),
]


@pytest.mark.parametrize("body", [b for _, b in HOSTILE], ids=[i for i, _ in HOSTILE])
def test_hostile_bodies_get_a_400_and_change_nothing(
    location: AppsBooksToken, client: Client, body: bytes
) -> None:
    response = post(client, location, body)
    assert response.status_code == 400
    assert response.content.decode().startswith("not an Apps and Books notification")
    assert App.objects.get(adam_id=CHAT).licences_total == 1
    assert not AppsBooksNotification.objects.exists()


def test_an_oversized_body_and_other_methods_are_refused(
    location: AppsBooksToken, client: Client
) -> None:
    big = json.dumps(note("ASSET_COUNT", {**COUNT, "pad": "x" * 1_100_000})).encode()
    assert post(client, location, big).status_code == 413
    unsized = post(client, location, note("ASSET_COUNT", COUNT), CONTENT_LENGTH="")
    assert unsized.status_code == 411
    assert client.get(f"/apps-books/notifications/{location.notify_id}/").status_code == 405


def test_a_notification_delivered_twice_is_applied_once(
    location: AppsBooksToken, client: Client
) -> None:
    body = note("ASSET_COUNT", COUNT, "same-notification")
    first, again = post(client, location, body), post(client, location, body)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.content.decode().strip() == "already applied"
    assert App.objects.get(adam_id=CHAT).licences_total == 3


def test_an_unknown_location_takes_only_apples_test(client: Client, db: None) -> None:
    nobody = str(uuid.uuid4())
    assert post(client, nobody, note("TEST_NOTIFICATION", {})).status_code == 200
    assert post(client, nobody, note("ASSET_COUNT", COUNT)).status_code == 404


def test_an_unknown_type_is_acknowledged_and_ignored(
    location: AppsBooksToken, client: Client
) -> None:
    response = post(client, location, note("SOMETHING_NEW", {"x": 1}))
    assert response.status_code == 200 and "ignored" in response.content.decode()


def test_a_retire_and_an_acceptance_change_the_registration(
    location: AppsBooksToken, client: Client
) -> None:
    user = AppsBooksUser.objects.create(
        token=location, managed_apple_id="ann@appleid.example.com", registered=True
    )
    retire = {
        "eventId": "e1",
        "result": "SUCCESS",
        "type": "RETIRE",
        "users": [{"clientUserId": str(user.client_user_id), "status": "Retired"}],
    }
    assert post(client, location, note("USER_MANAGEMENT", retire)).status_code == 200
    user.refresh_from_db()
    assert not user.registered
    accepted = {
        "associatedUsers": [{"clientUserId": str(user.client_user_id), "status": "Associated"}]
    }
    assert post(client, location, note("USER_ASSOCIATED", accepted)).status_code == 200
    user.refresh_from_db()
    assert user.registered


def test_an_association_of_another_event_or_holder_changes_nothing(
    location: AppsBooksToken, client: Client
) -> None:
    enrollment = user_enrollment("ann@appleid.example.com")
    mail = App.objects.get(adam_id=MAIL)
    install = AppInstall.objects.create(
        enrollment=enrollment,
        app=mail,
        status=AppInstall.Status.LICENCE_PENDING,
        licence="user",
        licence_holder="cu-ann",
        event_id="ev-1",
    )
    for event, holder in (("ev-other", "cu-ann"), ("ev-1", "cu-someone-else")):
        body = {
            "assignments": [{"adamId": MAIL, "pricingParam": "STDQ", "clientUserId": holder}],
            "eventId": event,
            "result": "SUCCESS",
            "type": "ASSOCIATE",
        }
        assert post(client, location, note("ASSET_MANAGEMENT", body)).status_code == 200
    install.refresh_from_db()
    assert install.status == AppInstall.Status.LICENCE_PENDING
    mail.refresh_from_db()
    assert mail.licences_assigned == 0


def test_ids_of_old_notifications_are_forgotten(location: AppsBooksToken, client: Client) -> None:
    from datetime import timedelta

    for notification_id in ("old", "recent"):
        post(client, location, note("ASSET_COUNT", COUNT, notification_id))
    AppsBooksNotification.objects.filter(notification_id="old").update(
        received_at=timezone.now() - timedelta(days=8)
    )
    assert services.forget_old_notifications() == 1
    assert list(AppsBooksNotification.objects.values_list("notification_id", flat=True)) == [
        "recent"
    ]
