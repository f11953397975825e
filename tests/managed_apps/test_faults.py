"""Bad tokens, an exhausted licence pool, API errors and timeouts: a clear message each time,
and nothing half-done (no token stored, no assignment, no licence recorded that Apple lacks)."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from devices.managed_apps import services
from devices.managed_apps.models import App, AppAssignment, AppInstall, AppsBooksToken
from devices.models import Enrollment
from mdm_server import encryption
from tests.channels import create_channel
from tests.managed_apps.fake_appsbooks import FakeAppsBooks, make_vpptoken

pytestmark = pytest.mark.django_db

MAIL, CHAT, EXPENSES = "361309726", "408709785", "377298193"
_n = iter(range(1, 10_000))


def user_enrollment(apple_id: str, platform: str = "iOS") -> Enrollment:
    n = next(_n)
    return create_channel(
        channel_key=f"apps:{n}",
        enrollment_type="user",
        platform=platform,
        os_version="18.2" if platform == "iOS" else "15.2",
        status=Enrollment.Status.ENROLLED,
        enrollment_id=f"EID-{n}",
        managed_apple_id=apple_id,
    )


@pytest.fixture
def token(fake_vpp: FakeAppsBooks) -> AppsBooksToken:
    token = services.upload_token(name="HQ", data=fake_vpp.stoken.encode())
    services.sync_token(token=token)
    return token


def test_the_token_is_stored_encrypted_with_its_expiry(token: AppsBooksToken) -> None:
    token.refresh_from_db()
    assert (token.org_name, token.location_name) == ("Example Corp", "Headquarters")
    assert token.expires_at.year == 2027
    stored = bytes(token.encrypted_token)
    assert b"secret-location-1" not in stored
    assert b"secret-location-1" in base64.b64decode(encryption.decrypt(stored))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"garbage", "not base64"),
        (
            make_vpptoken("unknown-to-apple").encode(),
            r"Login required. \(Apps and Books error 9601\)",
        ),
        (make_vpptoken("old", exp="2020-01-01T00:00:00+0000").encode(), "expired on 2020-01-01"),
    ],
)
def test_a_bad_token_is_refused_and_nothing_is_stored(
    fake_vpp: FakeAppsBooks, data: bytes, words: str
) -> None:
    with pytest.raises(services.ManagedAppsError, match=words):
        services.upload_token(name="HQ", data=data)
    assert not AppsBooksToken.objects.exists()


def test_expiry_and_conflict_are_told(token: AppsBooksToken, fake_vpp: FakeAppsBooks) -> None:
    soon = token.expires_at - timedelta(days=10)
    assert "expires on 2027-06-01" in services.token_warning(token, now=soon)
    assert "expired" in services.token_warning(token, now=token.expires_at + timedelta(days=1))
    fake_vpp.mdm_info = {
        "id": "another-mdm",
        "name": "Other MDM",
        "metadata": "other.example.com",
    }  # another MDM server took the token
    with pytest.raises(services.ManagedAppsError, match=r"another MDM server \(Other MDM\)"):
        services.sync_token(token=token)
    token.refresh_from_db()
    warning = services.token_warning(token, now=soon - timedelta(days=300))
    assert "another MDM server (Other MDM) uses this content token" in warning
    assert App.objects.get(adam_id=MAIL).licences_available == 3  # nothing changed meanwhile


def test_an_exhausted_pool_is_told_before_the_assignment(token: AppsBooksToken) -> None:
    chat = App.objects.get(adam_id=CHAT)  # 1 licence
    for person in ("ann", "ben"):
        user_enrollment(f"{person}@appleid.example.com")
    with pytest.raises(services.ManagedAppsError, match="2 needed, 1 free of 1"):
        services.assign_app(
            app=chat, scope=AppAssignment.Scope.ENROLLMENT_TYPE, enrollment_type="user"
        )
    expenses = App.objects.get(adam_id=EXPENSES)  # none at all
    with pytest.raises(services.ManagedAppsError, match="0 free of 0"):
        services.assign_app(
            app=expenses, scope=AppAssignment.Scope.ENROLLMENT_TYPE, enrollment_type="user"
        )
    assert not AppAssignment.objects.exists()
    assert not AppInstall.objects.exists()


def test_a_pool_emptied_elsewhere_fails_the_install_with_apples_reason(
    token: AppsBooksToken, fake_vpp: FakeAppsBooks
) -> None:
    chat = App.objects.get(adam_id=CHAT)
    enrollment = user_enrollment("ann@appleid.example.com")
    services.assign_app(app=chat, scope=AppAssignment.Scope.DEVICE, enrollment=enrollment)
    fake_vpp.asset(CHAT).serials.add("SOMEONE-ELSE")  # taken meanwhile, outside this server
    for _ in range(6):
        services.advance_due(now=timezone.now() + timedelta(hours=7))
    install = AppInstall.objects.get()
    assert install.status == AppInstall.Status.FAILED
    assert "no licence left for Team Chat" in install.reason and "9709" in install.reason
    assert (install.licence, install.licence_holder) == ("", "")  # nothing half-recorded
    chat.refresh_from_db()
    assert chat.licences_assigned == 0


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (
            {"status": 503, "number": None, "message": "Service Unavailable", "retry_after": 120},
            "retry after 120 s",
        ),
        ({"status": 500, "number": 9603, "message": "Internal error"}, "Apps and Books error 9603"),
        (
            {"status": 429, "number": 9646, "message": "There are too many requests"},
            "Apps and Books error 9646",
        ),
    ],
    ids=["503-retry-after", "500-internal", "429-rate-limited"],
)
def test_api_errors_wait_and_retry(
    token: AppsBooksToken, fake_vpp: FakeAppsBooks, fault: dict[str, object], words: str
) -> None:
    enrollment = user_enrollment("ann@appleid.example.com")
    services.assign_app(
        app=App.objects.get(adam_id=MAIL), scope=AppAssignment.Scope.DEVICE, enrollment=enrollment
    )
    services.advance_due(now=timezone.now() + timedelta(hours=7))  # registers the person
    services.advance_due(now=timezone.now() + timedelta(hours=7))  # registered (event done)
    fake_vpp.fail_next("assets/associate", **fault)  # type: ignore[arg-type]
    before = timezone.now()
    services.advance_due(now=timezone.now() + timedelta(hours=7))
    install = AppInstall.objects.get()
    assert install.status == AppInstall.Status.REQUESTED
    assert words in install.reason
    assert install.attempts == 1
    assert install.next_attempt_at is not None and install.next_attempt_at > before
    if fault.get("retry_after"):
        assert install.next_attempt_at >= before + timedelta(seconds=119)
    assert fake_vpp.asset(MAIL).users == set()
    for _ in range(4):
        services.advance_due(now=timezone.now() + timedelta(hours=7))
    install.refresh_from_db()
    assert install.status == AppInstall.Status.INSTALLING  # the retry went through
    assert len(fake_vpp.asset(MAIL).users) == 1


def test_a_timeout_is_told_and_retried(
    token: AppsBooksToken, fake_vpp: FakeAppsBooks, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.APPS_BOOKS_TIMEOUT = 0.3
    enrollment = user_enrollment("ann@appleid.example.com")
    services.assign_app(
        app=App.objects.get(adam_id=MAIL), scope=AppAssignment.Scope.DEVICE, enrollment=enrollment
    )
    fake_vpp.delay = 0.5
    services.advance_due(now=timezone.now() + timedelta(hours=7))
    install = AppInstall.objects.get()
    assert "did not answer within 0.3 s" in install.reason
    assert install.status == AppInstall.Status.REQUESTED


def test_a_revoked_token_is_shown_on_the_location(
    token: AppsBooksToken, fake_vpp: FakeAppsBooks
) -> None:
    fake_vpp.revoked.add(fake_vpp.stoken)
    with pytest.raises(services.ManagedAppsError, match="9625"):
        services.sync_token(token=token)
    token.refresh_from_db()
    assert "the token no longer works" in token.last_error
    assert App.objects.get(adam_id=MAIL).licences_available == 3  # the catalogue is kept


def test_a_user_enrollment_without_managed_apple_account_fails_clearly(
    token: AppsBooksToken,
) -> None:
    enrollment = user_enrollment("")
    services.assign_app(
        app=App.objects.get(adam_id=MAIL), scope=AppAssignment.Scope.DEVICE, enrollment=enrollment
    )
    services.advance_due(now=timezone.now() + timedelta(hours=7))
    install = AppInstall.objects.get()
    assert install.status == AppInstall.Status.FAILED
    assert "no Managed Apple Account" in install.reason


def test_unknown_configuration_variables_are_refused(token: AppsBooksToken) -> None:
    with pytest.raises(services.ManagedAppsError, match="unknown variable.*EMIAL"):
        services.assign_app(
            app=App.objects.get(adam_id=MAIL),
            scope=AppAssignment.Scope.ENROLLMENT_TYPE,
            enrollment_type="user",
            configuration={"user": "${EMIAL}"},
        )
    assert not AppAssignment.objects.exists()


def test_a_new_version_is_pushed_where_required(
    token: AppsBooksToken, fake_vpp: FakeAppsBooks
) -> None:
    enrollment = user_enrollment("ann@appleid.example.com")
    services.assign_app(
        app=App.objects.get(adam_id=MAIL), scope=AppAssignment.Scope.DEVICE, enrollment=enrollment
    )
    for _ in range(5):
        services.advance_due(now=timezone.now() + timedelta(hours=7))
    install = AppInstall.objects.get()
    AppInstall.objects.filter(pk=install.pk).update(status=AppInstall.Status.INSTALLED)
    first = install.command_uuid
    fake_vpp.asset(MAIL).version = "2.0"
    result = services.sync_token(token=token)
    assert result.new_versions == ["Work Mail"]
    install.refresh_from_db()
    assert install.status == AppInstall.Status.INSTALLING
    assert install.command_uuid and install.command_uuid != first


def test_joining_and_leaving_a_group_installs_and_removes(
    token: AppsBooksToken,
    fake_vpp: FakeAppsBooks,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    from directory.models import DirectoryGroup, DirectoryUser, IdentitySource

    source = IdentitySource.objects.create(name="Local", kind=IdentitySource.Kind.LOCAL)
    group = DirectoryGroup.objects.create(name="Sales")
    ann = DirectoryUser.objects.create(
        source=source,
        external_id="ann",
        username="ann",
        email="ann@example.com",
        managed_apple_id="ann@appleid.example.com",
    )
    enrollment = user_enrollment("ann@appleid.example.com")
    enrollment.device.directory_user = ann
    enrollment.device.save()
    services.assign_app(app=App.objects.get(adam_id=MAIL), scope="group", group=group)
    assert not AppInstall.objects.exists()  # Ann is not in Sales yet
    with django_capture_on_commit_callbacks(execute=True):
        ann.groups.add(group)
    for _ in range(4):
        services.advance_due(now=timezone.now() + timedelta(hours=7))
    install = AppInstall.objects.get()
    assert install.status == AppInstall.Status.INSTALLING
    assert len(fake_vpp.asset(MAIL).users) == 1
    with django_capture_on_commit_callbacks(execute=True):
        ann.groups.remove(group)
    install.refresh_from_db()
    assert install.status == AppInstall.Status.REMOVED
    assert fake_vpp.asset(MAIL).users == set()


def test_uploading_again_reclaims_a_location_taken_by_another_mdm(
    token: AppsBooksToken, fake_vpp: FakeAppsBooks
) -> None:
    fake_vpp.mdm_info = {"id": "another-mdm", "name": "Other MDM", "metadata": "other.example.com"}
    with pytest.raises(services.ManagedAppsError):
        services.sync_token(token=token)
    token.refresh_from_db()
    assert token.conflict
    services.upload_token(name="HQ", data=fake_vpp.stoken.encode())
    token.refresh_from_db()
    assert token.conflict == ""
    assert fake_vpp.mdm_info["id"] == str(token.client_context)
    assert services.sync_token(token=token).conflict == ""


def test_a_licence_revoked_outside_the_server_is_assigned_again_at_the_next_sync(
    token: AppsBooksToken, fake_vpp: FakeAppsBooks
) -> None:
    enrollment = user_enrollment("ann@appleid.example.com")
    services.assign_app(
        app=App.objects.get(adam_id=MAIL), scope=AppAssignment.Scope.DEVICE, enrollment=enrollment
    )
    for _ in range(8):
        services.advance_due(now=timezone.now() + timedelta(hours=7))
    install = AppInstall.objects.get()
    assert install.status == AppInstall.Status.INSTALLING
    assert services.sync_token(token=token).licences_lost == 0  # Apple lists it: unchanged
    fake_vpp.asset(MAIL).users.clear()  # revoked in Apple Business Manager
    assert services.sync_token(token=token).licences_lost == 1
    install.refresh_from_db()
    assert install.status == AppInstall.Status.REQUESTED and install.licence == ""
    assert "Apple no longer lists this licence" in install.reason
    for _ in range(8):
        services.advance_due(now=timezone.now() + timedelta(hours=7))
    install.refresh_from_db()
    assert install.status == AppInstall.Status.INSTALLING and install.licence == "user"
    assert len(fake_vpp.asset(MAIL).users) == 1
