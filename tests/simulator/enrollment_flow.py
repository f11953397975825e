"""The device side of enrollment: service discovery, signed MachineInfo, web or OAuth 2 sign-in,
the enrollment profile and SCEP, as an iPhone or Mac does it (Apple "Onboarding users with account
sign-in"). Every function takes a transport with `request(method, url, *, headers, body)`.
"""

from __future__ import annotations

import html
import json
import plistlib
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from mdm_server.pki import certificates, cms
from tests.simulator import scep_client
from tests.simulator.transport import Response, Transport

WELL_KNOWN = "/.well-known/com.apple.remotemanagement"
CALLBACK = "apple-remotemanagement-user-login"
USER_AGENT = "DeviceManagementClient/1.0"


class EnrollmentFlowError(Exception):
    """A step of the enrollment failed; `status` and `body` are the server's answer, if any."""

    def __init__(self, step: str, message: str, *, status: int = 0, body: bytes = b"") -> None:
        super().__init__(f"{step}: {message}")
        self.step = step
        self.status = status
        self.body = body


@dataclass(frozen=True)
class AppleDeviceIdentity:
    """A throwaway stand-in for the device's built-in identity and Apple's device CA."""

    ca: certificates.Identity
    certificate: x509.Certificate
    key: certificates.PrivateKey


def throwaway_apple_identity() -> AppleDeviceIdentity:
    """A fake "Apple iPhone Device CA" and a device certificate it issued."""
    ca_key = certificates.new_rsa_key()
    ca_cert = certificates.build_ca("Simulated Apple iPhone Device CA", key=ca_key, days=30)
    return apple_device_identity(certificates.Identity(certificate=ca_cert, key=ca_key))


def apple_device_identity(ca: certificates.Identity, *, days: int = 30) -> AppleDeviceIdentity:
    """A device's built-in identity issued by `ca`, a stand-in for "Apple iPhone Device CA"
    that a test configures as the server's Apple device CA (one CA, many devices)."""
    key = certificates.new_rsa_key()
    cert = certificates.issue_certificate(
        issuer=ca,
        public_key=key.public_key(),
        subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, str(uuid.uuid4()).upper())]),
        days=days,
        usage="client",
    )
    return AppleDeviceIdentity(ca=ca, certificate=cert, key=key)


def machine_info_body(
    identity: AppleDeviceIdentity,
    *,
    product: str = "iPhone17,2",
    version: str = "22C152",
    os_version: str = "18.2",
    language: str = "en-US",
    extra: Mapping[str, Any] | None = None,
) -> bytes:
    """The signed MachineInfo plist a device POSTs to BaseURL (CMS, attached, DER)."""
    info: dict[str, Any] = {
        "LANGUAGE": language,
        "PRODUCT": product,
        "VERSION": version,
        "OS_VERSION": os_version,
    }
    info.update(extra or {})
    return cms.sign_attached(
        plistlib.dumps(info),
        certificate=identity.certificate,
        key=identity.key,
        chain=[identity.ca.certificate],
    )


