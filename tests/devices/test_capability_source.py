"""The capability-table generator (devices.capability_source) and its management command.

No database. Small synthetic schemas pin the reading rules; the real schema (when present next
to the repository) proves the committed table is exactly what the generator produces today.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from devices import capability_table
from devices.capability_source import SchemaError, build_table, generate, schema_commit
from devices.management.commands.generate_capability_table import COMMAND, default_schema_dir

REPO = Path(__file__).resolve().parents[2]
TABLE_FILE = REPO / "devices" / "capability_table.py"
REAL_SCHEMA = default_schema_dir()

COMMAND_YAML = """\
title: Lock It
payload:
  requesttype: LockIt
  supportedOS:
    iOS:
      introduced: '10.10'
      supervised: false
      sharedipad:
        mode: allowed
        devicechannel: true
        userchannel: false
      userenrollment:
        mode: forbidden
    macOS:
      introduced: n/a
payloadkeys:
- key: Message
  type: <string>
  supportedOS:
    iOS:
      introduced: 11.2.1
- key: Options
  type: <dictionary>
  supportedOS:
    iOS:
      userenrollment:
        mode: allowed
  subkeys:
  - key: Inner
    type: <boolean>
- key: Queries
  type: <array>
  subkeys:
  - key: QueriesItem
    type: <string>
    subkeys:
    - key: Serial
      supportedOS:
        iOS:
          userenrollment:
            mode: forbidden
    - key: Name
responsekeys:
- key: QueryResponses
  type: <dictionary>
  subkeys:
  - key: Serial
    type: <string>
"""

PROFILE_YAML = """\
title: Folders
payload:
  payloadtype: com.example.folders
  supportedOS:
    macOS:
      introduced: '13.0'
      devicechannel: true
      userchannel: true
      userenrollment:
        mode: allowed
payloadkeys:
- key: Pages
  type: <array>
  subkeys: &pages
  - key: Page
    type: <dictionary>
    subkeys:
    - key: Nested
      type: <array>
      subkeys: *pages
- key: Login
  supportedOS:
    macOS:
      introduced: all
  type: <boolean>
"""

MCX_YAML = """\
title: MCX {area}
payload:
  payloadtype: com.example.mcx
  supportedOS:
    macOS:
      introduced: '10.7'
payloadkeys:
- key: {area}Key
  type: <boolean>
