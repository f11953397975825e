from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from enrollment.abm import services
from enrollment.abm.models import AbmDevice, AbmLink, AbmProfile
from mdm_server import encryption
from tests.enrollment.abm.fake_abm import SERVER_UUID, FakeAbm, abm_device

pytestmark = pytest.mark.django_db


def test_uploaded_token_is_decrypted_and_stored_encrypted(link: AbmLink, fake_abm: FakeAbm) -> None:
    stored = bytes(link.encrypted_token or b"")
    creds = next(iter(fake_abm.credentials.values()))
    assert creds.consumer_secret.encode() not in stored
    assert creds.consumer_secret in encryption.decrypt(stored).decode()
    assert link.consumer_key == creds.consumer_key
    assert abs((link.token_expires_at - creds.expiry).total_seconds()) < 1


def test_token_for_another_certificate_is_refused(
    link: AbmLink, fake_abm: FakeAbm, admin_user: Any
) -> None:
    other = services.create_link(name="Other", actor=admin_user, api_url=fake_abm.base)
    data = fake_abm.server_token(other.certificate_pem)
    with pytest.raises(services.AbmError, match="encrypted to another certificate"):
        services.upload_server_token(link=link, data=data, actor=admin_user)
    with pytest.raises(services.AbmError, match="not a server token"):
        services.upload_server_token(link=link, data=b"hello world", actor=admin_user)


def test_expired_token_is_refused_at_upload(db: None, fake_abm: FakeAbm, admin_user: Any) -> None:
    new = services.create_link(name="Old", actor=admin_user, api_url=fake_abm.base)
    data = fake_abm.server_token(new.certificate_pem, days=-1)
    with pytest.raises(services.AbmError, match="already expired"):
        services.upload_server_token(link=new, data=data, actor=admin_user)
    new.refresh_from_db()
    assert not new.has_token


def test_renewal_keeps_link_devices_and_uses_new_secrets(
    link: AbmLink, stocked: FakeAbm, admin_user: Any
) -> None:
    services.sync_devices(link=link)
    old_key = link.consumer_key
    services.upload_server_token(
        link=link, data=stocked.server_token(link.certificate_pem), actor=admin_user
    )
    stocked.credentials[old_key].revoked = True  # ABM revokes the replaced token
    stocked.revoke_sessions()
    account = services.refresh_account(link=link)
    assert account["server_uuid"] == SERVER_UUID
    assert AbmLink.objects.count() == 1 and link.devices.count() == 3
    assert link.consumer_key != old_key


def test_session_is_oauth_signed_and_sent_on_every_call(link: AbmLink, fake_abm: FakeAbm) -> None:
    services.refresh_account(link=link)
    session_call = fake_abm.calls("/session")[0]
    auth = session_call["Authorization"]
    assert auth.startswith("OAuth ") and 'oauth_signature_method="HMAC-SHA1"' in auth
    assert 'realm="ADM"' in auth
    account_call = fake_abm.calls("/account")[0]
    assert account_call["X-ADM-Auth-Session"]
    assert account_call["X-Server-Protocol-Version"]
    link.refresh_from_db()
    assert link.server_uuid == SERVER_UUID and link.org_name == "Example Org"


def test_revoked_session_gets_a_new_one(link: AbmLink, fake_abm: FakeAbm) -> None:
    api = services.client_for(link)
    api.account()
    fake_abm.revoke_sessions()
    api.account()
    assert fake_abm.sessions_issued == 2
    assert [h.get("X-ADM-Auth-Session") for h in fake_abm.calls("/account")][1] != (
        api.session_token
    )


def test_wrong_secret_is_refused_by_signature_check(link: AbmLink, fake_abm: FakeAbm) -> None:
    next(iter(fake_abm.credentials.values())).access_secret = "AS_not_the_one_we_hold"
    with pytest.raises(services.AbmError, match="refused the server token") as exc:
        services.refresh_account(link=link)
    assert exc.value.status == 502
    link.refresh_from_db()
    assert link.last_error_code == "UNAUTHORIZED" and "new token" in link.last_error


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (403, '{"code": "T_C_NOT_SIGNED"}', "Terms and Conditions"),
        (403, "EXPIRED_TOKEN", "has expired"),
        (403, "ACCESS_DENIED", "denied access"),
    ],
)
def test_apple_session_errors_are_told_to_the_admin(
    link: AbmLink, fake_abm: FakeAbm, status: int, body: str, message: str
) -> None:
    fake_abm.fail("/session", status, body)
    with pytest.raises(services.AbmError, match=message):
        services.refresh_account(link=link)
    link.refresh_from_db()
    assert message in link.last_error


def test_expired_token_is_told_without_calling_apple(link: AbmLink, fake_abm: FakeAbm) -> None:
    link.encrypted_token = encryption.encrypt(
        services._server_token(link)
        .__class__(
            **{
                **services._server_token(link).__dict__,
                "access_token_expiry": timezone.now() - dt.timedelta(days=1),
            }
        )
        .to_json()
        .encode()
    )
    link.save()
    with pytest.raises(services.AbmError, match="has expired"):
        services.sync_devices(link=link)
    assert fake_abm.requests == []


