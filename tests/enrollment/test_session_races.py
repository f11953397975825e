"""Two enrollment requests at once on PostgreSQL: one SCEP challenge used twice, a session revoked
while its first Authenticate runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import connection
from django.utils import timezone

from tests import races
from tests.enrollment._issued import identity_issued_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    from mdm_server.pki import certificates

    return certificates.new_rsa_key(2048)


@pytest.fixture(scope="module")
def other_rsa_key() -> rsa.RSAPrivateKey:
    from mdm_server.pki import certificates

    return certificates.new_rsa_key(2048)


def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("DATABASE_URL is not PostgreSQL")


def test_two_concurrent_pkcsreqs_with_one_challenge_get_one_certificate(
    server_pki: Any, rsa_key: rsa.RSAPrivateKey, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    """The second claim waits for the first's row lock, then matches nothing, and the
    transaction path refuses it (another transactionID and key): one row, one certificate."""
    from mdm_server.pki import scep, services
    from mdm_server.pki.models import IssuedCertificate, ScepChallenge
    from tests.simulator import scep_client

    _postgres()
    ca = server_pki.ca.identity()
    challenge = services.create_scep_challenge(reference="race")
    messages = [
        scep_client.build_pkcs_req(
            key=k, subject_cn="d", challenge=challenge, ca_cert=ca.certificate
        )
        for k in (rsa_key, other_rsa_key)
    ]

    def send(n: int) -> Any:
        message, _tid, self_signed = messages[n]
        reply = services.handle_scep_request(message=message)
        return scep_client.parse_cert_rep(
            reply,
            key=(rsa_key, other_rsa_key)[n],
            self_signed_cert=self_signed,
            ca_cert=ca.certificate,
        )

    first, second = races.second_waits_for_first(lambda: send(0), lambda: send(1))
    assert first.ok, first
    assert second.status == scep.PkiStatus.FAILURE and second.certificate is None
    assert IssuedCertificate.objects.get().reference == "race"
    assert ScepChallenge.objects.get().used_at is not None


def test_a_session_revoked_while_its_first_authenticate_runs_does_not_enroll(
    server_pki: Any,
) -> None:
    """The Authenticate reads the portal session unrevoked (the revocation has not committed);
    its bind UPDATE waits for the revoking transaction's row lock and, once that commits, must
    match nothing: the revocation saw no channel bound and unenrolls nothing, so a bind then
    would leave a channel enrolled with a revoked session (its status set back to enrolled)."""
    from devices import protocol
    from devices import services as device_services
    from devices.exceptions import CheckinRejected
    from devices.models import Enrollment
    from enrollment.models import EnrollmentSession
    from enrollment.services.core import revoke_session

    _postgres()
    now = timezone.now()
    session = EnrollmentSession.objects.create(
        kind="portal",
        enrollment_type="device",
        user_identifier="alice@example.com",
        expires_at=now + dt.timedelta(days=1),
    )
    identity = identity_issued_for(session.public_id, "d" * 64)

    def authenticate() -> Any:
        message = protocol.checkin_from_dict(
            {"MessageType": "Authenticate", "UDID": "RACE-UDID", "OSVersion": "18.2"}
        )
        try:
            return device_services.handle_checkin(identity=identity, message=message)
        except CheckinRejected as exc:
            return exc

    _revoked, answer = races.second_waits_for_first(
        lambda: revoke_session(session=EnrollmentSession.objects.get(pk=session.pk)),
        authenticate,
    )
    session.refresh_from_db()
    assert session.revoked_at is not None
    # As when the revocation came first: the revoked session enrolls nothing.
    assert isinstance(answer, CheckinRejected), (answer, session.status, session.enrollment_id)
    assert answer.status == 403 and "revoked" in answer.reason
    assert session.status == EnrollmentSession.Status.REVOKED
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("change", ["revoked", "configuration deleted"])
def test_a_session_changed_while_its_profile_post_waits_gets_no_profile(
    org: Any, transport: Any, change: str
) -> None:
    """The one-statement profile POST checked the session only as the statement began: a writer
    of the session alone (a revocation, a configuration deleted: SET NULL) that committed while
    the POST's UPDATE of the session waited for its lock did not stop it, and a profile and its
    SCEP challenge were issued for a revoked session or another configuration."""
    from enrollment import services
    from enrollment.models import EnrollmentSession
    from mdm_server.pki.models import ScepChallenge
    from tests.enrollment.conftest import DOMAIN, PASSWORD
    from tests.simulator import enrollment_flow as flow

    _postgres()
    server = "http://127.0.0.1:8000"
    version, base_url = flow.discover(
        transport, server, user_identifier=f"alice@{DOMAIN}", model_family="iPhone"
    )
    url = services.sign_in_url(services.default_configuration(), version)
    token = flow.web_sign_in(transport, url, user_identifier=f"alice@{DOMAIN}", password=PASSWORD)
    body = flow.machine_info_body(flow.throwaway_apple_identity())
    session = EnrollmentSession.objects.get()
    changes = (
        {"revoked_at": timezone.now(), "status": EnrollmentSession.Status.REVOKED}
        if change == "revoked"
        else {"configuration": None}
    )

    def hold() -> int:
        return EnrollmentSession.objects.filter(pk=session.pk).update(**changes)

    def post() -> Any:
        return flow.post_enroll(transport, base_url, body, bearer=token)

    held, answer = races.second_waits_for_first(hold, post)
    assert held == 1
    assert not isinstance(answer, Exception), answer
    status, _, text = answer
    assert status in (401, 403), (status, text[:200])
    assert not ScepChallenge.objects.filter(reference=session.public_id).exists()
    session.refresh_from_db()
    assert session.status != EnrollmentSession.Status.PROFILE_ISSUED
