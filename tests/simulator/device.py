"""The simulated device: identity, signed check-ins, the connect loop and realistic answers.

It behaves like an iPhone or a Mac: signs every request with `Mdm-Signature` (SHA-1, no signed
attributes, as devices do), sends UDID or (User Enrollment) EnrollmentID, answers the common
commands, and a User Enrollment never reveals UDID, serial number, IMEI or MEID.
"""

from __future__ import annotations

import base64
import datetime as dt
import plistlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from devices import capabilities
from mdm_server import clock as clocks
from mdm_server.pki import certificates, cms
from tests.simulator.declarative import DeclarativeClient
from tests.simulator.transport import Transport

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


def _same_url(a: str, b: str) -> bool:
    """The same server URL (the tests' server answers http for the profile's https)."""
    return urlsplit(a)[1:] == urlsplit(b)[1:]


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
    supervised: bool = False  # what DeviceInformation says (an ADE-enrolled Mac is supervised)
    os_version: str = "18.2"
    build_version: str = "22C152"
    bearer: str | None = None
    # Automated Device Enrollment: supervision comes from the ABM profile Setup Assistant got.
    automated: bool = False
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
    declarative: DeclarativeClient = field(default_factory=DeclarativeClient)
    # Managed apps: what the App Store would tell the device (iTunesStoreID or manifest URL ->
    # bundle ID), whether a licence is there for it (None: every app is licensed), and what
    # is installed (bundle ID -> Status, Configuration, Attributes, ManagementFlags).
    app_store: dict[int | str, str] = field(default_factory=dict)
    has_licence: Callable[[int], bool] | None = None
    managed_apps: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Packages a macOS device installed unmanaged (InstallEnterpriseApplication without
    # InstallAsManaged): the person's, not listed as managed, left at unenrollment.
    unmanaged_apps: set[str] = field(default_factory=set)
    # The device's own time (a test moves it: a `ManualClock` shared with the server's clock).
    clock: clocks.Clock = field(default_factory=clocks.SystemClock)
    # After installing an updated enrollment profile, check in again (Authenticate and
    # TokenUpdate) with the new identity; False: just use it on the next request.
    checkin_after_renewal: bool = True
    renewals: list[dt.datetime] = field(default_factory=list)

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

    def fetch(self, url: str) -> tuple[int, bytes]:
        """GET with MDM authentication (the identity, as at check-in): asset data."""
        headers = self._headers(b"", "application/octet-stream")
        status, _headers, data = self.transport.request("GET", url, headers=headers)
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

    def approve_apps(self) -> None:
        """The person approves the app installs a macOS User Enrollment prompted for."""
        for app in self.managed_apps.values():
            if app["Status"] == "Prompting":
                app["Status"] = "Managed"

    def get_token(self, service_type: str) -> tuple[int, bytes]:
        """GetToken check-in (Apple "Get Token"); 200 answers a plist with TokenData."""
        return self.checkin(
            {"MessageType": "GetToken", "TokenServiceType": service_type, **self.ids()}
        )

    def set_bootstrap_token(self, token: bytes, *, awaiting: bool = False) -> int:
        """SetBootstrapToken (Apple "Set Bootstrap Token"): a Mac escrows its bootstrap token
        (empty: the server forgets it); `awaiting` while Setup Assistant waits."""
        message: dict[str, Any] = {
            "MessageType": "SetBootstrapToken",
            "AwaitingConfiguration": awaiting,
        }
        if token:
            message["BootstrapToken"] = token
        return self.checkin({**message, **self.ids()})[0]

    def get_bootstrap_token(self, *, awaiting: bool = False) -> tuple[int, bytes | None]:
        """GetBootstrapToken: the status and the escrowed token (None when the server has none)."""
        status, body = self.checkin(
            {"MessageType": "GetBootstrapToken", "AwaitingConfiguration": awaiting, **self.ids()}
        )
        if status != 200:
            return status, None
        token = plistlib.loads(body).get("BootstrapToken") if body else None
        return status, bytes(token) if token else None

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
        # The enrollment ends: managed apps go with it (User Enrollment: always; otherwise
        # those installed with ManagementFlags 1).
        for bundle, app in list(self.managed_apps.items()):
            if self.user_enrollment or app.get("ManagementFlags", 0) & 1:
                del self.managed_apps[bundle]
        return self.checkin({"MessageType": "CheckOut", "Topic": self.topic, **self.ids()})[0]

    def enroll(self) -> None:
        """Authenticate then TokenUpdate, as after installing the enrollment profile."""
        status = self.authenticate()
        if status != 200:
            raise RuntimeError(f"Authenticate answered {status}")
        status = self.token_update()
        if status != 200:
            raise RuntimeError(f"TokenUpdate answered {status}")

    def sync_declarations(self, *, user: str | None = None) -> bool:
        """Sync the declarations (tokens, items, each changed declaration), activate them and
        send a full status report, as after a `DeclarativeManagement` command."""
        ids = self.ids(user=user)
        changed = self.declarative.sync(self.checkin, ids, fetch=self.fetch)
        report = self.declarative.report(
            os_version=self.os_version, build_version=self.build_version
        )
        status = self.declarative.send_status(self.checkin, ids, report)
        if status != 200:
            raise RuntimeError(f"DeclarativeManagement status answered {status}")
        return changed

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

    # --- renewal ---------------------------------------------------------------------------

    def identity_expires_in(self) -> dt.timedelta:
        return self.certificate.not_valid_after_utc - self.clock.now()

    def _install_profile(self, command: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        data = command.get("Payload", b"")
        try:
            content = cms.verify_signed_data(data).content if data[:1] == b"0" else data
            profile = plistlib.loads(content)
        except Exception:  # a device answers a broken profile with an error
            return "Error", {"ErrorChain": [{"ErrorCode": 1000, "ErrorDomain": "Profile"}]}
        payloads = profile.get("PayloadContent", [])
        if any(isinstance(p, dict) and p.get("PayloadType") == "com.apple.mdm" for p in payloads):
            return self._install_mdm_profile(profile)
        self.installed_profiles[profile.get("PayloadIdentifier", "")] = profile
        return "Acknowledged", {}

    def _install_mdm_profile(self, profile: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """An updated enrollment profile: keep Topic and ServerURL (a device refuses a change),
        get the new identity from its SCEP (or PKCS#12) payload, and use it from now on."""
        from tests.simulator import enrollment_flow

        mdm = enrollment_flow.payload_of(profile, "com.apple.mdm")
        if mdm.get("Topic") != self.topic or not _same_url(
            str(mdm.get("ServerURL", "")), self.server_url
        ):
            return "Error", {
                "ErrorChain": [
                    {
                        "ErrorCode": 12012,
                        "ErrorDomain": "MCMDMErrorDomain",
                        "LocalizedDescription": "The MDM payload's Topic or ServerURL changed",
                    }
                ]
            }
        try:
            issued = enrollment_flow.install_identity(self.transport, profile)
        except enrollment_flow.EnrollmentFlowError as exc:
            return "Error", {
                "ErrorChain": [
                    {"ErrorCode": 22013, "ErrorDomain": "SCEP", "LocalizedDescription": str(exc)}
                ]
            }
        self.certificate, self.key = issued.certificate, issued.key
        self.installed_profiles[profile.get("PayloadIdentifier", "")] = profile
        self.renewals.append(self.clock.now())
        if self.checkin_after_renewal:
            self.enroll()
        return "Acknowledged", {}

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
            "IsSupervised": self.supervised and not self.user_enrollment,
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
            return self._install_profile(command)
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
        if request_type == "DeclarativeManagement":
            self.sync_declarations()
            return "Acknowledged", {}
        if request_type == "DeviceConfigured":
            return self._device_configured()
        if request_type == "AvailableOSUpdates":
            return "Acknowledged", {"AvailableOSUpdates": []}
        return self._answer_apps(request_type, command)

    def _install_enterprise(self, command: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """macOS: a package from its manifest. Installed as managed only with
        InstallAsManaged (which a macOS User Enrollment never gets); otherwise it lands
        unmanaged and ManagedApplicationList does not list it."""
        body = {k: v for k, v in command.items() if k != "RequestType"}
        decision = capabilities.check_command_payload(
            "InstallEnterpriseApplication", body, self._target(), strip=False
        )
        if not decision.allowed:
            return "Error", _error_chain(12064, f"invalid command: {decision.reason}")
        bundle = self.app_store.get(command.get("ManifestURL", ""))
        if bundle is None:
            return "Error", _error_chain(12015, "the manifest cannot be downloaded")
        if command.get("InstallAsManaged"):
            self.managed_apps[bundle] = {
                "Status": "Managed",
                "Configuration": command.get("Configuration"),
                "Attributes": None,
                "ManagementFlags": command.get("ManagementFlags", 0),
                "Version": "1.0",
            }
        else:
            self.unmanaged_apps.add(bundle)
        return "Acknowledged", {}

    def _answer_apps(
        self, request_type: str, command: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """Managed apps (and an empty acknowledgement for any other command). Without an
        `app_store` the device acknowledges app commands without installing anything."""
        if not self.app_store and request_type in (
            "InstallApplication",
            "InstallEnterpriseApplication",
            "RemoveApplication",
        ):
            return "Acknowledged", {}
        if request_type == "InstallEnterpriseApplication":
            return self._install_enterprise(command)
        if request_type == "InstallApplication":
            body = {k: v for k, v in command.items() if k != "RequestType"}
            decision = capabilities.check_command_payload(
                "InstallApplication", body, self._target(), strip=False
            )
            if not decision.allowed:  # a device refuses keys it may not get
                return "Error", _error_chain(12064, f"invalid command: {decision.reason}")
            source = command.get("iTunesStoreID") or command.get("ManifestURL")
            bundle = self.app_store.get(source) if source is not None else None
            if bundle is None:
                return "Error", _error_chain(12015, f"app {source} not found in the App Store")
            store_id = command.get("iTunesStoreID")
            if store_id is not None and self.has_licence and not self.has_licence(store_id):
                return "Acknowledged", {
                    "Identifier": bundle,
                    "State": "Failed",
                    "RejectionReason": "NoLicense",
                }
            # A macOS User Enrollment asks the person first; elsewhere the install just runs.
            status = "Prompting" if self.platform == "macOS" and self.user_enrollment else "Managed"
            self.managed_apps[bundle] = {
                "Status": status,
                "Configuration": command.get("Configuration"),
                # macOS has no app attributes (application.install.yaml): it ignores them.
                "Attributes": command.get("Attributes") if self.platform != "macOS" else None,
                "ManagementFlags": command.get("ManagementFlags", 0),
                "Version": "1.0",
            }
            return "Acknowledged", {
                "Identifier": bundle,
                "State": "Prompting" if status == "Prompting" else "Installing",
            }
        if request_type == "RemoveApplication":
            if self.managed_apps.pop(command.get("Identifier", ""), None) is None:
                return "Error", _error_chain(12029, "the app is not managed")
            return "Acknowledged", {}
        if request_type != "ManagedApplicationList":
            return "Acknowledged", {}
        wanted = command.get("Identifiers") or list(self.managed_apps)
        return "Acknowledged", {
            "ManagedApplicationList": {
                bundle: {
                    "Status": app["Status"],
                    "ManagementFlags": app["ManagementFlags"],
                    "HasConfiguration": bool(app["Configuration"]),
                    "HasFeedback": False,
                    "IsValidated": True,
                    "ExternalVersionIdentifier": 1,
                    "Version": app["Version"],
                }
                for bundle, app in self.managed_apps.items()
                if bundle in wanted
            }
        }


def _error_chain(code: int, text: str) -> dict[str, Any]:
    return {
        "ErrorChain": [
            {
                "ErrorCode": code,
                "ErrorDomain": "MCMDMErrorDomain",
                "LocalizedDescription": text,
                "USEnglishDescription": text,
            }
        ]
    }
