"""Account-driven enrollment end to end: the simulator's enrollment flow, then check-ins."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import plistlib
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from django.db import connection
from django.utils import timezone

from apns.services import MAX_RETRIES
from enrollment import services
from enrollment.models import (
    EnrollmentConfiguration,
    EnrollmentSession,
    EnrollmentSettings,
    EnrollmentToken,
)
from mdm_server.pki.models import ScepChallenge
from mdm_server.pki.services import find_issued_certificate
from tests import openssl
from tests.apns.fake_apns import FakeAPNs
from tests.devices._rows import drain_inventory
from tests.enrollment._devices import account_device
from tests.enrollment.conftest import DOMAIN, PASSWORD, remove_push_certificates
from tests.simulator import enrollment_flow as flow

pytestmark = pytest.mark.django_db

SERVER = "http://127.0.0.1:8000"


def _fingerprint(cert: Any) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _enroll(transport: Any, **kwargs: Any) -> flow.AccountEnrollment:
    kwargs.setdefault("user_identifier", f"alice@{DOMAIN}")
    kwargs.setdefault("password", PASSWORD)
    return flow.enroll_account_driven(transport, SERVER, **kwargs)


def _polling(transport: Any) -> tuple[flow.AccountEnrollment, Any]:
    """An account-driven enrollment whose device has answered its first commands."""
    result = _enroll(transport)
    device = account_device(transport, result)
    device.enroll()
    drain_inventory(device)
    return result, device


@pytest.fixture(autouse=True)
def _fresh_device_ca_cache() -> None:
    # Every test has its own server CA; the devices app caches the trusted CAs for a minute.
    from devices import identity

    identity.forget_cached_state()


def test_user_enrollment_reaches_the_identity(org: dict[str, Any], transport: Any) -> None:
    result = _enroll(transport)
    assert result.version == "mdm-byod"
    assert result.challenge["method"] == "apple-as-web"
    mdm = result.mdm_payload
    assert mdm["EnrollmentMode"] == "BYOD"
    assert mdm["AssignedManagedAppleID"] == org["alice"].managed_apple_id
    assert "AccessRights" not in mdm
    assert "ManagedAppleID" not in mdm
    assert mdm["Topic"] == org["topic"]
    assert mdm["ServerURL"] == f"{SERVER}/mdm/connect"
    assert mdm["CheckInURL"] == f"{SERVER}/mdm/checkin"
    assert mdm["SignMessage"] is True
    assert mdm["CheckOutWhenRemoved"] is True
    assert "com.apple.mdm.per-user-connections" in mdm["ServerCapabilities"]
    scep = flow.payload_of(result.profile, "com.apple.security.scep")
    assert mdm["IdentityCertificateUUID"] == scep["PayloadUUID"]
    assert scep["PayloadContent"]["URL"] == f"{SERVER}/scep"
    session = EnrollmentSession.objects.get()
    assert (session.enrollment_type, session.status, session.platform) == (
        "user",
        "profile_issued",
        "iOS",
    )
    issued = find_issued_certificate(_fingerprint(result.identity_certificate))
    assert issued is not None and issued.reference == session.public_id
    # Only hashes of tokens are stored.
    assert not EnrollmentToken.objects.filter(token_hash=result.bearer).exists()
    assert EnrollmentToken.objects.filter(token_hash=services.hash_token(result.bearer)).exists()


def test_byod_never_stores_hardware_identifiers(org: dict[str, Any], transport: Any) -> None:
    _enroll(transport, install=False, machine_info_extra={"UDID": "U-1", "SERIAL": "C02X"})
    info = EnrollmentSession.objects.get().machine_info
    assert info["PRODUCT"] == "iPhone17,2"
    assert "UDID" not in info and "SERIAL" not in info
    assert "U-1" not in str(info) and "C02X" not in str(info)


def test_byod_keeps_only_the_machine_info_apple_defines(
    org: dict[str, Any], transport: Any
) -> None:
    """A modified device adds its own keys to MachineInfo (a MAC address, a phone number, its
    name): a User Enrollment's session keeps only Apple's keys that it may send."""
    extra = {
        "WIFI_MAC": "a4:83:e7:12:34:56",
        "PHONE_NUMBER": "+44 7700 900123",
        "DEVICE_NAME": "Jo's personal iPhone",
        "Serial": "F2LXK0LZKXKN",
        "LANGUAGE": "en",
    }
    _enroll(transport, install=False, machine_info_extra=extra)
    info = EnrollmentSession.objects.get().machine_info
    assert info["PRODUCT"] == "iPhone17,2" and info["LANGUAGE"] == "en"
    for value in ("a4:83:e7", "+44 7700", "personal iPhone", "F2LXK0LZKXKN"):
        assert value not in str(info)


def test_full_user_enrollment_then_checkins(org: dict[str, Any], transport: Any) -> None:
    from devices.models import Enrollment

    result = _enroll(transport)
    device = account_device(transport, result)
    assert device.authenticate() == 200
    assert device.token_update() == 200
    status, _body = device.connect("Idle")
    assert status == 200
    enrollment = Enrollment.objects.get()
    assert enrollment.enrollment_type == "user"
    assert enrollment.enrollment_id == device.enrollment_id
    assert enrollment.device.udid is None and enrollment.device.serial_number is None
    assert enrollment.device.managed_apple_id == org["alice"].managed_apple_id
    assert enrollment.device.directory_user_id == org["alice"].pk
    session = EnrollmentSession.objects.get()
    assert session.enrollment_id == enrollment.pk
    assert session.status == "enrolled"


def test_unenroll_removes_exactly_the_enrollment_profile(
    org: dict[str, Any], transport: Any
) -> None:
    from devices import services
    from devices.models import Enrollment

    result, device = _polling(transport)
    device.installed_profiles[result.profile["PayloadIdentifier"]] = result.profile
    outcome = services.enqueue_command(
        enrollments=Enrollment.objects.all(), request_type="Unenroll"
    )
    assert outcome.queued
    (received,) = device.run()
    assert received.request_type == "RemoveProfile"
    assert received.command["Identifier"] == result.profile["PayloadIdentifier"]
    assert device.installed_profiles == {}


def test_expired_session_gets_a_challenge_not_a_bare_401(
    org: dict[str, Any], transport: Any
) -> None:
    result = _enroll(transport)
    device = account_device(transport, result)
    device.enroll()
    EnrollmentSession.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    body = plistlib.dumps({"Status": "Idle", **device.ids()})
    status, headers, _ = transport.request(
        "PUT",
        device.server_url,
        headers=device._headers(body, "application/x-apple-aspen-mdm"),
        body=body,
    )
    assert status == 401
    challenge = flow.parse_challenge(headers["www-authenticate"])
    assert challenge["method"] == "apple-as-web"
    assert challenge["url"].endswith("/authenticate")
    assert device.token_update() == 401
    # CheckOut is accepted whatever the token.
    assert device.check_out() == 200


def test_an_administrator_revoking_the_session_ends_the_enrollment(
    org: dict[str, Any], transport: Any
) -> None:
    from devices import signals
    from devices.models import Enrollment, QueuedCommand

    result = _enroll(transport)
    device = account_device(transport, result)
    device.enroll()
    enrollment = Enrollment.objects.get()
    assert QueuedCommand.objects.filter(
        enrollment=enrollment, status__in=QueuedCommand.PENDING
    ).exists()
    ended: list[str] = []
    signals.enrollment_ended.connect(
        lambda sender, reason, **kw: ended.append(reason), weak=False, dispatch_uid="test-ended"
    )
    try:
        assert services.revoke_session(session=EnrollmentSession.objects.get()) is True
        assert services.revoke_session(session=EnrollmentSession.objects.get()) is False
    finally:
        signals.enrollment_ended.disconnect(dispatch_uid="test-ended")
    assert ended == ["enrollment session revoked: revoked by an administrator"]
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.UNENROLLED and not enrollment.push_token
    assert find_issued_certificate(enrollment.cert_fingerprint).revoked_at is not None
    assert not QueuedCommand.objects.filter(
        enrollment=enrollment, status__in=QueuedCommand.PENDING
    ).exists()
    assert not EnrollmentToken.objects.filter(revoked_at__isnull=True).exists()
    # The device is refused (not challenged to sign in again): a new enrollment starts afresh.
    status, _ = device.connect("Idle")
    assert status == 403
    challenge_url = services.sign_in_url(services.default_configuration(), "mdm-byod")
    device.bearer = flow.web_sign_in(
        transport, challenge_url, user_identifier=f"alice@{DOMAIN}", password=PASSWORD
    )
    assert device.connect("Idle")[0] == 403


def test_an_expired_access_token_asks_for_a_new_sign_in(
    org: dict[str, Any], transport: Any
) -> None:
    result = _enroll(transport)
    device = account_device(transport, result)
    device.enroll()
    EnrollmentToken.objects.filter(kind="access").update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert device.connect("Idle")[0] == 401
    # The device signs in again (the challenge's URL) and retries with the new token.
    challenge_url = services.sign_in_url(services.default_configuration(), "mdm-byod")
    device.bearer = flow.web_sign_in(
        transport, challenge_url, user_identifier=f"alice@{DOMAIN}", password=PASSWORD
    )
    assert device.connect("Idle")[0] == 200
    # A token of somebody else never works.
    other = flow.web_sign_in(
        transport, challenge_url, user_identifier=f"carol@{DOMAIN}", password=PASSWORD
    )
    device.bearer = other
    assert device.connect("Idle")[0] == 401


def test_a_poll_with_its_own_sessions_token_is_checked_in_one_statement(
    org: dict[str, Any], transport: Any
) -> None:
    from django.test.utils import CaptureQueriesContext

    _, device = _polling(transport)
    with CaptureQueriesContext(connection) as queries:
        assert device.connect("Idle") == (200, b"")
    # The channel row, then the token with its session (enrollment.services.hooks).
    assert len(queries) == 2, [q["sql"][:120] for q in queries]
    assert "enrollment_enrollmenttoken" in queries[1]["sql"]
    # Whatever the one statement reads is still checked: a revoked token, a revoked session,
    # an expired session each ask for a new sign-in.
    token = EnrollmentToken.objects.get(kind="access")
    session = token.session
    past = timezone.now() - dt.timedelta(seconds=1)
    for stale, fresh in (
        ((EnrollmentToken, {"revoked_at": past}), (EnrollmentToken, {"revoked_at": None})),
        ((EnrollmentSession, {"revoked_at": past}), (EnrollmentSession, {"revoked_at": None})),
        (
            (EnrollmentSession, {"expires_at": past}),
            (EnrollmentSession, {"expires_at": session.expires_at}),
        ),
    ):
        row = token if stale[0] is EnrollmentToken else session
        stale[0].objects.filter(pk=row.pk).update(**stale[1])
        assert device.connect("Idle")[0] == 401, stale
        fresh[0].objects.filter(pk=row.pk).update(**fresh[1])
        assert device.connect("Idle") == (200, b"")


def test_token_is_single_use_for_the_profile(org: dict[str, Any], transport: Any) -> None:
    result = _enroll(transport, install=False)
    challenges = ScepChallenge.objects.count()
    identity = flow.throwaway_apple_identity()
    body = flow.machine_info_body(identity)
    status, headers, _ = flow.post_enroll(transport, result.base_url, body, bearer=result.bearer)
    assert status == 401
    assert flow.parse_challenge(headers["www-authenticate"])["method"] == "apple-as-web"
    assert ScepChallenge.objects.count() == challenges


def test_revocations_lock_tokens_before_sessions_as_a_profile_post_does(
    org: dict[str, Any], transport: Any
) -> None:
    """A profile POST locks its token, then its session (one SELECT ... FOR UPDATE of the two
    joined); a revocation that updated the session first and its tokens second deadlocked
    against it (PostgreSQL aborted one of them: a 500). Both revocations now write in the
    profile POST's order."""
    from django.test.utils import CaptureQueriesContext

    result = _enroll(transport, install=False)
    session = EnrollmentSession.objects.get()
    tables = ('"enrollment_enrollmenttoken"', '"enrollment_enrollmentsession"')

    def updated(revoke: Any) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            revoke()
        return [
            t
            for q in queries
            if q["sql"].startswith("UPDATE")
            for t in tables
            if t in q["sql"][:60]
        ]

    assert updated(lambda: services.revoke_session(session=session, end_enrollment=False)) == [
        *tables
    ]
    EnrollmentSession.objects.update(revoked_at=None)
    assert updated(
        lambda: services.revoke_sessions_of(
            enrollment_id=0, reason="x", reference=str(session.public_id)
        )
    ) == [*tables]
    assert result.bearer  # the session the POST would have locked


