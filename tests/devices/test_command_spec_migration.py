"""Commands stored before `Command.spec` get their registry name: the one their console copy
recorded (an Unenroll is a RemoveProfile), else their RequestType."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.migrations import at_state, migrate_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("devices", "0008_split_device_channels")]
AFTER = [("devices", "0009_props_command_spec")]


@pytest.fixture
def at_previous_state() -> Iterator[Any]:
    yield from at_state(BEFORE)


def test_existing_commands_get_their_registry_name(at_previous_state: Any) -> None:
    Command = at_previous_state.get_model("devices", "Command")
    rows = {
        "unenroll": ("RemoveProfile", {"name": "Unenroll", "title": "Unenroll"}),
        "remove": ("RemoveProfile", {"name": "RemoveProfile", "title": "Remove profile"}),
        "bare": ("ProfileList", {}),
    }
    for uuid, (request_type, display) in rows.items():
        Command.objects.create(uuid=uuid, request_type=request_type, body=b"x", display=display)
    Command = migrate_to(AFTER).get_model("devices", "Command")
    specs = dict(Command.objects.values_list("uuid", "spec"))
    assert specs == {"unenroll": "Unenroll", "remove": "RemoveProfile", "bare": "ProfileList"}


def test_odd_console_copies_fall_back_to_the_request_type(at_previous_state: Any) -> None:
    """A console copy without a usable name (missing, null, empty, not text, not an object) or
    with a name no command has: the migration neither fails nor takes such a row for an
    Unenroll; only a recorded "Unenroll" is one."""
    Command = at_previous_state.get_model("devices", "Command")
    rows: dict[str, tuple[str, Any]] = {
        "null-name": ("RemoveProfile", {"name": None}),
        "empty-name": ("RemoveProfile", {"name": ""}),
        "number-name": ("RemoveProfile", {"name": 7}),
        "object-name": ("RemoveProfile", {"name": {"name": "Unenroll"}}),
        "list": ("RemoveProfile", ["Unenroll"]),
        "text": ("RemoveProfile", "Unenroll"),
        "long-name": ("InstallProfile", {"name": "X" * 300}),
        "custom": ("Settings", {"name": "Rename the device"}),
    }
    for uuid, (request_type, display) in rows.items():
        Command.objects.create(uuid=uuid, request_type=request_type, body=b"x", display=display)
    Command = migrate_to(AFTER).get_model("devices", "Command")
    specs = dict(Command.objects.values_list("uuid", "spec"))
    assert "Unenroll" not in specs.values(), specs
    assert specs["null-name"] == specs["empty-name"] == specs["list"] == "RemoveProfile"
    assert specs["number-name"] == specs["object-name"] == specs["text"] == "RemoveProfile"
    assert specs["long-name"] == "X" * 64
    assert specs["custom"] == "Rename the device"  # kept as recorded: it ends nothing
