"""The declaration editor's fields, generated from the declaration table: types, allowed values,
defaults, required keys, nested dictionaries, User-Enrollment marks, errors on their fields, and
every declaration type of the schema copy (a new type gets its editor from the table alone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.test import Client

from profiles.declarations import editor, rules, services, table_source
from profiles.declarations.declaration_table import DECLARATIONS
from profiles.declarations.models import Declaration

PASSCODE = "com.apple.configuration.passcode.settings"
UPDATES = "com.apple.configuration.softwareupdate.settings"
EXCHANGE = "com.apple.configuration.account.exchange"
NEW_URL = "/console/declarations/new/"


def _form_class(declaration_type: str) -> type[editor.PayloadForm]:
    return editor.payload_form_class(declaration_type, services.server_keys(declaration_type))


def _names(declaration_type: str) -> dict[str, str]:
    """Key path -> the field's name."""
    return {key.dotted: name for name, key in _form_class(declaration_type).keys.items()}


def _post(declaration_type: str, values: dict[str, str]) -> dict[str, str]:
    names = _names(declaration_type)
    return {f"p-{names[path]}": value for path, value in values.items()}


@pytest.mark.parametrize("declaration_type", sorted(DECLARATIONS))
def test_every_type_of_the_schema_copy_gets_an_editor(declaration_type: str) -> None:
    form_class = _form_class(declaration_type)
    form = form_class(prefix="p", existing={})
    hidden = services.server_keys(declaration_type)
    # Every top-level key of the table is a field or a fieldset, unless the server owns it.
    shown = {key.path[0] for key in form_class.keys.values()}
    assert shown | hidden >= set(DECLARATIONS[declaration_type]["keys"])
    for group in form.rows():
        for row in group["rows"]:
            assert row["field"].name.startswith("k")
    # An empty form is the empty payload when no key is required at the top.
    required = [k for k in form_class.keys.values() if k.required]
    if not required:
        bound = form_class({}, prefix="p", existing={})
        assert bound.is_valid(), bound.errors
        assert {k: v for k, v in bound.payload().items() if k not in hidden} == {}


def test_field_types_come_from_the_table() -> None:
    fields = _form_class(PASSCODE).base_fields
    names = _names(PASSCODE)
    require = fields[names["RequirePasscode"]]
    assert isinstance(require, forms.TypedChoiceField)
    assert dict(require.choices)[""] == "(not set: No)"  # Apple's default, not filled in
    length = fields[names["MinimumLength"]]
    assert isinstance(length, forms.IntegerField)
    assert (length.min_value, length.max_value) == (0, 16)  # Apple's range
    assert "minimum number of characters" in length.help_text
    updates = _form_class(UPDATES)
    choice = updates.base_fields[_names(UPDATES)["Deferrals.CombinedPeriodInDays"]]
    assert isinstance(choice, forms.IntegerField)
    groups = {g.path: g for g in updates.groups}
    assert "Deferrals" in groups and groups["Deferrals"].title  # a nested dictionary's fieldset
    status = _form_class("com.apple.configuration.management.status-subscriptions")
    assert [k.kind for k in status.keys.values()] == ["json"]  # an array of dictionaries


def test_keys_a_user_enrollment_does_not_get_are_marked() -> None:
    keys = {key.dotted: key for key in _form_class(EXCHANGE).keys.values()}
    assert keys["ExternalHostName"].not_user == {"iOS": "platform", "visionOS": "platform"}
    assert "not on iOS" in editor.ue_text(keys["ExternalHostName"].not_user)
    assert keys["HostName"].not_user == {}
    passcode = {key.dotted: key for key in _form_class(PASSCODE).keys.values()}
    assert "iOS" in passcode["CustomRegex.Regex"].not_user  # inherited from its dictionary


