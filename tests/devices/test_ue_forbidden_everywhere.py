"""Nothing Apple forbids under User Enrollment reaches a user-enrolled device, by any path.

The oracle is Apple's schema YAML (`mdm_server/apple_schema/mdm/`), read here with a small walk of
its own, independent of the server's generator and table: every command, command key (nested,
Settings items, query values), profile payload and profile key (top level included) whose
`userenrollment.mode` is `forbidden` on iOS, macOS or visionOS. The test is parametrised over
those entries, grouped per (OS, kind, owner) and per path:

- `service`: the registry builder through `devices.services.enqueue_command` (what every surface
  calls), with the entry in the builder's raw parameters, refusing and with `strip_forbidden`;
- `api`: `POST /api/v1/commands/`, refusing and with `strip_forbidden`;
- `console`: the device's action form post;
- `profiles` (payloads and profile keys): a stored profile installed by the profiles app, in both
  User-Enrollment modes (don't install / install the allowed subset);
- `delivery`: queued for a supervised ADE device that then becomes a User Enrollment.

Each case ends by polling as the simulated device and checking that nothing it received (the
commands, and the profiles inside InstallProfile) contains any entry of the group.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import plistlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from rest_framework.test import APIClient

from devices import capabilities, commands, services
from devices.models import Device, Enrollment, QueuedCommand
from devices.services import MAX_DROPS_PER_REQUEST
from mdm_server import api_tokens
from mdm_server.pki import cms
from profiles import services as profile_services
from profiles.models import Profile
from tests.devices._rows import enrolled, later_deliveries
from tests.simulator import SimulatedDevice

SCHEMA = Path(__file__).resolve().parents[2] / "mdm_server" / "apple_schema" / "mdm"
OSES = ("iOS", "macOS", "visionOS")
OS_VERSION = {"iOS": "18.2", "macOS": "15.2", "visionOS": "2.2"}
MakeDevice = Callable[..., SimulatedDevice]

# --- the oracle: Apple's YAML, walked here ------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One thing forbidden under User Enrollment on one OS."""

    os: str
    kind: str  # command, command_key, payload, payload_key, top_level_key
    owner: str  # RequestType or PayloadType ("TopLevel" for the profile's own keys)
    path: str  # schema path ("" for a whole command or payload)
    ancestors: tuple[str, ...]  # paths of the enclosing keys
    make: Callable[[], dict[str, Any]]  # a minimal dictionary containing it
    steps: tuple[tuple[Any, ...], ...]  # how to find it in a dictionary

    def __repr__(self) -> str:
        return f"{self.os}:{self.owner}:{self.path or '*'}"

    def named_by(self, text: str) -> bool:
        """Does a refusal or note name this entry (or an enclosing key, or the owner)?"""
        if not self.path:
            return self.owner in text
        return any(p in text for p in (self.path, *self.ancestors))


def _loader() -> type:
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the walk runs at collection

    class Loader(base):  # type: ignore[misc,valid-type]
        pass

    Loader.yaml_implicit_resolvers = {  # versions stay text ("10.10")
        k: [(tag, rx) for tag, rx in v if not tag.endswith((":int", ":float"))]
        for k, v in base.yaml_implicit_resolvers.items()
    }
    return Loader


def _mode(node: dict[str, Any], os: str) -> str | None:
    block = (node.get("supportedOS") or {}).get(os) or {}
    return (block.get("userenrollment") or {}).get("mode")


def _sample(key: dict[str, Any]) -> Any:
    kind = key.get("type")
    subkeys = key.get("subkeys") or []
    if kind == "<dictionary>":
        return _discriminators(subkeys)
    if kind == "<array>":
        return []
    if subkeys:  # a scalar whose values are listed (DeviceInformation queries)
        return subkeys[0]["key"]
    rangelist = key.get("rangelist") or []
    if rangelist:
        return rangelist[0]
    return {
        "<integer>": 1,
        "<boolean>": True,
        "<real>": 1.5,
        "<data>": b"\x00forbidden",
        "<date>": dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    }.get(kind, "forbidden-value")


