"""The simulated device: identity, signed check-ins, the connect loop and realistic answers.

It behaves like an iPhone or a Mac: signs every request with `Mdm-Signature` (SHA-1, no signed
attributes, as devices do), sends UDID or (User Enrollment) EnrollmentID, answers the common
commands, and a User Enrollment never reveals UDID, serial number, IMEI or MEID.
"""

from __future__ import annotations

import base64
import plistlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from devices import capabilities
from devices.simulator.transport import Transport
from mdm_server.pki import certificates, cms

CHECKIN_TYPE = "application/x-apple-aspen-mdm-checkin"
CONNECT_TYPE = "application/x-apple-aspen-mdm"

_MODELS = {
    "iOS": {"ProductName": "iPhone16,2", "Model": "iPhone16,2", "ModelName": "iPhone"},
    "macOS": {"ProductName": "Mac15,3", "Model": "Mac15,3", "ModelName": "MacBook Pro"},
}


def issue_identity(
    ca: certificates.Identity, *, common_name: str = "mdm-identity", rsa: bool = False
) -> tuple[x509.Certificate, certificates.PrivateKey]:
    """A device identity issued directly by `ca` (what SCEP would give the device)."""
    key: certificates.PrivateKey = (
        certificates.new_rsa_key() if rsa else ec.generate_private_key(ec.SECP256R1())
    )
    cert = certificates.issue_certificate(
        issuer=ca,
        public_key=key.public_key(),
        subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]),
        days=365,
        usage="client",
    )
    return cert, key


@dataclass
class Received:
    command_uuid: str
    request_type: str
    command: dict[str, Any]
    answered: str