def test_fields_make_the_payload_and_an_existing_one_fills_them() -> None:
    form_class = _form_class(PASSCODE)
    form = form_class(
        _post(PASSCODE, {"RequirePasscode": "true", "MinimumLength": "6"}), prefix="p", existing={}
    )
    assert form.is_valid(), form.errors
    assert form.payload() == {"RequirePasscode": True, "MinimumLength": 6}
    again = form_class(prefix="p", existing={"RequirePasscode": False, "MinimumLength": 4})
    names = _names(PASSCODE)
    assert again[names["RequirePasscode"]].value() == "false"
    assert again[names["MinimumLength"]].value() == 4


def test_service_errors_land_on_their_fields() -> None:
    form = _form_class(UPDATES)({}, prefix="p", existing={})
    assert form.is_valid()
    rest = form.add_payload_errors(
        ["Deferrals.CombinedPeriodInDays: must be at most 90", "somewhere: odd", "no colon"]
    )
    names = _names(UPDATES)
    assert form.errors[names["Deferrals.CombinedPeriodInDays"]] == ["must be at most 90"]
    assert rest == ["somewhere: odd", "no colon"]


def test_server_owned_keys_are_not_fields_and_stay_as_stored() -> None:
    data = _form_class("com.apple.asset.data")
    assert not {"Reference", "Authentication"} & {k.path[0] for k in data.keys.values()}
    stored = {"Reference": {"DataURL": "https://x/"}, "Authentication": {"Type": "MDM"}}
    form = data({}, prefix="p", existing=stored)
    assert form.is_valid()
    assert form.payload() == stored


@pytest.mark.django_db
def test_console_fields_create_and_show_errors_per_field(admin_client: Client) -> None:
    page = admin_client.get(f"{NEW_URL}?type={PASSCODE}")
    assert page.status_code == 200
    assert b"Minimum Passcode Length (MinimumLength)" in page.content
    assert b"won't apply on a personal iPhone/iPad" in page.content  # CustomRegex: not on iOS
    assert b"Advanced: the payload as JSON" in page.content
    base = {"declaration_type": PASSCODE, "identifier": "com.ex.pass", "payload": "{nope"}
    # Out of Apple's range: the field says so, nothing is stored (the stale JSON is ignored).
    bad = admin_client.post(NEW_URL, {**base, **_post(PASSCODE, {"MinimumLength": "40"})})
    assert bad.status_code == 200 and not Declaration.objects.exists()
    names = _names(PASSCODE)
    form = bad.context["payload_form"]
    assert "less than or equal to 16" in str(form.errors[names["MinimumLength"]])
    good = admin_client.post(
        NEW_URL, {**base, **_post(PASSCODE, {"MinimumLength": "8", "RequirePasscode": "true"})}
    )
    assert good.status_code == 302
    row = Declaration.objects.get()
    assert row.payload == {"MinimumLength": 8, "RequirePasscode": True}


@pytest.mark.django_db
def test_a_service_error_shows_on_the_field_of_its_key(admin_client: Client) -> None:
    enforcement = "com.apple.configuration.softwareupdate.enforcement.specific"
    response = admin_client.post(
        NEW_URL,
        {
            "declaration_type": enforcement,
            "identifier": "com.ex.up",
            **_post(enforcement, {"TargetOSVersion": "18.3", "TargetLocalDateTime": "soon"}),
        },
    )
    assert response.status_code == 200 and not Declaration.objects.exists()
    form: Any = response.context["payload_form"]
    errors = [e for field_errors in form.errors.values() for e in field_errors]
    assert errors, "a date Apple's schema cannot read is refused on its field"


@pytest.mark.django_db
def test_editing_keeps_the_stored_payload_and_json_stays_available(admin_client: Client) -> None:
    row = services.create_declaration(
        declaration_type=PASSCODE,
        identifier="com.ex.pass",
        display_name="Passcode",
        payload={"MinimumLength": 6},
    )
    page = admin_client.get(f"/console/declarations/{row.pk}/")
    assert b"&quot;MinimumLength&quot;: 6" in page.content  # the advanced view
    edit = {"display_name": "Passcode", "description": "", "payload": "{}"}
    admin_client.post(
        f"/console/declarations/{row.pk}/", {**edit, **_post(PASSCODE, {"MinimumLength": "7"})}
    )
    row.refresh_from_db()
    assert row.payload == {"MinimumLength": 7} and row.version == 2
    admin_client.post(
        f"/console/declarations/{row.pk}/",
        {**edit, "payload": '{"MaximumFailedAttempts": 5}', "use_json": "on"},
    )
    row.refresh_from_db()
    assert row.payload == {"MaximumFailedAttempts": 5} and row.version == 3