def _discriminators(subkeys: list[dict[str, Any]]) -> dict[str, Any]:
    """Required keys with a single allowed value, e.g. a Settings item's `Item`."""
    return {
        k["key"]: k["rangelist"][0]
        for k in subkeys
        if k.get("presence") == "required" and len(k.get("rangelist") or []) == 1
    }


def _item_discriminators(key: dict[str, Any]) -> dict[str, Any]:
    """What names one kind of array item (a Settings item by its `Item`). Apple's settings.yaml
    (27.0) lists no `Item` key for `DefaultApplications`; a Settings item is named by its `Item`
    all the same, and the server refuses an item without one."""
    fixed = _discriminators(key.get("subkeys") or [])
    if not fixed and key.get("type") == "<dictionary>":
        return {"Item": key["key"]}
    return fixed


Put = Callable[[str, Any], dict[str, Any]]


def _walk(
    keys: Any,
    os: str,
    inherited: str | None,
    prefix: str,
    sep: str,
    put: Put,
    steps: tuple[tuple[Any, ...], ...],
    ancestors: tuple[str, ...],
    out: dict[str, tuple[str | None, tuple[str, ...], Callable[[], Any], tuple[Any, ...]]],
    seen: frozenset[int] = frozenset(),
    in_array: bool = False,
) -> None:
    if not keys or id(keys) in seen:
        return
    seen = seen | {id(keys)}
    for key in keys:
        name = key["key"]
        path = f"{prefix}{sep}{name}" if prefix else name
        mode = _mode(key, os) or inherited
        if in_array:
            own_steps = (*steps, ("item", _item_discriminators(key)))
        else:
            own_steps = (*steps, ("key", name))

        def place(value: Any, name: str = name, put: Put = put) -> dict[str, Any]:
            return put(name, value)

        sample = _item_discriminators if in_array and key.get("type") == "<dictionary>" else _sample
        out.setdefault(path, (mode, ancestors, lambda k=key, p=place, f=sample: p(f(k)), own_steps))
        subkeys = key.get("subkeys")
        kind = key.get("type")
        inner = (*ancestors, path)
        if kind == "<dictionary>":
            fixed = _item_discriminators(key) if in_array else _discriminators(subkeys or [])

            def put_member(n: str, v: Any, place: Any = place, fixed: Any = fixed) -> Any:
                return place({**fixed, n: v})

            _walk(subkeys, os, mode, path, ".", put_member, own_steps, inner, out, seen)
        elif kind == "<array>":

            def put_item(n: str, v: Any, place: Any = place) -> Any:
                return place([v])

            _walk(subkeys, os, mode, f"{path}[]", ".", put_item, own_steps, inner, out, seen, True)
        elif subkeys:
            for value in subkeys:
                vpath = f"{path}={value['key']}"
                out.setdefault(
                    vpath,
                    (
                        _mode(value, os) or mode,
                        inner,
                        lambda v=value["key"], p=place: p(v),
                        (*own_steps, ("value", value["key"])),
                    ),
                )


def _top(name: str, value: Any) -> dict[str, Any]:
    return {name: value}


def oracle() -> list[Entry]:
    loader = _loader()
    entries: list[Entry] = []
    for folder, field in (("commands", "requesttype"), ("profiles", "payloadtype")):
        by_owner: dict[tuple[str, str], dict[str, Entry]] = {}
        forbidden_owners: set[tuple[str, str]] = set()
        for path in sorted((SCHEMA / folder).glob("*.yaml")):
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
            owner = data["payload"][field]
            for os in OSES:
                item_mode = _mode(data["payload"], os)
                if item_mode == "forbidden":
                    forbidden_owners.add((os, owner))
                    continue
                paths: dict[str, Any] = {}
                _walk(data.get("payloadkeys"), os, item_mode, "", "", _top, (), (), paths)
                for key_path, (mode, ancestors, make, steps) in paths.items():
                    if mode != "forbidden":
                        continue
                    if folder == "commands":
                        kind = "command_key"
                    else:
                        kind = "top_level_key" if owner == "TopLevel" else "payload_key"
                    by_owner.setdefault((os, owner), {}).setdefault(
                        key_path, Entry(os, kind, owner, key_path, ancestors, make, steps)
                    )
        kind = "command" if folder == "commands" else "payload"
        for os, owner in sorted(forbidden_owners):
            entries.append(Entry(os, kind, owner, "", (), lambda: {}, ()))
            by_owner.pop((os, owner), None)  # keys of a forbidden item are not listed again
        for found in by_owner.values():
            entries.extend(found.values())
    return entries