"""


def write_schema(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def small_schema(tmp_path: Path) -> Path:
    return write_schema(
        tmp_path / "schema",
        {
            "README.md": "| Commit | `" + "a" * 40 + "` (test) |\n",
            "mdm/commands/lock.yaml": COMMAND_YAML,
            "mdm/checkin/hello.yaml": COMMAND_YAML.replace("LockIt", "Hello"),
            "mdm/profiles/com.example.folders.yaml": PROFILE_YAML,
            "mdm/profiles/com.example.mcx(One).yaml": MCX_YAML.format(area="One"),
            "mdm/profiles/com.example.mcx(Two).yaml": MCX_YAML.format(area="Two"),
        },
    )


def test_versions_stay_text_and_na_means_unsupported(small_schema: Path) -> None:
    item = build_table(small_schema)["commands"]["LockIt"]
    assert item["file"] == "mdm/commands/lock.yaml"
    # '10.10' must not be read as the float 10.1; unquoted 11.2.1 stays text too.
    assert item["os"]["iOS"]["introduced"] == "10.10"
    assert item["os"]["iOS"]["userenrollment"] == "forbidden"
    assert item["os"]["iOS"]["sharedipad"] == {
        "devicechannel": True,
        "mode": "allowed",
        "userchannel": False,
    }
    assert item["os"]["macOS"] == {"supported": False}
    assert item["payloadkeys"]["Message"] == {"iOS": {"introduced": "11.2.1"}}


def test_key_paths_and_inherited_overrides(small_schema: Path) -> None:
    item = build_table(small_schema)["commands"]["LockIt"]
    keys = item["payloadkeys"]
    assert keys["Options"] == {"iOS": {"userenrollment": "allowed"}}
    # A subkey inherits its parent key's overrides (then the payload's, at runtime).
    assert keys["Options.Inner"] == {"iOS": {"userenrollment": "allowed"}}
    assert keys["Queries[].QueriesItem=Serial"] == {"iOS": {"userenrollment": "forbidden"}}
    assert keys["Queries[].QueriesItem=Name"] == {}
    assert item["arrayitems"] == {"Queries": ["QueriesItem"]}
    assert item["querylists"] == {
        "Queries": {"values": "Queries[].QueriesItem", "responses": "QueryResponses"}
    }
    assert item["responsekeys"]["QueryResponses.Serial"] == {}


def test_recursive_anchors_and_all_versions(small_schema: Path) -> None:
    profiles = build_table(small_schema)["profiles"]
    (folders,) = profiles["com.example.folders"]
    assert "Pages[].Page.Nested" in folders["payloadkeys"]
    assert folders["payloadkeys"]["Login"] == {"macOS": {"supported": True}}
    assert folders["os"]["macOS"]["devicechannel"] is True


def test_several_files_for_one_payload_type(small_schema: Path) -> None:
    variants = build_table(small_schema)["profiles"]["com.example.mcx"]
    assert [v["file"] for v in variants] == [
        "mdm/profiles/com.example.mcx(One).yaml",
        "mdm/profiles/com.example.mcx(Two).yaml",
    ]


def test_commit_comes_from_the_readme(small_schema: Path, tmp_path: Path) -> None:
    assert schema_commit(small_schema) == "a" * 40
    (small_schema / "README.md").unlink()
    assert schema_commit(small_schema) == "unknown"


def test_a_folder_commit_comes_from_the_readme_table(small_schema: Path) -> None:
    """A copy mixing upstream commits names one per folder; the header says which is which."""
    (small_schema / "README.md").write_text(
        "| Commit of the commands | `" + "a" * 40 + "` |\n\n"
        "| Folder | Upstream commit |\n|---|---|\n"
        "| `mdm/commands/` | `" + "a" * 40 + "` |\n"
        "| `mdm/profiles/` | `" + "b" * 40 + "` (older) |\n",
        encoding="utf-8",
    )
    assert schema_commit(small_schema) == "a" * 40
    assert schema_commit(small_schema, "mdm/profiles") == "b" * 40
    assert schema_commit(small_schema, "mdm/commands") == "a" * 40
    # A folder without a row falls back to the copy's commit.
    assert schema_commit(small_schema, "declarative/declarations") == "a" * 40
    text = generate(small_schema, command="manage.py generate_capability_table")
    assert f"mdm/profiles at commit {'b' * 40}." in text
    assert f'SCHEMA_COMMIT = "{"a" * 40}"' in text


@pytest.mark.parametrize(
    ("description", "successor"),
    [
        (
            "'Schedule an update. Removed: use\n  the declarative management `x.y` configuration.'",
            "use the declarative management `x.y` configuration",
        ),
        (
            "'Get it. Deprecated: subscribe to the `a.b` status item.'",
            "subscribe to the `a.b` status item",
        ),
        ("Remotely lock a device.", None),
    ],
    ids=["removed", "deprecated", "none"],
)
def test_what_to_use_instead_comes_from_the_description(
    small_schema: Path, description: str, successor: str | None
) -> None:
    path = small_schema / "mdm/commands/lock.yaml"
    path.write_text(f"description: {description}\n" + COMMAND_YAML, encoding="utf-8")
    item = build_table(small_schema)["commands"]["LockIt"]
    assert item.get("successor") == successor


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"mdm/commands/a.yaml": COMMAND_YAML, "mdm/commands/b.yaml": COMMAND_YAML}, "twice"),
        ({"mdm/commands/a.yaml": "title: x\n"}, "no 'payload'"),
        ({"mdm/commands/a.yaml": "payload: {requesttype: ''}\n"}, "no requesttype"),
        (
            {"mdm/commands/a.yaml": COMMAND_YAML.replace("'10.10'", "soon")},
            "'soon' is not a dotted version",
        ),
        ({"mdm/commands/a.yaml": COMMAND_YAML.replace("mode: forbidden", "mode: maybe")}, "maybe"),
        ({"mdm/commands/a.yaml": "payload: [\n"}, "cannot read YAML"),
    ],
)
def test_schema_errors_say_what_is_wrong(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    schema = write_schema(
        tmp_path,
        {
            "mdm/checkin/hello.yaml": COMMAND_YAML.replace("LockIt", "Hello"),
            "mdm/profiles/p.yaml": PROFILE_YAML,
            **files,
        },
    )
    with pytest.raises(SchemaError, match=message):
        build_table(schema)


def test_not_a_schema_folder(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="no mdm/ folder"):
        build_table(tmp_path)


def test_generation_is_deterministic(small_schema: Path) -> None:
    first = generate(small_schema, command=COMMAND)
    second = generate(small_schema, command=COMMAND)
    assert first == second
    assert "GENERATED FILE" in first
    assert "a" * 40 in first
    assert COMMAND in first
    namespace: dict[str, object] = {}
    exec(compile(first, "capability_table.py", "exec"), namespace)  # noqa: S102 - our own output
    assert set(namespace["COMMANDS"]) == {"LockIt"}  # type: ignore[arg-type]
    assert namespace["SCHEMA_COMMIT"] == "a" * 40


def ruff_check(tmp_path: Path, source: str) -> None:
    ruff = Path(sys.executable).with_name("ruff")
    assert ruff.exists(), "ruff (a development dependency) is installed next to the interpreter"
    output = tmp_path / "capability_table.py"
    output.write_text(source, encoding="utf-8")
    result = subprocess.run(
        [str(ruff), "format", "--check", "--line-length", "100", str(output)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_output_is_ruff_formatted(small_schema: Path, tmp_path: Path) -> None:
    ruff_check(tmp_path, generate(small_schema, command=COMMAND))


def test_management_command_writes_and_checks(small_schema: Path, tmp_path: Path) -> None:
    output = tmp_path / "table.py"
    call_command("generate_capability_table", schema=small_schema, output=output)
    assert output.read_text(encoding="utf-8") == generate(small_schema, command=COMMAND)
    call_command("generate_capability_table", schema=small_schema, output=output, check=True)
    output.write_text("# stale\n", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("generate_capability_table", schema=small_schema, output=output, check=True)


def test_management_command_reports_bad_schema(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Schema folder not found"):
        call_command("generate_capability_table", schema=tmp_path / "missing")
    broken = write_schema(tmp_path / "broken", {"mdm/commands/a.yaml": "title: x\n"})
    with pytest.raises(CommandError, match="Cannot read Apple's schema"):
        call_command("generate_capability_table", schema=broken, output=tmp_path / "t.py")


@pytest.fixture(scope="module")
def fresh_table() -> str:
    """One generation from the real schema (about a second and a half) shared by the tests."""
    return generate(REAL_SCHEMA, command=COMMAND)


def test_committed_table_equals_a_fresh_generation(fresh_table: str) -> None:
    assert TABLE_FILE.read_text(encoding="utf-8") == fresh_table


def test_committed_table_commit_matches_the_schema() -> None:
    assert schema_commit(REAL_SCHEMA) == capability_table.SCHEMA_COMMIT


def test_real_table_is_ruff_formatted(fresh_table: str, tmp_path: Path) -> None:
    ruff_check(tmp_path, fresh_table)


def test_runtime_module_needs_neither_yaml_nor_django() -> None:
    code = textwrap.dedent(
        """
        import sys
        import devices.capabilities
        bad = sorted(m for m in sys.modules if m.split(".")[0] in {"yaml", "django"})
        print(",".join(bad))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