SCHEMA = Path(__file__).resolve().parents[3] / "mdm_server" / "apple_schema"


@pytest.mark.django_db
def test_a_type_the_schema_adds_gets_rules_and_an_editor_without_code_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, admin_client: Client
) -> None:
    """What a schema refresh does: a declaration type the code has never seen (here the
    current copy's math.settings under a new name) is read by the generator, and the editor,
    the validation and the User-Enrollment rules follow from its table entry alone."""
    known = "com.apple.configuration.math.settings"
    new = "com.apple.configuration.future.settings"
    source = SCHEMA / "declarative" / "declarations" / "configurations" / "math.settings.yaml"
    target = tmp_path / "declarative" / "declarations" / "configurations" / "future.settings.yaml"
    target.parent.mkdir(parents=True)
    target.write_text(source.read_text(encoding="utf-8").replace(known, new), encoding="utf-8")
    table = table_source.build_table(tmp_path)
    assert list(table) == [new]
    monkeypatch.setitem(DECLARATIONS, new, table[new])
    fields = {key.dotted for key in _form_class(new).keys.values()}
    assert fields == {key.dotted for key in _form_class(known).keys.values()}
    for platform, kind in (("iOS", "user"), ("macOS", "supervised"), ("iOS", "device")):
        channel = rules.ChannelKind(platform, "18.2", kind, "system")
        assert (rules.refusal(new, channel) is None) == (rules.refusal(known, channel) is None)
    assert rules.validate_payload(new, {"Calculator": {"BasicMode": {"AddSquareRoot": 3}}})
    page = admin_client.get(f"{NEW_URL}?type={new}")
    assert page.status_code == 200 and new.encode() in page.content
    assert b"payload-fields" in page.content


PROPERTIES = "com.apple.management.properties"
UNSTORABLE_JSON = {
    "nested 5,000 deep": "[" * 5000,
    "NaN": '{"a": NaN}',
    "a number too large for a float": "1e999",
    "a NUL character": '"a\\u0000b"',
    "a NUL in a key": '{"\\u0000": 1}',
    "a lone surrogate": '"\\ud800"',
}


@pytest.mark.django_db
@pytest.mark.parametrize("text", UNSTORABLE_JSON.values(), ids=UNSTORABLE_JSON.keys())
def test_json_that_cannot_be_stored_is_a_field_error(admin_client: Client, text: str) -> None:
    """The editor's JSON fields and its advanced view read JSON with json.loads: a
    RecursionError, or a value PostgreSQL refuses (DataError), was a 500."""
    base = {"declaration_type": PROPERTIES, "identifier": "com.ex.props", "payload": "{}"}
    fields = admin_client.post(NEW_URL, {**base, **_post(PROPERTIES, {"ANY": text})})
    assert fields.status_code == 200 and not Declaration.objects.exists()
    form: Any = fields.context["payload_form"]
    assert form.errors[_names(PROPERTIES)["ANY"]]
    advanced = admin_client.post(NEW_URL, {**base, "payload": text, "use_json": "on"})
    assert advanced.status_code == 200 and not Declaration.objects.exists()
    assert advanced.context["meta"].errors["payload"]


@pytest.mark.django_db
def test_the_service_refuses_a_payload_that_cannot_be_stored() -> None:
    with pytest.raises(services.DeclarationError) as refused:
        services.create_declaration(
            declaration_type=PROPERTIES,
            identifier="com.ex.props",
            display_name="",
            payload={"ANY": "a\x00b"},
        )
    assert "NUL" in str(refused.value.errors["payload"])
    assert not Declaration.objects.exists()
