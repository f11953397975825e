"""Device-facing SCEP endpoint (RFC 8894): GetCACaps, GetCACert and PKIOperation at /scep."""

from __future__ import annotations

import base64
import binascii
import logging

from cryptography.hazmat.primitives.serialization import Encoding
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from mdm_server import media_types
from mdm_server.cache_control import never_cache
from mdm_server.edge import answerable
from mdm_server.encryption import DecryptionError
from mdm_server.pki import certificates, scep, services
from mdm_server.pki.cms import MAX_CMS_SIZE

logger = logging.getLogger(__name__)


def _text(status: int, reason: str) -> HttpResponse:
    return HttpResponse(reason + "\n", status=status, content_type="text/plain; charset=utf-8")


def _message(request: HttpRequest) -> bytes | HttpResponse:
    """The pkiMessage: raw POST body, or base64 `message` query parameter on GET."""
    if request.method == "POST":
        content_type = media_types.essence(request.META.get("CONTENT_TYPE"))
        if content_type and content_type not in scep.REQUEST_MEDIA_TYPES:
            return _text(
                415, f"a PKIOperation POST carries {scep.PKI_MESSAGE_TYPE}, not {content_type[:80]}"
            )
        return request.body
    encoded = request.GET.get("message", "")
    if not encoded:
        return _text(400, "PKIOperation needs a base64 `message` parameter")
    # Some clients do not URL-encode the base64, so a "+" arrives as a space.
    compact = "".join(encoded.replace(" ", "+").split())
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return _text(400, "the `message` parameter is not valid base64")


def _pki_operation(request: HttpRequest) -> HttpResponse:
    message = _message(request)
    if isinstance(message, HttpResponse):
        return message
    if not message:
        return _text(400, "empty PKIOperation message")
    if len(message) > MAX_CMS_SIZE:
        return _text(413, "PKIOperation message too large")
    try:
        reply = services.handle_scep_request(message=message)
    except scep.ScepMessageError as exc:
        return _text(400, f"not a SCEP message: {exc}")
    except (certificates.CertificateError, DecryptionError) as exc:
        logger.error("SCEP unavailable: %s", exc)
        return _text(503, f"SCEP is unavailable: {exc}")
    return HttpResponse(reply, content_type=scep.PKI_MESSAGE_TYPE)


def _ca_cert() -> HttpResponse:
    try:
        ca = services.active_identity(services.Kind.CA)
    except (certificates.CertificateError, DecryptionError) as exc:
        return _text(503, f"SCEP is unavailable: {exc}")
    return HttpResponse(
        ca.certificate.public_bytes(Encoding.DER), content_type="application/x-x509-ca-cert"
    )


def _reads_only(request: HttpRequest) -> bool:
    """GetCACaps and GetCACert, which change nothing (not PKIOperation, which issues)."""
    return request.method == "GET" and request.GET.get("operation") in READ_OPERATIONS


READ_OPERATIONS = ("GetCACaps", "GetCACert")


@answerable(when=_reads_only)
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def scep_endpoint(request: HttpRequest) -> HttpResponse:
    operation = request.GET.get("operation", "")
    if operation == "GetCACaps":
        return HttpResponse("\n".join(scep.CA_CAPABILITIES), content_type="text/plain")
    if operation == "GetCACert":
        return _ca_cert()
    if operation == "PKIOperation":
        return _pki_operation(request)
    if not operation:
        return _text(400, "missing `operation` parameter (GetCACaps, GetCACert or PKIOperation)")
    return _text(400, f"unknown SCEP operation {operation[:40]!r}")