def test_the_challenge_that_begins_an_enrollment_is_not_logged_and_a_refused_token_is(
    org: dict[str, Any], transport: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The first POST without a token is answered 401 with the sign-in challenge (Apple's
    protocol, every enrollment): not a warning. A token that is refused still is one."""
    with caplog.at_level(logging.WARNING, logger="django.request"):
        result = _enroll(transport, install=False)
        first = [r for r in caplog.records if r.name == "django.request"]
        body = flow.machine_info_body(flow.throwaway_apple_identity())
        status, _headers, _ = flow.post_enroll(transport, result.base_url, body, bearer="made-up")
    refused = [r for r in caplog.records if r.name == "django.request"][len(first) :]
    assert first == []
    assert status == 401
    assert [(r.status_code, r.levelname) for r in refused] == [(401, "WARNING")]  # type: ignore[attr-defined]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL")
def test_the_profile_is_issued_by_one_statement_that_locks_the_token_first(
    org: dict[str, Any], transport: Any
) -> None:
    from django.test.utils import CaptureQueriesContext

    version, base_url = flow.discover(
        transport, SERVER, user_identifier=f"alice@{DOMAIN}", model_family="iPhone"
    )
    url = services.sign_in_url(services.default_configuration(), version)
    token = flow.web_sign_in(transport, url, user_identifier=f"alice@{DOMAIN}", password=PASSWORD)
    body = flow.machine_info_body(flow.throwaway_apple_identity())
    with CaptureQueriesContext(connection) as queries:
        status, _headers, profile = flow.post_enroll(transport, base_url, body, bearer=token)
    assert status == 200
    # (The configuration is read too in this test, which keeps no configuration generation.)
    statements = [
        q["sql"] for q in queries if "enrollment_enrollment" in q["sql"] or "scep" in q["sql"]
    ]
    # The token is stamped first (its row lock: a revocation, which locks tokens before
    # sessions, or a second POST with the same token waits for this one), then its session
    # and the SCEP challenge, each written only if the one before was.
    assert len(statements) == 1, statements
    assert statements[0].startswith('WITH t AS (UPDATE "enrollment_enrollmenttoken"')
    assert 'UPDATE "enrollment_enrollmentsession"' in statements[0]
    assert 'INSERT INTO "pki_scepchallenge"' in statements[0]
    session = EnrollmentSession.objects.get()
    assert session.status == EnrollmentSession.Status.PROFILE_ISSUED
    assert session.platform == "iOS" and session.machine_info
    assert EnrollmentToken.objects.get().profile_issued_at is not None
    challenge = ScepChallenge.objects.get()
    assert challenge.reference == session.public_id
    assert challenge.subject == f"MDM User Enrollment {session.public_id[:12]}"
    assert challenge.subject.encode() in profile
    # The same token again: refused, and read (locked) as before to say why.
    with CaptureQueriesContext(connection) as queries:
        status, headers, _ = flow.post_enroll(transport, base_url, body, bearer=token)
    assert status == 401 and "www-authenticate" in headers
    locking = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) == 1, locking
    joined = 'FROM "enrollment_enrollmenttoken" INNER JOIN "enrollment_enrollmentsession"'
    assert joined in locking[0] and "FOR UPDATE OF" not in locking[0]
    assert ScepChallenge.objects.count() == 1


def test_expired_sign_in_token(org: dict[str, Any], transport: Any) -> None:
    version, base_url = flow.discover(
        transport, SERVER, user_identifier=f"alice@{DOMAIN}", model_family="iPhone"
    )
    url = services.sign_in_url(services.default_configuration(), version)
    token = flow.web_sign_in(transport, url, user_identifier=f"alice@{DOMAIN}", password=PASSWORD)
    EnrollmentToken.objects.update(profile_deadline=timezone.now() - dt.timedelta(seconds=1))
    body = flow.machine_info_body(flow.throwaway_apple_identity())
    status, headers, _ = flow.post_enroll(transport, base_url, body, bearer=token)
    assert status == 401 and "www-authenticate" in headers
    assert not ScepChallenge.objects.exists()


@pytest.mark.parametrize(
    ("who", "password", "status", "message"),
    [
        ("alice", "wrong-password", 200, "not correct"),
        ("bob", PASSWORD, 403, "disabled"),
        ("nobody", PASSWORD, 200, "No account"),
    ],
)
def test_sign_in_errors(
    org: dict[str, Any], client: Any, who: str, password: str, status: int, message: str
) -> None:
    url = services.sign_in_url(services.default_configuration(), "mdm-byod").removeprefix(SERVER)
    page = client.get(url, {"user-identifier": f"{who}@{DOMAIN}"})
    assert page.status_code == 200
    assert f'value="{who}@{DOMAIN}"' in page.content.decode()
    response = client.post(url, {"identifier": f"{who}@{DOMAIN}", "password": password})
    assert response.status_code == status
    assert message in response.content.decode()
    assert not EnrollmentSession.objects.exists()


def test_sign_in_outside_the_configured_domains(org: dict[str, Any], client: Any) -> None:
    config = services.default_configuration()
    config.domains = ["corp.example.org"]
    config.save()
    url = services.sign_in_url(config, "mdm-byod").removeprefix(SERVER)
    response = client.post(url, {"identifier": f"alice@{DOMAIN}", "password": PASSWORD})
    assert response.status_code == 403
    assert "cannot enroll here" in response.content.decode()
    assert not EnrollmentSession.objects.exists()


def test_sign_in_outside_the_allowed_groups(org: dict[str, Any], client: Any) -> None:
    config = services.default_configuration()
    config.groups = ["BYOD pilots"]
    config.save()
    url = services.sign_in_url(config, "mdm-byod").removeprefix(SERVER)
    response = client.post(url, {"identifier": f"alice@{DOMAIN}", "password": PASSWORD})
    assert response.status_code == 403
    assert "not in a group" in response.content.decode()


def test_account_driven_device_enrollment_for_a_mac(org: dict[str, Any], transport: Any) -> None:
    from devices.models import Enrollment

    config = services.default_configuration()
    config.family_versions = {"Mac": "mdm-adde"}
    config.save()
    result = _enroll(transport, model_family="Mac", product="Mac15,3", os_version="15.2")
    assert result.version == "mdm-adde"
    mdm = result.mdm_payload
    assert mdm["EnrollmentMode"] == "ADDE"
    assert mdm["AccessRights"] == EnrollmentSettings.load().device_access_rights
    device = account_device(transport, result, platform="macOS")
    # macOS sends no token on the device channel.
    device.bearer = None
    device.enroll()
    assert device.connect("Idle")[0] == 200
    enrollment = Enrollment.objects.get()
    assert enrollment.enrollment_type == "adde"
    assert enrollment.device.udid == device.udid
    assert EnrollmentSession.objects.get().enrollment_type == "adde"


def test_oauth2_sign_in_and_refresh(org: dict[str, Any], transport: Any) -> None:
    config = services.default_configuration()
    config.sign_in_method = EnrollmentConfiguration.SignIn.OAUTH2
    config.save()
    result = _enroll(transport)
    assert result.challenge["method"] == "apple-oauth2"
    assert result.challenge["redirect-url"].startswith("apple-remotemanagement-user-login:")
    assert result.oauth_tokens["token_type"] == "Bearer"
    assert result.oauth_tokens["expires_in"] == 3600
    first_refresh = result.oauth_tokens["refresh_token"]
    tokens = flow.refresh_access_token(transport, result)
    assert tokens["access_token"] != result.oauth_tokens.get("first")
    # Refresh tokens rotate: the old one is refused.
    with pytest.raises(flow.EnrollmentFlowError) as err:
        flow.token_request(
            transport,
            result.challenge["token-url"],
            {
                "grant_type": "refresh_token",
                "refresh_token": first_refresh,
                "client_id": config.oauth_client_id,
            },
        )
    assert err.value.status == 400 and b"invalid_grant" in err.value.body
    # A revoked session cannot refresh: the device must authenticate again.
    services.revoke_session(session=EnrollmentSession.objects.get())
    with pytest.raises(flow.EnrollmentFlowError) as err:
        flow.refresh_access_token(transport, result)
    assert b"invalid_grant" in err.value.body


def test_oauth2_expired_access_token_then_refresh(org: dict[str, Any], transport: Any) -> None:
    config = services.default_configuration()
    config.sign_in_method = EnrollmentConfiguration.SignIn.OAUTH2
    config.save()
    result = _enroll(transport)
    device = account_device(transport, result)
    device.enroll()
    EnrollmentToken.objects.filter(kind="access").update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert device.connect("Idle")[0] == 401
    device.bearer = flow.refresh_access_token(transport, result)["access_token"]
    assert device.connect("Idle")[0] == 200


def test_oauth2_code_replay_revokes(org: dict[str, Any], client: Any) -> None:
    config = services.default_configuration()
    config.sign_in_method = EnrollmentConfiguration.SignIn.OAUTH2
    config.save()
    code = services.oauth_authorize(
        configuration=config,
        version="mdm-byod",
        identifier=f"alice@{DOMAIN}",
        password=PASSWORD,
        client_id=config.oauth_client_id,
        redirect_uri=services.OAUTH_REDIRECT_URL,
    )
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": services.OAUTH_REDIRECT_URL,
        "client_id": config.oauth_client_id,
    }
    url = f"/enroll/oauth2/{config.slug}/token"
    first = client.post(url, form)
    assert first.status_code == 200 and "no-store" in first["Cache-Control"]
    second = client.post(url, form)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    assert EnrollmentSession.objects.get().revoked_at is not None
    bad = client.post(url, {**form, "client_id": "nope"})
    assert bad.status_code == 401


def test_no_push_certificate_is_a_clear_error(org: dict[str, Any], transport: Any) -> None:
    remove_push_certificates()
    # Discovery already tells the device, with the message it shows.
    with pytest.raises(flow.EnrollmentFlowError) as err:
        _enroll(transport)
    assert err.value.step == "discovery" and err.value.status == 403
    assert (
        b"com.apple.well-known.failed" in err.value.body and b"push certificate" in err.value.body
    )
    # A device that skips discovery gets a 403 with the reason at the profile step, never a 500.
    config = services.default_configuration()
    token = flow.web_sign_in(
        transport,
        services.sign_in_url(config, "mdm-byod"),
        user_identifier=f"alice@{DOMAIN}",
        password=PASSWORD,
    )
    body = flow.machine_info_body(flow.throwaway_apple_identity())
    status, _headers, reply = flow.post_enroll(
        transport, services.base_url(config, "mdm-byod"), body, bearer=token
    )
    assert status == 403 and b"push certificate" in reply
    assert not ScepChallenge.objects.exists()


def test_pkcs12_identity_alternative(org: dict[str, Any], transport: Any) -> None:
    config = services.default_configuration()
    config.identity_kind = EnrollmentConfiguration.Identity.PKCS12
    config.save()
    result = _enroll(transport)
    payload = flow.payload_of(result.profile, "com.apple.security.pkcs12")
    assert result.mdm_payload["IdentityCertificateUUID"] == payload["PayloadUUID"]
    issued = find_issued_certificate(_fingerprint(result.identity_certificate))
    assert issued is not None
    assert issued.reference == EnrollmentSession.objects.get().public_id


@pytest.mark.parametrize(("cipher", "digest"), [("aes128", "sha256"), ("3des", "sha1")])
def test_scep_envelopes_with_the_enrollment_challenge(
    org: dict[str, Any], transport: Any, cipher: str, digest: str
) -> None:
    result = _enroll(transport, install=False)
    scep = flow.payload_of(result.profile, "com.apple.security.scep")
    issued = flow.scep_enroll(transport, scep, cipher=cipher, digest=digest)
    row = find_issued_certificate(_fingerprint(issued.certificate))
    assert row is not None and row.reference == EnrollmentSession.objects.get().public_id
    # The challenge is one-time: a second device cannot use it.
    with pytest.raises(flow.EnrollmentFlowError, match="FAILURE"):
        flow.scep_enroll(transport, scep, cipher=cipher, digest=digest)


def test_garbage_scep_message_is_refused(org: dict[str, Any], client: Any) -> None:
    response = client.post(
        "/scep?operation=PKIOperation", b"garbage", content_type="application/x-pki-message"
    )
    assert response.status_code == 400
    assert b"not CMS SignedData" in response.content


def test_profile_signature_verifies_with_openssl(
    org: dict[str, Any], transport: Any, tmp_path: Path
) -> None:
    version, base_url = flow.discover(
        transport, SERVER, user_identifier=f"alice@{DOMAIN}", model_family="iPhone"
    )
    token = flow.web_sign_in(
        transport,
        services.sign_in_url(services.default_configuration(), version),
        user_identifier=f"alice@{DOMAIN}",
        password=PASSWORD,
    )
    body = flow.machine_info_body(flow.throwaway_apple_identity())
    status, headers, signed = flow.post_enroll(transport, base_url, body, bearer=token)
    assert status == 200
    assert headers["content-type"] == "application/x-apple-aspen-config"
    from cryptography.hazmat.primitives.serialization import Encoding

    from mdm_server.pki.services import active_identity

    ca_pem = active_identity("ca").certificate.public_bytes(Encoding.PEM)
    profile = plistlib.loads(openssl.verify_signed(signed, ca_pem, tmp_path))
    assert profile["PayloadType"] == "Configuration"


def test_mac_user_enrollment_token_only_on_the_user_channel(
    org: dict[str, Any], transport: Any
) -> None:
    from devices.models import Enrollment

    result = _enroll(transport, model_family="Mac", product="Mac15,3", os_version="15.2")
    assert result.mdm_payload["EnrollmentMode"] == "BYOD"
    device = account_device(transport, result, platform="macOS")
    bearer, device.bearer = device.bearer, None
    device.enroll()  # the device channel carries no token on macOS
    assert device.token_update(user="u-1") == 401  # the user channel must carry it
    device.bearer = bearer
    assert device.token_update(user="u-1") == 200
    user_channel = Enrollment.objects.get(channel="user")
    assert user_channel.parent is not None and user_channel.parent.enrollment_type == "user"
    assert EnrollmentSession.objects.get().enrollment_id == user_channel.parent_id


def test_flow_over_real_http(org: dict[str, Any], live_server: Any, settings: Any) -> None:
    from tests.simulator.transport import HttpTransport

    settings.PUBLIC_URL = live_server.url
    transport = HttpTransport(timeout=10)
    try:
        result = flow.enroll_account_driven(
            transport, live_server.url, user_identifier=f"alice@{DOMAIN}", password=PASSWORD
        )
    finally:
        transport.close()
    assert result.mdm_payload["ServerURL"] == f"{live_server.url}/mdm/connect"
    issued = find_issued_certificate(_fingerprint(result.identity_certificate))
    assert issued is not None and issued.reference == EnrollmentSession.objects.get().public_id


def test_repeated_wrong_passwords_pause_the_account(org: dict[str, Any], client: Any) -> None:
    from enrollment import directory_access

    url = services.sign_in_url(services.default_configuration(), "mdm-byod").removeprefix(SERVER)
    for _ in range(directory_access.MAX_FAILURES):
        response = client.post(url, {"identifier": f"alice@{DOMAIN}", "password": "wrong"})
        assert "not correct" in response.content.decode()
    response = client.post(url, {"identifier": f"alice@{DOMAIN}", "password": PASSWORD})
    assert response.status_code == 403
    assert "Too many failed sign-ins" in response.content.decode()
    assert not EnrollmentSession.objects.exists()
    # Other accounts are not affected.
    response = client.post(url, {"identifier": f"carol@{DOMAIN}", "password": PASSWORD})
    assert response.status_code == 308


def test_a_successful_sign_in_clears_the_earlier_failures(org: dict[str, Any], client: Any) -> None:
    from enrollment import directory_access

    url = services.sign_in_url(services.default_configuration(), "mdm-byod").removeprefix(SERVER)
    for _ in range(2):
        for _ in range(directory_access.MAX_FAILURES - 1):
            client.post(url, {"identifier": f"alice@{DOMAIN}", "password": "wrong"})
        response = client.post(url, {"identifier": f"alice@{DOMAIN}", "password": PASSWORD})
        assert response.status_code == 308


CONFIGURATION_TABLES = (
    "enrollment_enrollmentsettings",
    "enrollment_enrollmentconfiguration",
    "directory_managedappleiddomain",
    "directory_identitysource",
    "apns_pushcertificate",
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("config_generation")
def test_a_second_enrollment_reads_no_configuration_and_keeps_its_statement_budget(
    org: dict[str, Any], transport: Any, monkeypatch: pytest.MonkeyPatch, fake_apns: FakeAPNs
) -> None:
    from devices.services import checkin

    # The gateway answers every push 503: each push is tried, then retried (MAX_RETRIES), as
    # with no gateway at all, but without aioapns' one-second pause after each failed connection.
    fake_apns.state.default = (503, "ServiceUnavailable")
    account_device(transport, _enroll(transport)).enroll()  # the first one reads (and keeps) it
    statements: list[str] = []
    inventory: list[str] = []  # those of the inventory queued at the first TokenUpdate
    pushes: list[str] = []  # after it: its push, in-process here (the workers' part)
    target = statements
    queue_inventory = checkin.queue_first_commands

    def counted_inventory(**kwargs: Any) -> int:
        nonlocal target
        target = inventory
        try:
            return queue_inventory(**kwargs)
        finally:
            target = pushes

    monkeypatch.setattr(checkin, "queue_first_commands", counted_inventory)

    def record(execute: Any, sql: str, *args: Any) -> Any:
        if sql.startswith("BEGIN"):  # SQLite opens its transactions with a statement
            return execute(sql, *args)
        # The session lookups after commit belong to the enrollment (binding, replacement).
        (statements if "enrollment_enrollmentsession" in sql else target).append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(record):
        account_device(
            transport, _enroll(transport)
        ).enroll()  # raises unless each step answers 200
    from devices.models import Enrollment, QueuedCommand

    enrolled = Enrollment.objects.filter(status=Enrollment.Status.ENROLLED)
    assert enrolled.count() == 2
    # Each channel: the inventory (5) and the DeclarativeManagement turning declarations on.
    assert QueuedCommand.objects.filter(enrollment__in=enrolled).count() == 12
    assert [s for s in statements if any(t in s for t in CONFIGURATION_TABLES)] == []
    # Discovery to TokenUpdate with a local sign-in: 15 statements today outside the first
    # commands (the profile POST stamps its token, updates its session and inserts its SCEP
    # challenge in one; SCEP claims its challenge and records the certificate in one; Authenticate
    # reads its new channel, the certificate it presents and that certificate's session in
    # one, and inserts the Device, its channel and its log row, and binds its session, in one;
    # the first TokenUpdate's channel
    # and log row are written with its first commands; whether a re-enrollment link's device
    # is to be replaced was read with the TokenUpdate's bearer token); a budget, so that a
    # change adding statements to every enrollment is a decision, not an accident.
    assert len(statements) <= 15, "\n".join(s[:120] for s in statements)
    context = 'SELECT "enrollment_enrollmentsession"."enrollment_type"'
    assert not [s for s in statements if s.startswith(context)], statements
    bind = 'UPDATE "enrollment_enrollmentsession" SET "enrollment_id"'
    assert not [s for s in statements if s.startswith(bind)], statements
    assert [s for s in statements if s.startswith("WITH d AS") and bind in s], statements
    replaces = 'SELECT "enrollment_enrollmentsession"."replaces_id" AS'
    assert not [s for s in statements if s.startswith(replaces)], statements
    # No app is required anywhere (the per-process configuration says so): no statement asks
    # which apps this enrollment must get.
    everything = statements + inventory + pushes
    assert not [s for s in everything if "managed_apps_appassignment" in s]
    # The first commands: the profiles assigned to the channel (one query, whatever their
    # number; none here), then the inventory's five and the first DeclarativeManagement in one
    # multi-command enqueue (one statement for the commands and their queue rows, with the
    # outbox's INSERT ... SELECT of the device if it is pushable), where six separate enqueues
    # took more than 30. The push topic comes from the per-process configuration: no push
    # certificate is read. The receivers of the first commands (the profiles', the
    # declarations') and the enqueue run without a savepoint of their own: should one fail, the
    # whole check-in is undone and done again with one (`checkin._checkin_once`), where SQL
    # failing in one does not abort the TokenUpdate's transaction.
    written = [s.split(" (")[0] for s in inventory if s.startswith(("INSERT", "WITH"))]
    assert written == ["WITH u AS"], inventory
    together = next(s for s in inventory if s.startswith("WITH"))
    assert 'UPDATE "devices_enrollment"' in together  # the TokenUpdate's channel, and its log
    assert 'INSERT INTO "devices_deviceevent"' in together
    assert 'INSERT INTO "devices_command"' in together
    assert 'INSERT INTO "devices_queuedcommand"' in together
    assert 'INSERT INTO "apns_pendingpush"' in together
    assert len(inventory) == 2, "\n".join(s[:120] for s in inventory)
    assert sum('FROM "profiles_profile"' in s for s in inventory) == 1, inventory
    assert not [s for s in inventory if s.startswith("SAVEPOINT")], inventory
    assert not [s for s in inventory if s.startswith("RELEASE")], inventory
    assert not [s for s in inventory if "apns_pushcertificate" in s]
    # The one push for them all (tried, then retried, in-process here) reads only the push
    # certificate of the configuration.
    config_reads = [s for s in pushes if any(t in s for t in CONFIGURATION_TABLES)]
    assert config_reads and all("apns_pushcertificate" in s for s in config_reads), config_reads
    # Each channel's push was tried, then retried until it gave up: the retries were read too.
    tries = Counter(r.token for r in fake_apns.state.received)
    assert len(tries) == 2 and set(tries.values()) == {MAX_RETRIES + 1}, tries


def test_the_pause_counts_the_account_not_the_spelling_and_says_when(
    org: dict[str, Any], client: Any
) -> None:
    import time

    from enrollment import directory_access

    url = services.sign_in_url(services.default_configuration(), "mdm-byod").removeprefix(SERVER)
    alice = org["alice"]
    spellings = ["alice", f"alice@{DOMAIN}", f"ALICE@{DOMAIN.upper()}", " Alice "]
    if alice.managed_apple_id:
        spellings.append(alice.managed_apple_id)
    for n in range(directory_access.MAX_FAILURES):
        response = client.post(url, {"identifier": spellings[n % len(spellings)], "password": "x"})
        assert "not correct" in response.content.decode()
    before = time.time()
    for spelling in spellings:
        response = client.post(url, {"identifier": spelling, "password": PASSWORD})
        assert response.status_code == 403, spelling
        page = response.content.decode()
        assert "Too many failed sign-ins" in page
        shown = re.search(r"Try again after (\d\d:\d\d) UTC \(in (\d+) minutes\)", page)
        assert shown is not None, page
        expected = {
            time.strftime("%H:%M", time.gmtime(t + directory_access.PAUSE_SECONDS))
            for t in (before - 5, time.time())
        }
        assert shown[1] in expected
        assert int(shown[2]) in (
            directory_access.PAUSE_SECONDS // 60,
            directory_access.PAUSE_SECONDS // 60 - 1,
        )
    assert not EnrollmentSession.objects.exists()
    # carol is another account: not paused.
    assert client.post(url, {"identifier": "carol", "password": PASSWORD}).status_code == 308


@pytest.mark.django_db(
    transaction=True
)  # Django's WSGI handler closes a connection in a transaction
@pytest.mark.usefixtures("fake_apns")  # the pushes after commit go out to a gateway that answers
def test_an_expired_bearer_token_gets_the_views_challenge_through_the_shortcut(
    org: dict[str, Any], transport: Any
) -> None:
    """The Idle-poll shortcut must not answer a device whose access token has expired: Django's
    view answers it, 401 with the challenge that makes the device sign in again."""
    from django.core.wsgi import get_wsgi_application

    from devices.connect_shortcut import IdlePollShortcut
    from tests.simulator import WSGITransport

    calls: list[str] = []
    django = get_wsgi_application()

    def counting(environ: dict[str, Any], start_response: Any) -> Any:
        calls.append(environ["PATH_INFO"])
        return django(environ, start_response)

    result = _enroll(transport)
    device = account_device(WSGITransport(IdlePollShortcut(counting)), result)
    device.enroll()  # Authenticate and TokenUpdate, carrying the bearer token
    calls.clear()
    idle = plistlib.dumps({"Status": "Idle", **device.ids()})
    headers = device._headers(idle, "application/x-apple-aspen-mdm")
    status, _, _ = device.transport.request("PUT", device.server_url, headers=headers, body=idle)
    assert status == 200 and calls == []  # a valid token: answered by the shortcut

    # The token's lifetime ends (its expiry moves into the past; nothing is patched).
    expired = timezone.now() - dt.timedelta(seconds=1)
    assert EnrollmentToken.objects.filter(kind=EnrollmentToken.Kind.ACCESS).update(
        expires_at=expired
    )
    status, answer_headers, reason = device.transport.request(
        "PUT", device.server_url, headers=headers, body=idle
    )
    assert (status, reason) == (401, b"authorization expired")
    assert answer_headers["www-authenticate"].startswith('Bearer method="apple-as-web"')
    assert calls == ["/mdm/connect"]


@pytest.mark.parametrize(
    ("group_ownership", "expected"),
    [("", "personal"), ("corporate", "corporate"), ("personal", "personal")],
)
def test_a_user_enrollment_s_device_takes_the_group_s_default_ownership(
    org: dict[str, Any], transport: Any, group_ownership: str, expected: str
) -> None:
    """No group setting: a User Enrollment is a personal device. The group that decides the
    person's enrollment kind sets the ownership of their new devices."""
    from devices.models import Enrollment
    from directory.models import DirectoryGroup

    if group_ownership:
        group = DirectoryGroup.objects.create(
            name="Phones", apple_enrollment_type="user", default_ownership=group_ownership
        )
        org["alice"].groups.add(group)
    device = account_device(transport, _enroll(transport))
    device.enroll()
    enrollment = Enrollment.objects.get()
    assert enrollment.enrollment_type == "user"
    assert enrollment.device.ownership == expected
    assert enrollment.device.user_enrollment is True


def test_an_account_driven_device_enrollment_is_corporate_and_keeps_its_ownership(
    org: dict[str, Any], transport: Any
) -> None:
    from devices.models import Device, Enrollment
    from directory.models import DirectoryGroup

    config = services.default_configuration()
    config.family_versions = {"Mac": "mdm-adde"}
    config.save()
    result = _enroll(transport, model_family="Mac", product="Mac15,3", os_version="15.2")
    device = account_device(transport, result, platform="macOS")
    device.bearer = None
    device.enroll()
    channel = Enrollment.objects.get()
    assert (channel.enrollment_type, channel.device.ownership) == ("adde", "corporate")
    assert channel.device.user_enrollment is False and channel.device.udid == device.udid
    # A later group setting does not rewrite a known device; its user channel shares it.
    group = DirectoryGroup.objects.create(
        name="Macs", apple_enrollment_type="device", default_ownership="personal"
    )
    org["alice"].groups.add(group)
    device.bearer = result.bearer  # macOS sends it on the user channel
    assert device.token_update(user="U1") == 200
    assert Device.objects.get().ownership == "corporate"
    assert Device.objects.get().user_short_name == "U1"
    user = Enrollment.objects.get(channel=Enrollment.Channel.USER)
    assert user.device_id == channel.device_id


@pytest.mark.django_db(transaction=True)  # Django's WSGI handler closes a connection in one
def test_the_sign_in_page_links_to_the_privacy_page_under_any_script_prefix(
    org: dict[str, Any],
) -> None:
    """Through the WSGI handler, which takes the script prefix from each request's SCRIPT_NAME
    (the test client does not)."""
    from wsgiref.util import setup_testing_defaults

    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()
    path = services.sign_in_url(services.default_configuration(), "mdm-byod").removeprefix(SERVER)

    def page(script_name: str) -> str:
        environ: dict[str, Any] = {"PATH_INFO": path, "SCRIPT_NAME": script_name}
        setup_testing_defaults(environ)
        environ["SERVER_NAME"] = "127.0.0.1"  # an allowed host
        statuses: list[str] = []
        body = b"".join(handler(environ, lambda status, headers: statuses.append(status)))
        assert statuses == ["200 OK"]
        return body.decode()

    assert '<a href="/enroll/privacy/" target="_blank"' in page("")
    # Mounted under /mdm by the web server: the link carries the prefix, then no longer does.
    assert '<a href="/mdm/enroll/privacy/" target="_blank"' in page("/mdm")
    assert '<a href="/enroll/privacy/" target="_blank"' in page("")


@pytest.mark.postgres  # one statement on PostgreSQL; elsewhere the three writes in turn
def test_the_profile_post_writes_its_session_token_and_scep_challenge_in_one_statement(
    org: dict[str, Any], transport: Any
) -> None:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = _enroll(transport, install=False)
    challenges = [q["sql"] for q in queries if "pki_scepchallenge" in q["sql"]]
    assert len(challenges) == 1, challenges
    assert challenges[0].startswith("WITH")
    assert '"enrollment_enrollmentsession"' in challenges[0]
    assert '"enrollment_enrollmenttoken"' in challenges[0]
    session = EnrollmentSession.objects.get()
    assert session.status == EnrollmentSession.Status.PROFILE_ISSUED
    assert EnrollmentToken.objects.get(kind="access").profile_issued_at is not None
    # The challenge in the profile is the one stored for this session.
    scep = flow.payload_of(result.profile, "com.apple.security.scep")["PayloadContent"]
    stored = ScepChallenge.objects.get()
    assert stored.reference == session.public_id
    assert stored.challenge_hash == hashlib.sha256(scep["Challenge"].encode()).hexdigest()


@pytest.mark.postgres
def test_the_profile_posts_statement_sends_its_values_apart_from_the_sql(
    org: dict[str, Any], transport: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the cursor the check-ins' statements use (server-side binding), not Django's
    default one, which quotes each value into the SQL in Python."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    from devices import hotpath

    used: list[Any] = []
    bound_cursor = hotpath.bound_cursor

    def recording(connection: Any) -> Any:
        cursor = bound_cursor(connection)
        used.append(cursor.cursor)
        return cursor

    monkeypatch.setattr(hotpath, "bound_cursor", recording)
    _enroll(transport, install=False)
    assert len(used) == 1 and isinstance(used[0], ServerBindingCursor)
    assert EnrollmentSession.objects.get().status == EnrollmentSession.Status.PROFILE_ISSUED
    assert ScepChallenge.objects.get().reference == EnrollmentSession.objects.get().public_id


def _issued_rows(transport: Any) -> dict[str, Any]:
    """The rows a profile POST wrote for a new sign-in of alice's (values that differ by
    nature, such as keys, secrets and times, left out or checked against each other)."""
    version, base_url = flow.discover(
        transport, SERVER, user_identifier=f"alice@{DOMAIN}", model_family="iPhone"
    )
    url = services.sign_in_url(services.default_configuration(), version)
    token = flow.web_sign_in(transport, url, user_identifier=f"alice@{DOMAIN}", password=PASSWORD)
    body = flow.machine_info_body(flow.throwaway_apple_identity())
    before = timezone.now()
    status, headers, profile = flow.post_enroll(transport, base_url, body, bearer=token)
    after = timezone.now()
    assert status == 200, profile
    session = EnrollmentSession.objects.order_by("-pk").first()
    assert session is not None
    issued = EnrollmentToken.objects.get(session=session).profile_issued_at
    assert issued is not None and before <= issued <= after
    challenge = ScepChallenge.objects.get(reference=session.public_id)
    assert before + dt.timedelta(hours=1) <= challenge.expires_at <= after + dt.timedelta(hours=1)
    assert before <= challenge.created_at <= after and challenge.used_at is None
    ignored = {"id", "public_id", "created_at", "expires_at"}
    return {
        "status": status,
        "content-type": headers.get("content-type"),
        "session": {k: v for k, v in _columns(session).items() if k not in ignored},
        "challenge": (challenge.subject.replace(session.public_id[:12], "<id>"), challenge.renews),
        "profile": profile.count(session.public_id[:12].encode()) > 0,
    }


def _columns(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_the_one_statement_writes_what_the_two_statements_wrote(
    org: dict[str, Any], transport: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from enrollment.services import core

    one = _issued_rows(transport)
    monkeypatch.setattr(core, "_issue_in_one_statement", lambda **kwargs: None)
    two = _issued_rows(transport)
    assert one == two
    assert one["session"]["status"] == EnrollmentSession.Status.PROFILE_ISSUED


def _signed_in(configuration: Any) -> dict[str, Any]:
    """The rows a web sign-in of alice's wrote, and the session it returned (values that differ
    by nature, such as keys, secrets and times, left out or checked against each other)."""
    from enrollment.models import EnrollmentSettings

    options = EnrollmentSettings.current()
    before = timezone.now()
    session, secret = services.sign_in_account_user(
        configuration=configuration,
        version="mdm-byod",
        identifier=f"alice@{DOMAIN}",
        password=PASSWORD,
    )
    after = timezone.now()
    stored = EnrollmentSession.objects.get(pk=session.pk)
    assert _columns(stored) == _columns(session)  # the session returned is the row saved
    assert session.configuration is configuration and not session._state.adding
    token = EnrollmentToken.objects.get(session=stored)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert before <= stored.created_at <= after and before <= token.created_at <= after
    assert token.expires_at == stored.expires_at
    ttl = dt.timedelta(days=options.session_ttl_days)
    assert before + ttl <= stored.expires_at <= after + ttl
    deadline = dt.timedelta(minutes=options.token_ttl_minutes)
    assert token.profile_deadline is not None
    assert before + deadline <= token.profile_deadline <= after + deadline
    assert len(stored.public_id) == 32
    varying = {"id", "public_id", "created_at", "expires_at", "session_id", "token_hash"}
    return {
        "session": {k: v for k, v in _columns(stored).items() if k not in varying},
        "token": {
            k: v for k, v in _columns(token).items() if k not in varying | {"profile_deadline"}
        },
    }


def test_a_sign_in_writes_what_save_wrote(
    org: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from enrollment.services import core

    configuration = services.default_configuration()
    write = core._write_account_session
    written: list[Any] = []
    monkeypatch.setattr(
        core,
        "_write_account_session",
        lambda **kwargs: written.append(write(**kwargs)) or written[-1],
    )
    direct = _signed_in(configuration)
    assert len(written) == 1 and written[0] is not None  # the direct statement wrote them
    monkeypatch.setattr(core, "_write_account_session", lambda **kwargs: None)
    saved = _signed_in(configuration)
    assert direct == saved
    assert direct["session"]["status"] == EnrollmentSession.Status.AUTHENTICATED
    assert direct["token"]["kind"] == EnrollmentToken.Kind.ACCESS