class WebSheet:
    """The web authentication sheet: a tiny browser with a cookie jar that stops on redirects."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, url: str, *, body: bytes = b"", content_type: str = ""
    ) -> Response:
        headers = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X)"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        parts = urlsplit(url)
        headers["Origin"] = f"{parts.scheme}://{parts.netloc}"
        headers["Referer"] = url
        status, out, data = self.transport.request(method, url, headers=headers, body=body)
        raw = out.get("set-cookie", "")
        if raw:
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            self.cookies.update({k: m.value for k, m in jar.items()})
        return status, out, data

    def submit(self, url: str, page: bytes, fields: Mapping[str, str]) -> Response:
        """Fill the page's form like a user: keep its hidden inputs, set `fields`, POST it."""
        text = page.decode("utf-8", "replace")
        values: dict[str, str] = {}
        for tag in re.findall(r"<input[^>]*>", text):
            name = re.search(r'name="([^"]*)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name and 'type="checkbox"' not in tag and 'type="radio"' not in tag:
                values[html.unescape(name.group(1))] = html.unescape(
                    value.group(1) if value else ""
                )
        values.update(fields)
        action = re.search(r'<form[^>]*action="([^"]*)"', text)
        target = html.unescape(action.group(1)) if action and action.group(1) else url
        if target.startswith("/"):
            parts = urlsplit(url)
            target = f"{parts.scheme}://{parts.netloc}{target}"
        return self.request(
            "POST",
            target,
            body=urlencode(values).encode(),
            content_type="application/x-www-form-urlencoded",
        )


def discover(
    transport: Transport, server: str, *, user_identifier: str, model_family: str
) -> tuple[str, str]:
    """GET the well-known document; returns (Version, BaseURL)."""
    query = urlencode({"user-identifier": user_identifier, "model-family": model_family})
    status, _headers, body = transport.request(
        "GET", f"{server.rstrip('/')}{WELL_KNOWN}?{query}", headers={"User-Agent": USER_AGENT}
    )
    if status != 200:
        raise EnrollmentFlowError("discovery", f"HTTP {status}", status=status, body=body)
    try:
        document = json.loads(body)
        first = document["Servers"][0]
    except (ValueError, KeyError, IndexError, TypeError):
        raise EnrollmentFlowError(
            "discovery", "malformed document", status=status, body=body
        ) from None
    return str(first["Version"]), str(first["BaseURL"])


def post_enroll(
    transport: Transport, base_url: str, body: bytes, *, bearer: str | None = None
) -> Response:
    # iOS 15 labels this CMS body as form-encoded; send that to prove the server does not care.
    headers = {"User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded"}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    return transport.request("POST", base_url, headers=headers, body=body)


def parse_challenge(header: str) -> dict[str, str]:
    """`Bearer k="v", ...` -> {k: v} (the device's reading of WWW-Authenticate)."""
    scheme, _, rest = (header or "").partition(" ")
    if scheme != "Bearer":
        return {}
    return {k: v for k, v in re.findall(r'([\w-]+)="((?:[^"\\]|\\.)*)"', rest)}


IdentityProvider = Callable[[str], str]


def _external_sign_in(
    sheet: WebSheet, headers: Mapping[str, str], idp: IdentityProvider
) -> Response:
    """The sign-in page sent the sheet to an external IdP: sign in there, follow it back."""
    return sheet.request("GET", idp(headers["location"]))


def web_sign_in(
    transport: Transport,
    url: str,
    *,
    user_identifier: str,
    password: str,
    idp: IdentityProvider | None = None,
) -> str:
    """apple-as-web: open url?user-identifier=..., sign in, expect a 308 with access-token.

    `idp` plays an external identity provider: it gets the URL our page redirected to and
    returns the URL the provider sends the browser back to.
    """
    sheet = WebSheet(transport)
    separator = "&" if "?" in url else "?"
    page_url = f"{url}{separator}{urlencode({'user-identifier': user_identifier})}"
    status, headers, page = sheet.request("GET", page_url)
    if status in (302, 303) and idp is not None:
        status, headers, body = _external_sign_in(sheet, headers, idp)
    elif status != 200:
        raise EnrollmentFlowError("sign-in page", f"HTTP {status}", status=status, body=page)
    else:
        status, headers, body = sheet.submit(page_url, page, {"password": password})
    location = headers.get("location", "")
    if status != 308 or not location.startswith(f"{CALLBACK}://authentication-results"):
        raise EnrollmentFlowError("sign-in", f"HTTP {status}", status=status, body=body)
    token = parse_qs(urlsplit(location).query).get("access-token", [""])[0]
    if not token:
        raise EnrollmentFlowError("sign-in", "no access-token in the callback URL")
    return token


def oauth_sign_in(
    transport: Transport,
    challenge: Mapping[str, str],
    *,
    user_identifier: str,
    password: str,
    idp: IdentityProvider | None = None,
) -> dict[str, Any]:
    """apple-oauth2: authorization request (login_hint), code callback, token request."""
    sheet = WebSheet(transport)
    state = uuid.uuid4().hex
    query = urlencode(
        {
            "response_type": "code",
            "client_id": challenge["client-id"],
            "redirect_uri": challenge["redirect-url"],
            "state": state,
            "login_hint": user_identifier,
        }
    )
    auth_url = f"{challenge['authorization-url']}?{query}"
    status, headers, page = sheet.request("GET", auth_url)
    if status in (302, 303) and idp is not None:
        status, headers, body = _external_sign_in(sheet, headers, idp)
    elif status != 200:
        raise EnrollmentFlowError("authorization page", f"HTTP {status}", status=status, body=page)
    else:
        status, headers, body = sheet.submit(auth_url, page, {"password": password})
    location = headers.get("location", "")
    if status != 308 or not location.startswith(challenge["redirect-url"]):
        raise EnrollmentFlowError("authorization", f"HTTP {status}", status=status, body=body)
    params = parse_qs(urlsplit(location).query)
    if params.get("state", [""])[0] != state:
        raise EnrollmentFlowError("authorization", "state does not match")
    return token_request(
        transport,
        challenge["token-url"],
        {
            "grant_type": "authorization_code",
            "code": params.get("code", [""])[0],
            "redirect_uri": challenge["redirect-url"],
            "client_id": challenge["client-id"],
        },
    )


def token_request(transport: Transport, token_url: str, form: Mapping[str, str]) -> dict[str, Any]:
    status, _headers, body = transport.request(
        "POST",
        token_url,
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT},
        body=urlencode(form).encode(),
    )
    if status != 200:
        raise EnrollmentFlowError("token", f"HTTP {status}", status=status, body=body)
    return dict(json.loads(body))