@dataclass
class SimulatedDevice:
    """One device channel (and optionally its user channel) talking to one server."""

    transport: Transport
    certificate: x509.Certificate
    key: certificates.PrivateKey
    server_url: str
    checkin_url: str | None = None
    platform: str = "iOS"
    user_enrollment: bool = True
    os_version: str = "18.2"
    build_version: str = "22C152"
    bearer: str | None = None
    # Automated Device Enrollment: supervision comes from the ABM profile Setup Assistant got.
    automated: bool = False
    supervised: bool = False
    configured: bool = False  # DeviceConfigured received: Setup Assistant goes on
    sign: bool = True
    mtls_header: str | None = None  # send the certificate as a trusted proxy would, not a signature
    udid: str = field(default_factory=lambda: str(uuid.uuid4()).upper())
    enrollment_id: str = field(default_factory=lambda: str(uuid.uuid4()).upper())
    serial_number: str = "C02SIMULATED"
    topic: str = "com.apple.mgmt.External.00000000-0000-0000-0000-000000000000"
    push_token: bytes = field(default_factory=lambda: uuid.uuid4().bytes * 2)
    push_magic: str = field(default_factory=lambda: str(uuid.uuid4()).upper())
    not_now_once: set[str] = field(default_factory=set)
    fail: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    installed_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)

    # --- identifiers ----------------------------------------------------------------------

    def ids(self, *, user: str | None = None) -> dict[str, str]:
        if self.user_enrollment:
            out = {"EnrollmentID": self.enrollment_id}
            if user:
                out["EnrollmentUserID"] = user
        else:
            out = {"UDID": self.udid}
            if user:
                out["UserID"] = user
        return out

    # --- transport ------------------------------------------------------------------------

    def _headers(self, body: bytes, content_type: str) -> dict[str, str]:
        headers = {"Content-Type": content_type, "User-Agent": "MDM/1.0"}
        if self.mtls_header:
            pem = self.certificate.public_bytes(serialization.Encoding.PEM).decode()
            from urllib.parse import quote

            headers[self.mtls_header] = quote(pem)
        elif self.sign:
            digest = "sha1" if not isinstance(self.key, ec.EllipticCurvePrivateKey) else "sha256"
            signature = cms.sign_detached(
                body, certificate=self.certificate, key=self.key, digest=digest
            )
            headers["Mdm-Signature"] = base64.b64encode(signature).decode()
        if self.bearer:
            headers["Authorization"] = f"Bearer {self.bearer}"
        return headers

    def send(self, url: str, message: Mapping[str, Any], content_type: str) -> tuple[int, bytes]:
        body = plistlib.dumps(dict(message))
        status, _headers, data = self.transport.request(
            "PUT", url, headers=self._headers(body, content_type), body=body
        )
        return status, data

    def checkin(self, message: Mapping[str, Any]) -> tuple[int, bytes]:
        return self.send(self.checkin_url or self.server_url, message, CHECKIN_TYPE)

    # --- check-in messages ----------------------------------------------------------------

    def authenticate(self) -> int:
        model = _MODELS.get(self.platform, _MODELS["iOS"])
        message: dict[str, Any] = {
            "MessageType": "Authenticate",
            "Topic": self.topic,
            "OSVersion": self.os_version,
            "BuildVersion": self.build_version,
            "ProductName": model["ProductName"],
            **self.ids(),
        }
        if self.platform == "macOS":
            message.update(Model=model["Model"], ModelName=model["ModelName"], DeviceName="Mac")
        if not self.user_enrollment:
            message["SerialNumber"] = self.serial_number
        return self.checkin(message)[0]

    def token_update(self, *, user: str | None = None, awaiting: bool = False) -> int:
        message: dict[str, Any] = {
            "MessageType": "TokenUpdate",
            "Topic": self.topic,
            "Token": self.push_token,
            "PushMagic": self.push_magic,
            "AwaitingConfiguration": awaiting,
            **self.ids(user=user),
        }
        if not self.user_enrollment and not user:
            message["UnlockToken"] = b"unlock-" + self.udid.encode()
        if user:
            message["UserShortName"] = user
            message["UserLongName"] = user.title()
        return self.checkin(message)[0]

    def get_token(self, service_type: str) -> tuple[int, bytes]:
        """GetToken check-in (Apple "Get Token"); 200 answers a plist with TokenData."""
        return self.checkin(
            {"MessageType": "GetToken", "TokenServiceType": service_type, **self.ids()}
        )

    def setup_assistant(self, *, max_rounds: int = 5) -> list[Received]:
        """ADE: enroll while Setup Assistant waits, then wait for DeviceConfigured."""
        self.enroll_awaiting_configuration()
        return self.await_device_configured(max_rounds=max_rounds)

    def enroll_awaiting_configuration(self) -> None:
        """Authenticate, then TokenUpdate with AwaitingConfiguration (Setup Assistant waits)."""
        if self.authenticate() != 200:
            raise RuntimeError("Authenticate refused")
        if self.token_update(awaiting=True) != 200:
            raise RuntimeError("TokenUpdate refused")

    def await_device_configured(self, *, max_rounds: int = 5) -> list[Received]:
        """Take the commands until DeviceConfigured releases Setup Assistant, then report that
        the device no longer waits."""
        handled: list[Received] = []
        for _ in range(max_rounds):
            handled += self.run()
            if self.configured:
                break
        if not self.configured:
            raise RuntimeError("Setup Assistant is still waiting: no DeviceConfigured came")
        if self.token_update(awaiting=False) != 200:
            raise RuntimeError("TokenUpdate refused")
        return handled

    def check_out(self) -> int:
        return self.checkin({"MessageType": "CheckOut", "Topic": self.topic, **self.ids()})[0]

    def enroll(self) -> None:
        """Authenticate then TokenUpdate, as after installing the enrollment profile."""
        status = self.authenticate()
        if status != 200:
            raise RuntimeError(f"Authenticate answered {status}")
        status = self.token_update()
        if status != 200:
            raise RuntimeError(f"TokenUpdate answered {status}")

    # --- command channel ------------------------------------------------------------------

    def connect(
        self,
        status: str = "Idle",
        *,
        command_uuid: str | None = None,
        extra: Mapping[str, Any] | None = None,
        user: str | None = None,
    ) -> tuple[int, bytes]:
        message: dict[str, Any] = {"Status": status, **self.ids(user=user)}
        if command_uuid:
            message["CommandUUID"] = command_uuid
        if extra:
            message.update(extra)
        return self.send(self.server_url, message, CONNECT_TYPE)

    def run(self, *, max_commands: int = 50, user: str | None = None) -> list[Received]:
        """Poll with Idle, answer every command until the server has nothing more."""
        handled: list[Received] = []
        status, body = self.connect("Idle", user=user)
        while status == 200 and body and len(handled) < max_commands:
            reply = plistlib.loads(body)
            command = reply["Command"]
            request_type = command["RequestType"]
            answer_status, extra = self.answer(request_type, command)
            received = Received(reply["CommandUUID"], request_type, command, answer_status)
            self.received.append(received)
            handled.append(received)
            status, body = self.connect(
                answer_status, command_uuid=reply["CommandUUID"], extra=extra, user=user
            )
        if status != 200:
            raise RuntimeError(f"connect answered {status}: {body[:200]!r}")
        return handled

    # --- answers --------------------------------------------------------------------------

    def _target(self) -> capabilities.Target:
        return capabilities.Target(
            platform=capabilities.Platform(self.platform),
            os_version=self.os_version,
            enrollment_type=(
                capabilities.EnrollmentType.USER
                if self.user_enrollment
                else capabilities.EnrollmentType.ADE
                if self.automated
                else capabilities.EnrollmentType.DEVICE
            ),
            supervised=self.supervised,
            channel=capabilities.Channel.DEVICE,
        )

    def facts(self) -> dict[str, Any]:
        model = _MODELS.get(self.platform, _MODELS["iOS"])
        return {
            "UDID": self.udid,
            "SerialNumber": self.serial_number,
            "IMEI": "35 000000 000000 0",
            "MEID": "35000000000000",
            "DeviceName": "Simulated " + model["ModelName"],
            "OSVersion": self.os_version,
            "BuildVersion": self.build_version,
            "ProductName": model["ProductName"],
            "Model": model["Model"],
            "ModelName": model["ModelName"],
            "DeviceCapacity": 128.0,
            "AvailableDeviceCapacity": 61.5,
            "BatteryLevel": 0.8,
            "IsSupervised": self.supervised,
            "TimeZone": "Europe/Berlin",
            "WiFiMAC": "aa:bb:cc:dd:ee:ff",
            "BluetoothMAC": "aa:bb:cc:dd:ee:00",
            "IsActivationLockEnabled": False,
        }

    def _device_configured(self) -> tuple[str, dict[str, Any]]:
        """Setup Assistant goes on; a device that did not enroll through ADE has no use for it."""
        if not self.automated:
            return "Error", {"ErrorChain": [{"ErrorCode": 12005, "ErrorDomain": "MDM"}]}
        self.configured = True
        return "Acknowledged", {}

    def answer(self, request_type: str, command: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if request_type in self.not_now_once:
            self.not_now_once.discard(request_type)
            return "NotNow", {}
        if request_type in self.fail:
            return "Error", {
                "ErrorChain": [
                    {
                        "ErrorCode": 12021,
                        "ErrorDomain": "MCMDMErrorDomain",
                        "LocalizedDescription": f"{request_type} failed on the simulator",
                        "USEnglishDescription": f"{request_type} failed on the simulator",
                    }
                ]
            }
        facts = self.facts()
        if request_type == "DeviceInformation":
            asked = command.get("Queries") or list(facts)
            if self.user_enrollment:
                # A User Enrollment device withholds what Apple forbids it to report.
                asked, _ = capabilities.filter_query_keys(
                    "DeviceInformation", asked, self._target()
                )
            return "Acknowledged", {
                "QueryResponses": {k: facts[k] for k in asked if k in facts},
            }
        if request_type == "SecurityInfo":
            info: dict[str, Any] = {"HardwareEncryptionCaps": 3, "PasscodeCompliant": True}
            if not self.user_enrollment:
                info["PasscodePresent"] = True
            return "Acknowledged", {"SecurityInfo": info}
        if request_type == "InstallProfile":
            data = command.get("Payload", b"")
            try:
                content = cms.verify_signed_data(data).content if data[:1] == b"0" else data
                profile = plistlib.loads(content)
            except Exception:  # a device answers a broken profile with an error
                return "Error", {"ErrorChain": [{"ErrorCode": 1000, "ErrorDomain": "Profile"}]}
            self.installed_profiles[profile.get("PayloadIdentifier", "")] = profile
            return "Acknowledged", {}
        if request_type == "RemoveProfile":
            self.installed_profiles.pop(command.get("Identifier", ""), None)
            return "Acknowledged", {}
        if request_type == "ProfileList":
            return "Acknowledged", {
                "ProfileList": [
                    {
                        "PayloadIdentifier": ident,
                        "PayloadUUID": p.get("PayloadUUID", ""),
                        "PayloadDisplayName": p.get("PayloadDisplayName", ""),
                        "IsManaged": True,
                        "PayloadContent": [
                            {"PayloadType": c.get("PayloadType", "")}
                            for c in p.get("PayloadContent", [])
                        ],
                    }
                    for ident, p in self.installed_profiles.items()
                ]
            }
        if request_type == "InstalledApplicationList":
            apps = [
                {
                    "Identifier": "com.example.work",
                    "Name": "Work",
                    "Version": "3",
                    "IsManaged": True,
                }
            ]
            if not self.user_enrollment:
                apps.append({"Identifier": "com.example.game", "Name": "Game", "Version": "1"})
            return "Acknowledged", {"InstalledApplicationList": apps}
        if request_type == "CertificateList":
            der = self.certificate.public_bytes(serialization.Encoding.DER)
            return "Acknowledged", {
                "CertificateList": [{"CommonName": "mdm-identity", "Data": der, "IsIdentity": True}]
            }
        simple = {
            "DeviceConfigured": self._device_configured,
            "AvailableOSUpdates": lambda: ("Acknowledged", {"AvailableOSUpdates": []}),
        }.get(request_type)
        if simple is not None:
            return simple()
        return "Acknowledged", {}
