"""What the CA signs for a SCEP request is what the server decided for its challenge: the subject
the enrollment profile's SCEP payload asked for, the server's own extensions. A CSR that asks
for another name (another device, a person, a console-looking or odd-encoded string) or for
extensions (subjectAltName, a CA, another extended key usage) does not get them."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import AttributeOID, ExtendedKeyUsageOID, NameOID
from django.test import Client

from mdm_server.pki import certificates, scep, services
from mdm_server.pki.models import IssuedCertificate, ScepChallenge
from tests.simulator import scep_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scep_urls")]

PKI = "application/x-pki-message"
CN = NameOID.COMMON_NAME
SERVER_SUBJECT = "MDM Device 0123456789ab"


@pytest.fixture
def ca(server_pki: services.PkiStatus) -> certificates.Identity:
    return server_pki.ca.identity()


def _csr(
    key: rsa.RSAPrivateKey,
    name: x509.Name,
    challenge: str,
    extensions: list[tuple[x509.ExtensionType, bool]] = (),  # type: ignore[assignment]
) -> bytes:
    builder = x509.CertificateSigningRequestBuilder().subject_name(name)
    builder = builder.add_attribute(AttributeOID.CHALLENGE_PASSWORD, challenge.encode())
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _request(
    client: Client,
    ca: certificates.Identity,
    key: rsa.RSAPrivateKey,
    csr_der: bytes,
) -> scep_client.IssuedOrFailure:
    message, signer = scep_client.pkcs_req_for_csr(
        key=key, csr_der=csr_der, ca_cert=ca.certificate, signer_cn="requester"
    )
    response = client.post("/scep?operation=PKIOperation", data=message, content_type=PKI)
    assert response.status_code == 200
    return scep_client.parse_cert_rep(
        response.content, key=key, self_signed_cert=signer, ca_cert=ca.certificate
    )


def _server_name(text: str = SERVER_SUBJECT) -> x509.Name:
    return x509.Name([x509.NameAttribute(CN, text)])


FORGED = {
    "another device": x509.Name([x509.NameAttribute(CN, "MDM Device fedcba987654")]),
    "a person at Apple": x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Apple Inc."),
            x509.NameAttribute(CN, "Tim Cook"),
        ]
    ),
    "the same text and more": x509.Name(
        [x509.NameAttribute(CN, SERVER_SUBJECT), x509.NameAttribute(NameOID.EMAIL_ADDRESS, "x@y")]
    ),
    "very long": x509.Name([x509.NameAttribute(CN, "A" * 5000, _validate=False)]),
    "control characters": x509.Name(
        [x509.NameAttribute(CN, "ok\x1b[2J\r\nSCEP request 1: issued CN=admin\x00")]
    ),
    "a BMPString": x509.Name(
        [x509.NameAttribute(CN, "Admin \u202econsole", _type=x509.name._ASN1Type.BMPString)]
    ),
    "a PrintableString of the right text": x509.Name(
        [x509.NameAttribute(CN, SERVER_SUBJECT, _type=x509.name._ASN1Type.PrintableString)]
    ),
    "no subject at all": x509.Name([]),
}


@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
def test_the_certificate_names_what_the_challenge_was_issued_for(
    client: Client,
    ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    forged: x509.Name,
    caplog: pytest.LogCaptureFixture,
) -> None:
    challenge = services.create_scep_challenge(reference="session-1", subject=SERVER_SUBJECT)
    with caplog.at_level(logging.INFO, logger="mdm_server.pki.services"):
        result = _request(client, ca, rsa_key, _csr(rsa_key, forged, challenge))
    assert result.ok, result
    assert result.certificate is not None
    assert result.certificate.subject == _server_name()
    row = IssuedCertificate.objects.get()
    assert (row.subject, row.reference) == (f"CN={SERVER_SUBJECT}", "session-1")
    assert ScepChallenge.objects.get().used_at is not None
    issued = [
        m for r in caplog.records if re.match(r"SCEP request \w+: issued ", m := r.getMessage())
    ]
    assert issued and all(m.endswith(f"issued CN={SERVER_SUBJECT}") for m in issued), issued
    # Nothing the requester wrote reaches the log unescaped.
    assert not any("\x1b" in r.getMessage() or "\n" in r.getMessage() for r in caplog.records)


def test_a_forged_subject_does_not_spend_a_second_certificate(
    client: Client, ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    """The challenge stays single-use whichever subject the first request asked for."""
    challenge = services.create_scep_challenge(reference="once", subject=SERVER_SUBJECT)
    first = _request(client, ca, rsa_key, _csr(rsa_key, FORGED["another device"], challenge))
    assert first.ok
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    again = _request(client, ca, other_key, _csr(other_key, _server_name(), challenge))
    assert not again.ok
    assert again.fail_info == scep.FailInfo.BAD_REQUEST
    assert IssuedCertificate.objects.count() == 1


def test_requested_extensions_are_not_signed(
    client: Client, ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    challenge = services.create_scep_challenge(reference="ext", subject=SERVER_SUBJECT)
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=True, path_length=None), True),
        (
            x509.SubjectAlternativeName(
                [x509.DNSName("mdm.example.com"), x509.RFC822Name("admin@example.com")]
            ),
            False,
        ),
        (
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CODE_SIGNING]
            ),
            False,
        ),
        (
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=True,
                data_encipherment=True,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            True,
        ),
    ]
    result = _request(client, ca, rsa_key, _csr(rsa_key, _server_name(), challenge, extensions))
    assert result.ok, result
    cert = result.certificate
    assert cert is not None
    ext = cert.extensions
    assert ext.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert list(ext.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.CLIENT_AUTH
    ]
    usage = ext.get_extension_for_class(x509.KeyUsage).value
    assert (usage.digital_signature, usage.key_encipherment) == (True, True)
    assert not (usage.key_cert_sign or usage.crl_sign or usage.content_commitment)
    with pytest.raises(x509.ExtensionNotFound):
        ext.get_extension_for_class(x509.SubjectAlternativeName)
    assert {e.oid for e in ext} == {
        x509.oid.ExtensionOID.BASIC_CONSTRAINTS,
        x509.oid.ExtensionOID.KEY_USAGE,
        x509.oid.ExtensionOID.EXTENDED_KEY_USAGE,
        x509.oid.ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
    }
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert lifetime <= dt.timedelta(days=services.DEVICE_CERTIFICATE_DAYS, minutes=5)


def test_a_challenge_made_without_a_subject_names_its_reference(
    client: Client, ca: certificates.Identity, rsa_key: rsa.RSAPrivateKey
) -> None:
    """`manage.py scep_challenge REFERENCE` without --subject, and challenges stored before
    challenges had a subject: the server still decides (the reference), never the CSR."""
    challenge = services.create_scep_challenge(reference="Front desk iPad")
    result = _request(client, ca, rsa_key, _csr(rsa_key, FORGED["a person at Apple"], challenge))
    assert result.ok and result.certificate is not None
    assert result.certificate.subject == _server_name("Front desk iPad")
    ScepChallenge.objects.update(subject="")  # as a row from before the column
    challenge = services.create_scep_challenge(reference="legacy row")
    ScepChallenge.objects.filter(reference="legacy row").update(subject="")
    result = _request(client, ca, rsa_key, _csr(rsa_key, FORGED["another device"], challenge))
    assert result.ok and result.certificate is not None
    assert result.certificate.subject == _server_name("legacy row")


def test_a_challenge_subject_must_fit_a_common_name() -> None:
    with pytest.raises(ValueError, match="64"):
        services.create_scep_challenge(reference="r", subject="x" * 65)
    with pytest.raises(ValueError, match="control"):
        services.create_scep_challenge(reference="r", subject="a\nb")


def test_a_renewal_keeps_the_subject_of_the_certificate_it_renews(
    client: Client,
    ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    other_rsa_key: rsa.RSAPrivateKey,
) -> None:
    challenge = services.create_scep_challenge(reference="renew", subject=SERVER_SUBJECT)
    first = _request(client, ca, rsa_key, _csr(rsa_key, _server_name(), challenge))
    assert first.ok and first.certificate is not None
    message, _ = scep_client.build_renewal_req(
        key=other_rsa_key,
        subject_cn="MDM Device fedcba987654",
        current_cert=first.certificate,
        current_key=rsa_key,
        ca_cert=ca.certificate,
    )
    response = client.post("/scep?operation=PKIOperation", data=message, content_type=PKI)
    renewed = scep_client.parse_cert_rep(
        response.content,
        key=rsa_key,
        self_signed_cert=first.certificate,
        ca_cert=ca.certificate,
        new_key=other_rsa_key,
    )
    assert renewed.ok and renewed.certificate is not None
    assert renewed.certificate.subject == _server_name()


def test_the_manual_challenge_command_takes_a_subject() -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    call_command("scep_challenge", "lab-ipad", "--subject", "Lab iPad 3", stdout=StringIO())
    assert ScepChallenge.objects.get(reference="lab-ipad").subject == "Lab iPad 3"
    call_command("scep_challenge", "lab-mac", stdout=StringIO())
    assert ScepChallenge.objects.get(reference="lab-mac").subject == "lab-mac"
    with pytest.raises(CommandError, match="--subject: .*64"):
        call_command("scep_challenge", "x", "--subject", "y" * 65, stdout=StringIO())
    assert not ScepChallenge.objects.filter(reference="x").exists()


def test_an_enrollment_profiles_challenge_carries_the_payloads_subject() -> None:
    from enrollment.services import core

    identity, row = core._scep_identity(
        core.IdentityRequest(reference="session-9", subject="MDM Device 0123456789ab")
    )
    assert identity.subject_cn == row.subject == "MDM Device 0123456789ab"
    assert row.reference == "session-9"


@pytest.mark.parametrize(
    "text", ["Doe, John+Jr", "#1 iPad", " leading space ", 'a "quoted" <tag>;=', "Ünïcødé 設備"]
)
def test_the_recorded_subject_is_the_issued_certificates(
    client: Client,
    ca: certificates.Identity,
    rsa_key: rsa.RSAPrivateKey,
    text: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An honest device's request (its CSR names what the challenge was made for: the one
    statement that claims and records): the row's subject is the text of the certificate's, as
    RFC 4514 escapes it, and so is the log line's."""
    challenge = services.create_scep_challenge(reference="session-2", subject=text)
    with caplog.at_level(logging.INFO, logger="mdm_server.pki.services"):
        result = _request(client, ca, rsa_key, _csr(rsa_key, _server_name(text), challenge))
    assert result.ok and result.certificate is not None, result
    assert result.certificate.subject == _server_name(text)
    expected = result.certificate.subject.rfc4514_string()
    assert IssuedCertificate.objects.get().subject == expected
    assert any(r.getMessage().endswith(f"issued {expected}") for r in caplog.records)
    assert not any("asked for the subject" in r.getMessage() for r in caplog.records)