def read_profile(
    data: bytes, *, trusted_signer_ca: x509.Certificate | None = None
) -> dict[str, Any]:
    """Verify the profile's CMS signature (and issuer, when given) and return the plist dict."""
    try:
        verified = cms.verify_signed_data(data)
    except cms.CMSError as exc:
        raise EnrollmentFlowError("profile", f"signature does not verify: {exc}") from None
    if trusted_signer_ca is not None and not certificates.is_issued_by(
        verified.signer, trusted_signer_ca
    ):
        raise EnrollmentFlowError("profile", "the profile is not signed by the expected CA")
    profile = plistlib.loads(verified.content)
    if not isinstance(profile, dict):
        raise EnrollmentFlowError("profile", "not a dictionary")
    return profile


def payload_of(profile: Mapping[str, Any], payload_type: str) -> dict[str, Any]:
    for payload in profile.get("PayloadContent", []):
        if payload.get("PayloadType") == payload_type:
            return dict(payload)
    raise EnrollmentFlowError("profile", f"no {payload_type} payload")


@dataclass(frozen=True)
class ScepResult:
    certificate: x509.Certificate
    key: certificates.PrivateKey


def scep_enroll(
    transport: Transport,
    scep_payload: Mapping[str, Any],
    *,
    cipher: str = "aes128",
    digest: str = "sha256",
) -> ScepResult:
    """GetCACert, then PKCSReq with the profile's challenge; returns the issued identity."""
    content = scep_payload["PayloadContent"]
    url = str(content["URL"])
    status, _h, ca_der = transport.request(
        "GET", f"{url}?operation=GetCACert", headers={"User-Agent": USER_AGENT}
    )
    if status != 200:
        raise EnrollmentFlowError("GetCACert", f"HTTP {status}", status=status, body=ca_der)
    ca_cert = x509.load_der_x509_certificate(ca_der)
    key = certificates.new_rsa_key(int(content.get("Keysize", 2048)))
    subject_cn = str(content["Subject"][0][0][1])
    message, _tid, self_signed = scep_client.build_pkcs_req(
        key=key,
        subject_cn=subject_cn,
        challenge=str(content["Challenge"]),
        ca_cert=ca_cert,
        cipher=cipher,
        digest=digest,
    )
    status, _h, reply = transport.request(
        "POST",
        f"{url}?operation=PKIOperation",
        headers={"Content-Type": "application/x-pki-message", "User-Agent": USER_AGENT},
        body=message,
    )
    if status != 200:
        raise EnrollmentFlowError("PKIOperation", f"HTTP {status}", status=status, body=reply)
    result = scep_client.parse_cert_rep(
        reply, key=key, self_signed_cert=self_signed, ca_cert=ca_cert
    )
    if not result.ok or result.certificate is None:
        raise EnrollmentFlowError(
            "PKIOperation", f"SCEP FAILURE {result.fail_info}: {result.fail_info_text}"
        )
    # The server binds each challenge to the subject its profile asks for (README, "Device
    # identities: the built-in SCEP server"): an honest request gets that one, as it asked.
    if certificates.subject_common_name(result.certificate) != subject_cn:
        raise EnrollmentFlowError(
            "PKIOperation",
            f"issued {result.certificate.subject.rfc4514_string()}, not the profile's {subject_cn}",
        )
    return ScepResult(certificate=result.certificate, key=key)