ENTRIES = oracle()


def _groups() -> dict[tuple[str, str, str], list[Entry]]:
    groups: dict[tuple[str, str, str], list[Entry]] = {}
    for entry in ENTRIES:
        owner = "*" if entry.kind in ("command", "payload") else entry.owner
        groups.setdefault((entry.os, entry.kind, owner), []).append(entry)
    return groups


GROUPS = _groups()
PROFILE_KINDS = ("payload", "payload_key", "top_level_key")
PATHS = ("service", "service-strip", "api", "api-strip", "console", "profiles", "delivery")


def _cases() -> Iterator[Any]:
    for (os, kind, owner), _entries in sorted(GROUPS.items()):
        for path in PATHS:
            if path == "profiles" and kind not in PROFILE_KINDS:
                continue
            yield pytest.param(os, kind, owner, path, id=f"{os}-{kind}-{owner}-{path}")


# --- finding an entry in what the device received ------------------------------------------


def _present(node: Any, steps: tuple[tuple[Any, ...], ...]) -> bool:
    if not steps:
        return True
    step, rest = steps[0], steps[1:]
    if step[0] == "key":
        return isinstance(node, dict) and step[1] in node and _present(node[step[1]], rest)
    if step[0] == "item":
        if not isinstance(node, list):
            return False
        fixed = step[1]
        return any(
            (not fixed or (isinstance(e, dict) and all(e.get(k) == v for k, v in fixed.items())))
            and _present(e, rest)
            for e in node
        )
    return node == step[1] and _present(node, rest)


def _profile_of(command: dict[str, Any]) -> dict[str, Any]:
    data = command["Payload"]
    content = cms.verify_signed_data(data).content if data[:1] == b"0" else data
    return plistlib.loads(content)


def _delivered(entry: Entry, command: dict[str, Any], profile: dict[str, Any] | None) -> bool:
    """Does this command (as the device received it; `profile`: the one it installs) carry
    the entry?"""
    if entry.kind == "command":
        return command["RequestType"] == entry.owner
    if entry.kind == "command_key":
        return command["RequestType"] == entry.owner and _present(command, entry.steps)
    if profile is None:
        return False
    if entry.kind == "top_level_key":
        return _present({k: v for k, v in profile.items() if k != "PayloadContent"}, entry.steps)
    payloads = [p for p in profile["PayloadContent"] if p.get("PayloadType") == entry.owner]
    return bool(payloads) and (
        entry.kind == "payload" or any(_present(p, entry.steps) for p in payloads)
    )


def _carried(entries: list[Entry], received: list[Any]) -> list[tuple[str, Entry]]:
    """The entries found in what the device received."""
    found = []
    for r in received:
        profile = _profile_of(r.command) if r.request_type == "InstallProfile" else None
        found += [(r.request_type, e) for e in entries if _delivered(e, r.command, profile)]
    return found


# --- what each entry looks like as a command or a profile --------------------------------------

_uuids = (f"00000000-0000-4000-8000-{n:012d}" for n in itertools.count(1))


def _payload(entry: Entry) -> dict[str, Any]:
    n = next(_uuids)
    body = entry.make() if entry.kind == "payload_key" else {}
    return {
        **body,
        "PayloadType": entry.owner,
        "PayloadIdentifier": f"com.example.forbidden.{n[-6:]}",
        "PayloadUUID": n,
        "PayloadVersion": 1,
    }