def test_full_fetch_then_incremental_sync(link: AbmLink, stocked: FakeAbm, admin_user: Any) -> None:
    totals = services.sync_devices(link=link)
    assert totals["changed"] == 3 and totals["pages"] == 2  # a page holds two devices
    mac = AbmDevice.objects.get(serial_number="C02ZZ1CCCCCC")
    assert (mac.model, mac.device_family, mac.os, mac.color) == (
        "MacBook Air",
        "Mac",
        "OSX",
        "BLACK",
    )
    assert mac.assigned_by == "buyer@example.com" and mac.assigned_at is not None
    assert len(stocked.calls("/devices/sync")) == 0
    stocked.add_device(abm_device("F2LXK1DDDDDD", "iPad Air", "iPad"))
    stocked.remove_device("F2LXK1BBBBBB")
    totals = services.sync_devices(link=link)
    assert totals == {"changed": 1, "removed": 1, "pages": 1, "assigned": 0}
    assert len(stocked.calls("/server/devices")) == 2  # no second full fetch
    gone = AbmDevice.objects.get(serial_number="F2LXK1BBBBBB")
    assert gone.removed_at is not None  # kept, marked
    assert AbmDevice.objects.filter(removed_at__isnull=True).count() == 3


def test_expired_cursor_restarts_with_a_full_fetch(link: AbmLink, stocked: FakeAbm) -> None:
    services.sync_devices(link=link)
    stocked.fail("/devices/sync", 400, "EXPIRED_CURSOR")
    services.sync_devices(link=link)
    assert len(stocked.calls("/server/devices")) == 4
    assert AbmDevice.objects.count() == 3


def test_rate_limit_is_kept_and_respected(link: AbmLink, stocked: FakeAbm) -> None:
    stocked.fail("/server/devices", 429, "TOO_MANY_REQUESTS", **{"Retry-After": "120"})
    with pytest.raises(services.AbmError, match="retry after 120 s") as exc:
        services.sync_devices(link=link)
    assert exc.value.status == 503
    link.refresh_from_db()
    assert link.retry_after is not None and link.retry_after > timezone.now()
    before = len(stocked.requests)
    with pytest.raises(services.AbmError, match="asked to wait"):
        services.sync_devices(link=link)
    assert len(stocked.requests) == before  # Apple was not asked again


def test_profiles_defined_and_assigned_by_rule(
    link: AbmLink, stocked: FakeAbm, admin_user: Any, settings: Any
) -> None:
    settings.PUBLIC_URL = "https://mdm.example.com"
    services.sync_devices(link=link)
    default = AbmProfile(
        link=link,
        name="Company iPhone",
        is_default=True,
        skip_setup_items=["Siri", "AppleID"],
        department="IT",
        support_phone_number="+1 555 0100",
        language="en",
        region="US",
    )
    services.define_profile(profile=default, actor=admin_user)
    macs = AbmProfile(link=link, name="Macs", models_rule=["Mac"], await_device_configured=True)
    services.define_profile(profile=macs, actor=admin_user)
    sent = stocked.profiles[default.profile_uuid]
    assert sent["is_supervised"] is True and sent["await_device_configured"] is True
    assert sent["skip_setup_items"] == ["AppleID", "Siri"] and sent["department"] == "IT"
    assert sent["url"].startswith(settings.PUBLIC_URL) and str(default.public_id) in sent["url"]
    assert services.assign_by_rule(link=link) == 3
    assert stocked.devices["C02ZZ1CCCCCC"]["profile_uuid"] == macs.profile_uuid
    assert stocked.devices["F2LXK1AAAAAA"]["profile_uuid"] == default.profile_uuid
    assert AbmDevice.objects.get(serial_number="C02ZZ1CCCCCC").profile == macs
    assert services.assign_by_rule(link=link) == 0  # nothing left to assign
    results = services.remove_profile(link=link, serials=["C02ZZ1CCCCCC"], actor=admin_user)
    assert results == {"C02ZZ1CCCCCC": "SUCCESS"}
    assert stocked.devices["C02ZZ1CCCCCC"]["profile_status"] == "removed"


def test_bad_profile_options_are_form_errors(link: AbmLink, admin_user: Any, settings: Any) -> None:
    settings.PUBLIC_URL = "https://mdm.example.com"
    bad = AbmProfile(link=link, name="x", skip_setup_items=["NotAPane"])
    with pytest.raises(services.AbmError, match="Unknown Setup Assistant panes: NotAPane"):
        services.define_profile(profile=bad, actor=admin_user)
    unsupervised = AbmProfile(link=link, name="y", supervised=False)
    with pytest.raises(services.AbmError, match="needs a supervised"):
        services.define_profile(profile=unsupervised, actor=admin_user)


