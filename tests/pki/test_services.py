"""PKI services: SCEP challenges, issued-certificate lookup and revocation, PKCS#12 identities."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from mdm_server.pki import certificates, services
from mdm_server.pki.models import IssuedCertificate, ScepChallenge

pytestmark = pytest.mark.django_db


def test_challenge_is_stored_hashed_only() -> None:
    challenge = services.create_scep_challenge(reference="enroll-1", ttl_seconds=120)
    assert len(challenge) >= 32
    row = ScepChallenge.objects.get()
    assert row.challenge_hash == hashlib.sha256(challenge.encode()).hexdigest()
    assert challenge not in {row.challenge_hash, row.reference}
    assert row.reference == "enroll-1"
    assert row.used_at is None
    assert 110 <= (row.expires_at - row.created_at).total_seconds() <= 130
    # Every call makes a new, different challenge.
    assert services.create_scep_challenge(reference="enroll-1") != challenge


def test_challenge_ttl_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        services.create_scep_challenge(reference="x", ttl_seconds=0)


def test_pkcs12_identity(
    server_pki: services.PkiStatus, openssl: Callable[..., object], tmp_path: Path
) -> None:
    data, row = services.issue_identity_pkcs12(
        reference="profile-9", common_name="Alice's iPhone", password="s3cret"
    )
    p12 = pkcs12.load_pkcs12(data, b"s3cret")
    assert p12.cert is not None and p12.key is not None
    cert = p12.cert.certificate
    assert certificates.key_matches(cert, p12.key)
    assert certificates.is_issued_by(cert, server_pki.ca.certificate)
    assert certificates.subject_common_name(cert) == "Alice's iPhone"
    assert row.fingerprint == certificates.fingerprint(cert)
    assert row.reference == "profile-9"
    assert row.source == IssuedCertificate.Source.PKCS12
    # Old devices only read 3DES-encrypted PKCS#12 with a SHA-1 MAC.
    (tmp_path / "id.p12").write_bytes(data)
    info = openssl(
        "pkcs12", "-info", "-noout", "-in", tmp_path / "id.p12", "-passin", "pass:s3cret",
        check=False,
    )  # fmt: skip
    assert info.returncode == 0, info.stderr
    assert b"pbeWithSHA1And3-KeyTripleDES-CBC" in info.stderr
    assert b"MAC: sha1" in info.stderr
    with pytest.raises(ValueError, match="Invalid password"):
        pkcs12.load_pkcs12(data, b"wrong")


def test_pkcs12_needs_a_password_and_a_name(server_pki: services.PkiStatus) -> None:
    with pytest.raises(certificates.CertificateError, match="password"):
        services.issue_identity_pkcs12(reference="r", common_name="x", password="")
    with pytest.raises(certificates.CertificateError, match="common name"):
        services.issue_identity_pkcs12(reference="r", common_name="", password="pw")
    assert not IssuedCertificate.objects.exists()


def test_find_and_revoke(server_pki: services.PkiStatus) -> None:
    _data, row = services.issue_identity_pkcs12(reference="r", common_name="d", password="pw")
    colon_form = ":".join(row.fingerprint[i : i + 2] for i in range(0, 64, 2)).upper()
    assert services.find_issued_certificate(colon_form) == row
    assert services.find_issued_certificate("00" * 32) is None

    revoked = services.revoke_certificate(fingerprint=row.fingerprint, reason="device lost")
    assert revoked.is_revoked
    assert revoked.revocation_reason == "device lost"
    first_date = revoked.revoked_at
    again = services.revoke_certificate(fingerprint=colon_form, reason="second time")
    assert again.revoked_at == first_date
    assert again.revocation_reason == "device lost"
    stored = IssuedCertificate.objects.get()
    assert stored.revoked_at == first_date


def test_revoking_an_unknown_certificate() -> None:
    with pytest.raises(certificates.CertificateError, match="no issued certificate"):
        services.revoke_certificate(fingerprint="ab" * 32, reason="x")


def test_purge_scep_challenges() -> None:
    services.create_scep_challenge(reference="fresh")
    services.create_scep_challenge(reference="stale")
    services.create_scep_challenge(reference="used-long-ago")
    long_ago = timezone.now() - dt.timedelta(days=30)
    ScepChallenge.objects.filter(reference="stale").update(expires_at=long_ago)
    ScepChallenge.objects.filter(reference="used-long-ago").update(used_at=long_ago)
    assert services.purge_scep_challenges() == 2
    assert list(ScepChallenge.objects.values_list("reference", flat=True)) == ["fresh"]


def test_scep_challenge_command() -> None:
    out = io.StringIO()
    call_command("scep_challenge", "lab-ipad", "--ttl", "600", stdout=out)
    challenge = out.getvalue().strip()
    row = ScepChallenge.objects.get(reference="lab-ipad")
    assert row.challenge_hash == hashlib.sha256(challenge.encode()).hexdigest()
    with pytest.raises(CommandError, match="positive"):
        call_command("scep_challenge", "x", "--ttl", "0")


def test_revoke_certificate_command(server_pki: services.PkiStatus) -> None:
    _data, row = services.issue_identity_pkcs12(reference="r", common_name="d", password="pw")
    out = io.StringIO()
    call_command("revoke_certificate", row.fingerprint, "--reason", "stolen", stdout=out)
    assert "revoked CN=d" in out.getvalue()
    row.refresh_from_db()
    assert row.revocation_reason == "stolen"
    with pytest.raises(CommandError, match="no issued certificate"):
        call_command("revoke_certificate", "00" * 32, "--reason", "x")


def test_admin_lists_are_read_only(server_pki: services.PkiStatus) -> None:
    services.issue_identity_pkcs12(reference="r", common_name="admin-listed", password="pw")
    services.create_scep_challenge(reference="r")
    client = Client()
    client.force_login(User.objects.create_superuser("root", password=None))
    page = client.get("/admin/pki/issuedcertificate/")
    assert page.status_code == 200
    assert b"admin-listed" in page.content
    assert client.get("/admin/pki/scepchallenge/").status_code == 200
    assert client.get("/admin/pki/issuedcertificate/add/").status_code == 403


def test_an_issued_certificate_is_recorded_whole_with_its_key_and_creation_time(
    server_pki: services.PkiStatus,
) -> None:
    """The row every SCEP PKIOperation writes (a prepared INSERT): what `save()` would store, and
    the returned instance is the stored row (its id and auto_now_add time included)."""
    key = certificates.new_rsa_key()
    cert = certificates.issue_certificate(
        issuer=services.active_identity(services.Kind.CA),
        public_key=key.public_key(),
        subject=x509.Name.from_rfc4514_string("CN=Device 7"),
        days=30,
        usage="client",
    )
    before = timezone.now()
    row = services._record_issued(
        cert=cert,
        reference="enroll-7",
        source=IssuedCertificate.Source.SCEP,
        transaction_id="t" * 300,
        renews="ab" * 32,
    )
    stored = IssuedCertificate.objects.get()
    assert row.pk == stored.pk
    fields = [f.attname for f in IssuedCertificate._meta.concrete_fields]
    assert [getattr(row, f) for f in fields] == [getattr(stored, f) for f in fields]
    assert stored.fingerprint == certificates.fingerprint(cert)
    assert stored.certificate == cert
    assert stored.subject == "CN=Device 7"
    assert stored.transaction_id == "t" * 255
    assert (stored.reference, stored.renews) == ("enroll-7", "ab" * 32)
    assert stored.not_after == cert.not_valid_after_utc
    assert before <= stored.created_at <= timezone.now()
    assert stored.revoked_at is None