def pkcs12_identity(payload: Mapping[str, Any]) -> ScepResult:
    key, cert, _chain = pkcs12.load_key_and_certificates(
        payload["PayloadContent"], str(payload["Password"]).encode()
    )
    if cert is None or key is None:
        raise EnrollmentFlowError("identity", "the PKCS#12 payload has no identity")
    return ScepResult(certificate=cert, key=key)  # type: ignore[arg-type]


def install_identity(transport: Transport, profile: Mapping[str, Any]) -> ScepResult:
    """Get the identity the profile's com.apple.mdm payload points at (SCEP or PKCS#12)."""
    mdm = payload_of(profile, "com.apple.mdm")
    for payload in profile.get("PayloadContent", []):
        if payload.get("PayloadUUID") == mdm["IdentityCertificateUUID"]:
            if payload["PayloadType"] == "com.apple.security.scep":
                return scep_enroll(transport, payload)
            if payload["PayloadType"] == "com.apple.security.pkcs12":
                return pkcs12_identity(payload)
    raise EnrollmentFlowError("identity", "IdentityCertificateUUID matches no payload")


@dataclass
class AccountEnrollment:
    """What a device holds after account-driven enrollment."""

    version: str
    base_url: str
    bearer: str
    profile: dict[str, Any]
    mdm_payload: dict[str, Any]
    identity_certificate: x509.Certificate
    identity_key: certificates.PrivateKey
    oauth_tokens: dict[str, Any] = field(default_factory=dict)
    challenge: dict[str, str] = field(default_factory=dict)


def enroll_account_driven(
    transport: Transport,
    server: str,
    *,
    user_identifier: str,
    password: str,
    model_family: str = "iPhone",
    product: str = "iPhone17,2",
    os_version: str = "18.2",
    apple_identity: AppleDeviceIdentity | None = None,
    machine_info_extra: Mapping[str, Any] | None = None,
    install: bool = True,
    idp: IdentityProvider | None = None,
) -> AccountEnrollment:
    """The whole account-driven flow, from the typed account to the MDM identity."""
    version, base_url = discover(
        transport, server, user_identifier=user_identifier, model_family=model_family
    )
    identity = apple_identity or throwaway_apple_identity()
    body = machine_info_body(
        identity, product=product, os_version=os_version, extra=machine_info_extra
    )
    status, headers, reply = post_enroll(transport, base_url, body)
    challenge = parse_challenge(headers.get("www-authenticate", ""))
    if status != 401 or "method" not in challenge:
        raise EnrollmentFlowError(
            "enroll", f"expected a 401 challenge, got HTTP {status}", status=status, body=reply
        )
    oauth: dict[str, Any] = {}
    if challenge["method"] == "apple-as-web":
        bearer = web_sign_in(
            transport, challenge["url"], user_identifier=user_identifier, password=password, idp=idp
        )
    elif challenge["method"] == "apple-oauth2":
        oauth = oauth_sign_in(
            transport, challenge, user_identifier=user_identifier, password=password, idp=idp
        )
        bearer = str(oauth["access_token"])
    else:
        raise EnrollmentFlowError("enroll", f"unknown method {challenge['method']!r}")
    status, headers, reply = post_enroll(transport, base_url, body, bearer=bearer)
    if status != 200:
        raise EnrollmentFlowError("profile", f"HTTP {status}", status=status, body=reply)
    if headers.get("content-type", "").split(";")[0] != "application/x-apple-aspen-config":
        raise EnrollmentFlowError("profile", f"unexpected type {headers.get('content-type')}")
    profile = read_profile(reply)
    mdm = payload_of(profile, "com.apple.mdm")
    expected_mode = "BYOD" if version == "mdm-byod" else "ADDE"
    if mdm.get("EnrollmentMode") != expected_mode:
        raise EnrollmentFlowError("profile", f"EnrollmentMode is not {expected_mode}")
    if not mdm.get("AssignedManagedAppleID"):
        raise EnrollmentFlowError("profile", "AssignedManagedAppleID is missing")
    if expected_mode == "BYOD" and "AccessRights" in mdm:
        # What a real device does: cancel a BYOD enrollment whose profile has AccessRights.
        raise EnrollmentFlowError("profile", "BYOD profile carries AccessRights")
    if not install:
        return AccountEnrollment(
            version,
            base_url,
            bearer,
            profile,
            mdm,
            identity.certificate,
            identity.key,
            oauth,
            challenge,
        )
    issued = install_identity(transport, profile)
    return AccountEnrollment(
        version=version,
        base_url=base_url,
        bearer=bearer,
        profile=profile,
        mdm_payload=mdm,
        identity_certificate=issued.certificate,
        identity_key=issued.key,
        oauth_tokens=oauth,
        challenge=challenge,
    )