def test_discovery_url_registered_over_a_real_session(
    link: AbmLink, fake_abm: FakeAbm, admin_user: Any
) -> None:
    url = "https://mdm.example.com/.well-known/com.apple.remotemanagement"
    services.register_discovery_url(link=link, url=url, actor=admin_user)
    assert fake_abm.discovery_url == url
    assert fake_abm.calls("/account-driven-enrollment/profile")[0]["X-ADM-Auth-Session"]
    assert services.fetch_discovery_registration(link=link)["mdm_service_discovery_url"] == url
    services.delete_discovery_registration(link=link, actor=admin_user)
    assert fake_abm.discovery_url == ""
    link.refresh_from_db()
    assert link.discovery_url == ""
    with pytest.raises(services.AbmError, match="https://"):
        services.register_discovery_url(link=link, url="http://x", actor=admin_user)


def test_dashboard_warns_before_and_after_the_token_expires(link: AbmLink, settings: Any) -> None:
    (alert,) = services.dashboard_alerts()
    assert "Automated Device Enrollment is refused until Apple's device CA is set" in alert
    settings.MDM_ADE_ACCEPT_UNSIGNED_MACHINE_INFO = True  # the administrator chose the risk
    assert services.dashboard_alerts() == []
    AbmLink.objects.filter(pk=link.pk).update(
        token_expires_at=timezone.now() + dt.timedelta(days=9)
    )
    (alert,) = services.dashboard_alerts()
    assert "expires in 8 day(s)" in alert or "expires in 9 day(s)" in alert
    AbmLink.objects.filter(pk=link.pk).update(
        token_expires_at=timezone.now() - dt.timedelta(days=1)
    )
    (alert,) = services.dashboard_alerts()
    assert "has expired" in alert and "the link stays" in alert


def test_beat_task_syncs_every_link_with_a_token(
    link: AbmLink, stocked: FakeAbm, admin_user: Any
) -> None:
    from enrollment.abm import tasks

    services.create_link(name="Waiting", actor=admin_user, api_url=stocked.base)  # no token
    assert tasks.sync_all_links_task() == 1  # eager Celery in tests: the sync ran
    assert AbmDevice.objects.filter(link=link).count() == 3
    stocked.fail("/devices/sync", 403, '{"code": "T_C_NOT_SIGNED"}')
    assert tasks.sync_link_task(link.pk) is None  # kept on the link, not raised
    link.refresh_from_db()
    assert link.last_error_code == "T_C_NOT_SIGNED"


def test_device_enrolled_another_way_is_linked_by_serial(link: AbmLink, stocked: FakeAbm) -> None:
    from devices.models import Enrollment
    from tests.apns.conftest import make_enrollment

    services.sync_devices(link=link)
    company = make_enrollment(
        channel_key="udid:ABC",
        enrollment_type=Enrollment.Type.DEVICE,
        enrollment_id=None,
        udid="ABC",
        serial_number="f2lxk1aaaaaa",
    )
    personal = make_enrollment()  # a User Enrollment: no serial, never linked
    services.start_device_configuration(company)
    services.start_device_configuration(personal)
    linked = AbmDevice.objects.get(serial_number="F2LXK1AAAAAA")
    assert linked.enrollment == company and linked.configured_at is None
    assert AbmDevice.objects.filter(enrollment__isnull=False).count() == 1


def test_beat_task_hands_each_link_to_the_broker_once_under_the_redis_back_off(
    link: AbmLink, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`redis_client.publish`: once, without Celery's retries; a Redis that cannot be reached
    fails this run of the beat task at once, and the next one (30 minutes on) tries again."""
    from enrollment.abm import tasks
    from mdm_server import redis_client

    handed: list[tuple[Any, tuple[Any, ...]]] = []

    def publish(task: Any, *args: Any, countdown: float | None = None) -> None:
        handed.append((task, args))
        raise redis_client.Unavailable("test")

    monkeypatch.setattr(redis_client, "publish", publish)
    with pytest.raises(redis_client.Unavailable):
        tasks.sync_all_links_task()
    assert handed == [(tasks.sync_link_task, (link.pk,))]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_syncs_of_a_new_device_at_once_make_one_row(link: AbmLink) -> None:
    """The second's INSERT failed on the serial number's key once the first committed (a 500
    for the administrator, a failed task for the schedule)."""
    from django.db import connection

    from enrollment.abm import protocol
    from tests import races

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's row locks")
    record = protocol.parse_device(
        {"serial_number": "F2LXK1RACE01", "model": "iPhone 16", "device_family": "iPhone",
         "op_type": "added"}
    )  # fmt: skip
    assert record is not None
    first, second = races.second_waits_for_first(
        lambda: services._apply_records(link, [record]),
        lambda: services._apply_records(link, [record]),
        second_in_transaction=True,  # each page is applied in a transaction of its own
    )
    assert first == (1, 0)
    assert not isinstance(second, Exception), second
    assert AbmDevice.objects.filter(link=link, serial_number="F2LXK1RACE01").count() == 1