def _profile(entry: Entry) -> bytes:
    n = next(_uuids)
    top = entry.make() if entry.kind == "top_level_key" else {}
    clip = {
        "PayloadType": "com.apple.webClip.managed",
        "PayloadIdentifier": f"com.example.clip.{n[-6:]}",
        "PayloadUUID": next(_uuids),
        "PayloadVersion": 1,
        "URL": "https://intranet.example.com",
        "Label": "Intranet",
    }
    payloads = [clip] if entry.kind == "top_level_key" else [_payload(entry), clip]
    return plistlib.dumps(
        {
            **top,
            "PayloadType": "Configuration",
            "PayloadIdentifier": f"com.example.profile.{n[-6:]}",
            "PayloadUUID": n,
            "PayloadVersion": 1,
            "PayloadDisplayName": "Forbidden test",
            "PayloadContent": payloads,
        }
    )


def _specs_for(request_type: str) -> list[commands.CommandSpec]:
    return [s for s in commands.REGISTRY.values() if s.request_type == request_type]


def _command_request(entry: Entry) -> tuple[str, dict[str, Any]] | None:
    """(registry name, raw parameters carrying the entry), or None: no builder sends this."""
    if entry.kind in PROFILE_KINDS:
        return "InstallProfile", {"Payload": _profile(entry)}
    specs = _specs_for(entry.owner)
    if not specs:
        return None
    spec = specs[0]
    params = entry.make() if entry.kind == "command_key" else {}
    for key, value in _MINIMAL_PARAMS.get(spec.name, {}).items():
        params.setdefault(key, value)
    return spec.name, params


# What a builder needs besides the entry (its required parameters).
_MINIMAL_PARAMS: dict[str, dict[str, Any]] = {
    "EnableLostMode": {"Message": "Lost"},
    "InstallApplication": {"Identifier": "com.example.app"},
    "InstallEnterpriseApplication": {"ManifestURL": "https://apps.example.com/tool.plist"},
    "RemoveApplication": {"Identifier": "com.example.app"},
    "RemoveProfile": {"Identifier": "com.example.profile"},
}


