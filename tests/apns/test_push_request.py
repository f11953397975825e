"""Path (a): the organisation's own MDM vendor certificate signs the push certificate request.

A test chain plays Apple (root, WWDR intermediate, "MDM Vendor: …" certificate). The request
file is checked here independently of the server: base64, XML plist, the three keys, the
SHA256withRSA signature over the CSR's DER with the vendor public key, the chain order.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import plistlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import CommandError, call_command

from apns import services
from apns.models import MdmVendorCertificate, PushCertificateRequest
from mdm_server import encryption
from mdm_server.models import AuditEvent
from tests.apns.vendor_pki import VendorChain, issue, key_pem, make_vendor_chain, name, pem

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def chain() -> VendorChain:
    return make_vendor_chain()


def _upload_pem(chain: VendorChain) -> MdmVendorCertificate:
    return services.upload_vendor_certificate(
        data=pem(chain.vendor),
        key_pem=key_pem(chain.vendor_key),
        chain_pem=pem(chain.wwdr, chain.root),
    )


def test_signed_request_is_what_apples_portal_reads(chain: VendorChain) -> None:
    _upload_pem(chain)
    csr_row = services.create_push_csr(common_name="Example Org", email="it@example.com")
    data = services.signed_push_request(csr_id=csr_row.pk)

    # The file is base64 text of an XML property list with exactly Apple's three keys.
    xml = base64.b64decode(data, validate=True)
    assert xml.startswith(b"<?xml") and b"<plist" in xml
    plist = plistlib.loads(xml)
    assert set(plist) == {"PushCertRequestCSR", "PushCertCertificateChain", "PushCertSignature"}

    # PushCertRequestCSR is base64 of the DER of the CSR generated here (same key, same bytes).
    csr_der = base64.b64decode(plist["PushCertRequestCSR"], validate=True)
    csr = x509.load_pem_x509_csr(csr_row.csr_pem.encode())
    assert csr_der == csr.public_bytes(serialization.Encoding.DER)

    # PushCertSignature: SHA256withRSA (PKCS#1 v1.5) over that DER, by the vendor's key.
    signature = base64.b64decode(plist["PushCertSignature"], validate=True)
    chain.vendor.public_key().verify(signature, csr_der, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr]

    # PushCertCertificateChain: vendor, WWDR intermediate, root, each signed by the next.
    certs = x509.load_pem_x509_certificates(plist["PushCertCertificateChain"].encode())
    assert certs == [chain.vendor, chain.wwdr, chain.root]
    certs[0].verify_directly_issued_by(certs[1])
    certs[1].verify_directly_issued_by(certs[2])
    certs[2].verify_directly_issued_by(certs[2])
    # PEM lines of at most 64 characters, as Apple requires.
    assert all(len(line) <= 64 for line in plist["PushCertCertificateChain"].splitlines())

    csr_row.refresh_from_db()
    assert csr_row.signed_at is not None
    assert AuditEvent.objects.filter(action="apns.push_request_signed").count() == 1


def test_a_signature_by_another_key_does_not_verify(chain: VendorChain) -> None:
    """The check above can fail: the same CSR signed by a stranger's key is refused."""
    _upload_pem(chain)
    csr_row = services.create_push_csr(common_name="Example Org")
    plist = plistlib.loads(base64.b64decode(services.signed_push_request(csr_id=csr_row.pk)))
    csr_der = base64.b64decode(plist["PushCertRequestCSR"])
    forged = chain.intermediate_key.sign(csr_der, padding.PKCS1v15(), hashes.SHA256())
    from cryptography.exceptions import InvalidSignature

    with pytest.raises(InvalidSignature):
        chain.vendor.public_key().verify(forged, csr_der, padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr]


def test_vendor_pkcs12_with_chain_inside_and_key_encrypted_at_rest(chain: VendorChain) -> None:
    p12 = pkcs12.serialize_key_and_certificates(
        b"vendor",
        chain.vendor_key,
        chain.vendor,
        [chain.root, chain.wwdr],  # any order: the server orders them
        serialization.BestAvailableEncryption(b"s3cret"),
    )
    row = services.upload_vendor_certificate(data=p12, password="s3cret")
    assert row.subject == "CN=MDM Vendor: Example Org"
    assert x509.load_pem_x509_certificates(row.chain_pem.encode()) == [chain.wwdr, chain.root]
    assert b"PRIVATE KEY" not in bytes(row.encrypted_key)
    assert encryption.decrypt(row.encrypted_key) == key_pem(chain.vendor_key)