@dataclass
class AutomatedEnrollment:
    """What a device holds after Setup Assistant enrolled it (Automated Device Enrollment)."""

    profile: dict[str, Any]
    mdm_payload: dict[str, Any]
    identity_certificate: x509.Certificate
    identity_key: certificates.PrivateKey
    udid: str
    serial_number: str
    supervised: bool
    await_device_configured: bool


def enroll_automated(
    transport: Transport,
    cloud_configuration: Mapping[str, Any],
    *,
    serial_number: str,
    udid: str | None = None,
    product: str = "iPhone17,2",
    os_version: str = "18.2",
    apple_identity: AppleDeviceIdentity | None = None,
) -> AutomatedEnrollment:
    """Setup Assistant of a device bought through ABM: Apple hands it the profile assigned to
    its serial number (`cloud_configuration`, the Define Profile body); the device POSTs its
    signed MachineInfo, with its hardware identifiers, to the profile's `url`, installs the
    Device Enrollment profile it gets and its SCEP identity."""
    udid = udid or str(uuid.uuid4()).upper()
    identity = apple_identity or throwaway_apple_identity()
    body = machine_info_body(
        identity,
        product=product,
        os_version=os_version,
        extra={"UDID": udid, "SERIAL": serial_number},
    )
    status, headers, reply = post_enroll(transport, str(cloud_configuration["url"]), body)
    if status != 200:
        raise EnrollmentFlowError("profile", f"HTTP {status}", status=status, body=reply)
    if headers.get("content-type", "").split(";")[0] != "application/x-apple-aspen-config":
        raise EnrollmentFlowError("profile", f"unexpected type {headers.get('content-type')}")
    profile = read_profile(reply)
    mdm = payload_of(profile, "com.apple.mdm")
    if "EnrollmentMode" in mdm or "AccessRights" not in mdm:
        raise EnrollmentFlowError("profile", "not a Device Enrollment profile")
    issued = install_identity(transport, profile)
    return AutomatedEnrollment(
        profile=profile,
        mdm_payload=mdm,
        identity_certificate=issued.certificate,
        identity_key=issued.key,
        udid=udid,
        serial_number=serial_number,
        supervised=bool(cloud_configuration.get("is_supervised")),
        await_device_configured=bool(cloud_configuration.get("await_device_configured")),
    )


def refresh_access_token(transport: Transport, enrollment: AccountEnrollment) -> dict[str, Any]:
    """apple-oauth2: silently refresh the access token with the refresh token."""
    tokens = token_request(
        transport,
        enrollment.challenge["token-url"],
        {
            "grant_type": "refresh_token",
            "refresh_token": str(enrollment.oauth_tokens["refresh_token"]),
            "client_id": enrollment.challenge["client-id"],
        },
    )
    enrollment.oauth_tokens = tokens
    enrollment.bearer = str(tokens["access_token"])
    return tokens