def _json_safe(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


# --- the test ------------------------------------------------------------------------------


def _ue_device(make_device: MakeDevice, os: str) -> tuple[SimulatedDevice, Enrollment]:
    platform = "macOS" if os == "macOS" else "iOS"
    device, enrollment = enrolled(make_device, platform=platform, user_enrollment=True)
    Device.objects.filter(channels=enrollment).update(platform=os, os_version=OS_VERSION[os])
    enrollment.refresh_from_db()
    return device, enrollment


def _known_params(name: str, params: dict[str, Any]) -> bool:
    return set(params) <= {p.name for p in commands.REGISTRY[name].params}


def _try_service(entry: Entry, ue: Enrollment, *, strip: bool) -> None:
    request = _command_request(entry)
    if request is None:
        with pytest.raises(commands.CommandInputError, match="unknown command"):
            services.enqueue_command(
                enrollments=[ue], request_type=entry.owner, strip_forbidden=strip
            )
        return
    name, params = request
    if not _known_params(name, params):
        # The command takes no such parameter: refused, naming it (the delivery check is below).
        with pytest.raises(commands.CommandInputError, match="unknown parameter"):
            services.enqueue_command(
                enrollments=[ue], request_type=name, payload=params, strip_forbidden=strip
            )
        return
    result = services.enqueue_command(
        enrollments=[ue], request_type=name, payload=params, strip_forbidden=strip
    )
    if result.queued:
        assert strip, (entry, "queued without strip_forbidden", result.command.body)
        notes = " ".join(result.notes[ue.pk])
        assert entry.named_by(notes), (entry, notes)
    else:
        assert entry.named_by(result.refused[ue.pk]), (entry, result.refused[ue.pk])


def _try_api(entry: Entry, ue: Enrollment, api: APIClient, *, strip: bool) -> None:
    request = _command_request(entry)
    name, params = request if request is not None else (entry.owner, {})
    response = api.post(
        "/api/v1/commands/",
        {
            "command": name,
            "devices": [str(ue.public_id)],
            "params": _json_safe(params),
            "strip_forbidden": strip,
            "confirm": True,
        },
        format="json",
    )
    body = response.json()
    if response.status_code == 201:
        assert strip and request is not None, (entry, body)
        notes = " ".join(body["notes"][str(ue.public_id)])
        assert entry.named_by(notes), (entry, notes)
        return
    assert response.status_code == 400, (entry, response.status_code, body)
    error = body["error"]
    text = json.dumps(error)
    if request is None:
        assert "command" in error["fields"], (entry, error)
    elif not _known_params(name, params):
        assert "params" in error["fields"], (entry, error)
    else:
        assert entry.named_by(text), (entry, text)


def _try_console(entry: Entry, ue: Enrollment, console: Client) -> None:
    request = _command_request(entry)
    url = f"/console/devices/{ue.public_id}/actions/{request[0] if request else entry.owner}/"
    if request is None:
        assert console.post(url, {}).status_code == 404, entry
        return
    name, params = request
    spec = commands.REGISTRY[name]
    form: dict[str, Any] = {"confirm": "on"}
    for p in spec.params:
        if p.name not in params:
            continue
        value = params[p.name]
        if p.kind == "data":
            from django.core.files.uploadedfile import SimpleUploadedFile

            form[p.name] = SimpleUploadedFile("profile.mobileconfig", value)
        elif p.kind in ("list", "dict"):
            form[p.name] = json.dumps(_json_safe(value))
        else:
            form[p.name] = value
    response = console.post(url, form)
    if not _known_params(name, params):
        # The form has no such field: queued without it, or refused (checked on delivery).
        assert response.status_code in (302, 400), (entry, response.status_code)
        return
    assert response.status_code == 400, (entry, response.status_code)
    page = response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert entry.named_by(page), entry


def _try_profiles(entry: Entry, ue: Enrollment, admin: Any) -> None:
    data = _profile(entry)
    document = plistlib.loads(data)
    for mode in Profile.UserEnrollmentMode.values:
        row = Profile.objects.create(
            identifier=f"{document['PayloadIdentifier']}.{mode}",
            display_name="Forbidden test",
            uuid=document["PayloadUUID"],
            ue_mode=mode,
            content=data,
        )
        outcome = profile_services.install_profile(profile=row, enrollments=[ue], actor=admin)
        if outcome.queued:
            assert mode == Profile.UserEnrollmentMode.SUBSET, entry
            reason = row.deliveries.get(enrollment=ue).reason
        else:
            reason = outcome.skipped[ue.pk]
        assert entry.named_by(reason), (entry, mode, reason)


def _try_delivery(entries: list[Entry], make_device: MakeDevice) -> None:
    """Queue every entry for a supervised ADE device, which then becomes a User Enrollment:
    each stored command is dropped at delivery and the device gets none of them."""
    os = entries[0].os
    platform = "macOS" if os == "macOS" else "iOS"
    device, row = enrolled(make_device, platform=platform, user_enrollment=False)
    Device.objects.filter(channels=row).update(
        platform=os, os_version=OS_VERSION[os], supervised=True
    )
    Enrollment.objects.filter(pk=row.pk).update(enrollment_type="ade")
    row.refresh_from_db()
    stored = []
    for entry in entries:
        request = _command_request(entry)
        if request is None:  # no builder sends it: nothing can be stored (see the other paths)
            with pytest.raises(commands.CommandInputError, match="unknown command"):
                services.enqueue_command(enrollments=[row], request_type=entry.owner)
            continue
        if not _known_params(*request):
            continue  # refused when queued (see _try_service): nothing is stored
        result = services.enqueue_command(
            enrollments=[row], request_type=request[0], payload=request[1]
        )
        if result.queued:
            stored.append((entry, result.command))
    Device.objects.filter(channels=row).update(
        user_enrollment=True,
        supervised=False,
        udid=None,
        serial_number=None,
        imei=None,
        meid=None,
    )
    Enrollment.objects.filter(pk=row.pk).update(enrollment_type=Enrollment.Type.USER)
    # The server drops at most MAX_DROPS_PER_REQUEST commands per request: poll until done.
    for _ in range(len(entries) // MAX_DROPS_PER_REQUEST + 2):
        assert not _carried(entries, device.run(max_commands=len(entries) + 5))
    for entry, command in stored:
        dropped = QueuedCommand.objects.get(enrollment=row, command=command)
        assert dropped.status == QueuedCommand.Status.DROPPED, (entry, dropped.status)
        assert dropped.status_reason


@pytest.fixture
def admin_api(admin_user: Any) -> APIClient:
    token = api_tokens.create_api_token(user=admin_user, actor=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """The admin persona hashes a password per case; a fast hasher keeps the cases quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
@pytest.mark.parametrize(("os", "kind", "owner", "path"), list(_cases()))
def test_nothing_forbidden_reaches_a_user_enrollment(
    os: str, kind: str, owner: str, path: str, make_device: MakeDevice, request: Any
) -> None:
    entries = GROUPS[(os, kind, owner)]
    device, ue = _ue_device(make_device, os)
    for entry in entries:
        if path in ("service", "service-strip"):
            _try_service(entry, ue, strip=path == "service-strip")
        elif path in ("api", "api-strip"):
            api = request.getfixturevalue("admin_api")
            _try_api(entry, ue, api, strip=path == "api-strip")
        elif path == "console":
            _try_console(entry, ue, request.getfixturevalue("admin_client"))
        elif path == "profiles":
            _try_profiles(entry, ue, request.getfixturevalue("admin_user"))
    if path == "delivery":
        _try_delivery(entries, make_device)
    received = device.run(max_commands=len(entries) * 2 + 5)
    assert not _carried(entries, received)
    givable = all((req := _command_request(e)) is not None and _known_params(*req) for e in entries)
    if path in ("service", "api", "console") and givable:
        # Without strip_forbidden nothing of this group was even stored for the device.
        assert not later_deliveries().filter(enrollment=ue).exists()


def test_the_generated_list_is_apples() -> None:
    """The table's USER_ENROLLMENT_FORBIDDEN equals what the YAML says, entry for entry."""
    expected: dict[str, dict[str, Any]] = {}
    for e in ENTRIES:
        lists = expected.setdefault(
            e.os, {"commands": [], "command_keys": {}, "payloads": [], "payload_keys": {}}
        )
        if e.kind == "command":
            lists["commands"].append(e.owner)
        elif e.kind == "payload":
            lists["payloads"].append(e.owner)
        elif e.kind == "command_key":
            lists["command_keys"].setdefault(e.owner, []).append(e.path)
        else:
            lists["payload_keys"].setdefault(e.owner, []).append(e.path)
    for os in OSES:
        generated = capabilities.user_enrollment_forbidden(os)
        mine = expected[os]
        assert sorted(generated["commands"]) == sorted(mine["commands"]), os
        assert sorted(generated["payloads"]) == sorted(mine["payloads"]), os
        for section in ("command_keys", "payload_keys"):
            assert {k: sorted(v) for k, v in generated[section].items()} == {
                k: sorted(v) for k, v in mine[section].items()
            }, (os, section)
    # The issue's own examples are in it.
    ios = capabilities.user_enrollment_forbidden("iOS")
    assert "PayloadRemovalDisallowed" in ios["payload_keys"]["TopLevel"]
    assert {"Settings[].DeviceName", "Settings[].Wallpaper", "Settings[].TimeZone"} <= set(
        ios["command_keys"]["Settings"]
    )
    assert {"Queries[].QueriesItem=UDID", "Queries[].QueriesItem=SerialNumber"} <= set(
        ios["command_keys"]["DeviceInformation"]
    )
    assert len(ENTRIES) > 500