def _not_vendor(chain: VendorChain) -> tuple[bytes, bytes]:
    key = chain.vendor_key
    cert = issue(
        name("Example Org web server"), key, chain.wwdr.subject, chain.intermediate_key, ca=False
    )
    return pem(cert, chain.wwdr, chain.root), key_pem(key)


def _expired(chain: VendorChain) -> tuple[bytes, bytes]:
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("MDM Vendor: Example Org"))
        .issuer_name(chain.wwdr.subject)
        .public_key(chain.vendor_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=400))
        .not_valid_after(now - dt.timedelta(days=1))
        .sign(chain.intermediate_key, hashes.SHA256())
    )
    return pem(cert, chain.wwdr, chain.root), key_pem(chain.vendor_key)


@pytest.mark.parametrize(
    "case,message",
    [
        ("text_file", "not a certificate or PKCS#12 file"),
        ("wrong_password", "wrong password"),
        ("not_vendor", "is not an MDM vendor certificate"),
        ("expired", "expired"),
        ("no_chain", "add Apple's WWDR intermediate"),
        ("no_key", "no private key"),
    ],
)
def test_bad_vendor_uploads_say_what_is_wrong_and_keep_the_current_one(
    case: str, message: str, chain: VendorChain
) -> None:
    current = _upload_pem(chain)
    kwargs: dict[str, object] = {}
    if case == "text_file":
        kwargs["data"] = b"Dear Apple,\nplease sign our request.\n"
    elif case == "wrong_password":
        kwargs.update(
            data=pkcs12.serialize_key_and_certificates(
                b"v",
                chain.vendor_key,
                chain.vendor,
                [chain.wwdr, chain.root],
                serialization.BestAvailableEncryption(b"right"),
            ),
            password="wrong",
        )
    elif case == "not_vendor":
        kwargs["data"], kwargs["key_pem"] = _not_vendor(chain)
    elif case == "expired":
        kwargs["data"], kwargs["key_pem"] = _expired(chain)
    elif case == "no_chain":
        kwargs.update(data=pem(chain.vendor), key_pem=key_pem(chain.vendor_key))
    elif case == "no_key":
        kwargs["data"] = pem(chain.vendor, chain.wwdr, chain.root)
    with pytest.raises(services.PushCertificateError, match=message):
        services.upload_vendor_certificate(**kwargs)  # type: ignore[arg-type]
    assert list(MdmVendorCertificate.objects.values_list("pk", flat=True)) == [current.pk]


def test_signing_without_a_vendor_certificate_says_what_to_do() -> None:
    csr_row = services.create_push_csr(common_name="Example Org")
    with pytest.raises(services.PushCertificateError, match="signing service"):
        services.signed_push_request(csr_id=csr_row.pk)
    assert PushCertificateRequest.objects.get(pk=csr_row.pk).signed_at is None


def test_command_vendor_and_sign(tmp_path: Path, chain: VendorChain) -> None:
    (tmp_path / "vendor.pem").write_bytes(pem(chain.vendor, chain.wwdr, chain.root))
    (tmp_path / "vendor.key").write_bytes(key_pem(chain.vendor_key))
    out = io.StringIO()
    call_command(
        "push_certificate", "vendor", str(tmp_path / "vendor.pem"),
        "--key", str(tmp_path / "vendor.key"), stdout=out,
    )  # fmt: skip
    assert "MDM Vendor: Example Org" in out.getvalue()
    csr_row = services.create_push_csr(common_name="Example Org")
    call_command(
        "push_certificate", "sign", str(csr_row.pk), "--out", str(tmp_path / "request.b64"),
        stdout=io.StringIO(),
    )  # fmt: skip
    plist = plistlib.loads(base64.b64decode((tmp_path / "request.b64").read_bytes()))
    csr_der = base64.b64decode(plist["PushCertRequestCSR"])
    chain.vendor.public_key().verify(  # type: ignore[union-attr]
        base64.b64decode(plist["PushCertSignature"]), csr_der, padding.PKCS1v15(), hashes.SHA256()
    )
    (tmp_path / "notes.txt").write_bytes(b"notes\n")
    with pytest.raises(CommandError, match="not a certificate or PKCS#12 file"):
        call_command("push_certificate", "vendor", str(tmp_path / "notes.txt"))
    with pytest.raises(CommandError, match="no such certificate request"):
        call_command("push_certificate", "sign", "999999")
