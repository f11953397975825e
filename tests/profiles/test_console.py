import io
import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from devices.models import Enrollment, QueuedCommand
from profiles import builder, services
from profiles.models import Assignment, Delivery, Profile
from tests.profiles.conftest import make_enrollment

pytestmark = pytest.mark.django_db

PASSCODE = "com.apple.mobiledevice.passwordpolicy"


def _profile(actor) -> Profile:
    return services.create_profile(
        identifier="com.ex.console",
        display_name="Console profile",
        actor=actor,
        payloads=[
            services.PayloadInput(PASSCODE, {"minLength": 8}),
            services.PayloadInput("com.apple.applicationaccess", {"allowCamera": False}),
        ],
    )


class _FormValues(HTMLParser):
    """What a browser would submit from the page's inputs, selects and textareas."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("file", "submit", "checkbox", "radio"):
            self.values.setdefault(name, []).append(a.get("value") or "")
        elif tag == "input" and name and "checked" in a:
            self.values.setdefault(name, []).append(a.get("value") or "on")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.setdefault(self._select, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values.setdefault(name, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][-1] += data


def _browser_post_data(html: str) -> dict[str, list[str]]:
    parser = _FormValues()
    parser.feed(html)
    values = parser.values
    values.pop("csrfmiddlewaretoken", None)
    # Django renders a leading newline in textareas that browsers drop.
    return {k: [v.removeprefix("\n") for v in vs] for k, vs in values.items()}


def _tokens(html: str) -> list[str]:
    return re.findall(r'name="payload" value="([^"]+)"', html)


def test_list_and_detail_show_the_ue_report(helpdesk_client, admin_user) -> None:
    profile = _profile(admin_user)
    listing = helpdesk_client.get("/console/profiles/")
    assert listing.status_code == 200
    assert b"Console profile" in listing.content
    detail = helpdesk_client.get(f"/console/profiles/{profile.pk}/").content.decode()
    assert 'id="ue-report"' in detail
    assert "at least 6 characters" in detail  # the iOS passcode clamp, spelled out
    assert "allowCamera" in detail
    assert "not available under User Enrollment on macOS" in detail
    assert 'id="assign-form"' not in detail  # helpdesk: read-only


def test_helpdesk_cannot_change_anything(helpdesk_client, admin_user) -> None:
    profile = _profile(admin_user)
    for url, data in [
        ("/console/profiles/new/", {"action": "save"}),
        (f"/console/profiles/{profile.pk}/assign/", {"enrollment_types": ["device"]}),
        (f"/console/profiles/{profile.pk}/delete/", {}),
        (f"/console/profiles/{profile.pk}/ue-mode/", {"ue_mode": "subset"}),
    ]:
        assert helpdesk_client.post(url, data).status_code == 403, url
    assert Profile.objects.filter(pk=profile.pk, ue_mode="skip").exists()
    assert not Assignment.objects.exists()


def test_editor_builds_a_profile_from_schema_forms(admin_client) -> None:
    page = admin_client.post(
        "/console/profiles/new/",
        {"identifier": "com.ex.new", "display_name": "New", "scope": "device",
         "ue_mode": "skip", "action": "add", "add_type": PASSCODE},
    )  # fmt: skip
    html = page.content.decode()
    tokens = _tokens(html)
    assert len(tokens) == 1
    uuid = tokens[0].split("|")[0]
    # The generated form has the schema's keys, with its range as input bounds.
    assert f'name="p-{uuid}-minLength"' in html
    assert 'max="16"' in html
    base = {"identifier": "com.ex.new", "display_name": "New", "scope": "device",
            "ue_mode": "skip", "payload": tokens}  # fmt: skip
    bad = admin_client.post(
        "/console/profiles/new/", {**base, "action": "save", f"p-{uuid}-minLength": "40"}
    )
    assert bad.status_code == 200
    assert "less than or equal to 16" in bad.content.decode()
    assert not Profile.objects.exists()
    ok = admin_client.post(
        "/console/profiles/new/",
        {**base, "action": "save", f"p-{uuid}-minLength": "8", f"p-{uuid}-allowSimple": "false"},
    )
    assert ok.status_code == 302, ok.content.decode()[:2000]
    profile = Profile.objects.get()
    payload = profile.payloads[0]
    assert payload["minLength"] == 8 and payload["allowSimple"] is False
    assert payload["PayloadUUID"] == uuid


def test_editor_reports_service_errors_on_the_field(admin_client) -> None:
    base = {"identifier": "com.ex.vpn", "display_name": "V", "scope": "device", "ue_mode": "skip"}
    page = admin_client.post(
        "/console/profiles/new/", {**base, "action": "add", "add_type": "com.apple.vpn.managed"}
    )
    html = page.content.decode()
    tokens = _tokens(html)
    uuid = tokens[0].split("|")[0]
    # Nested dictionaries of the schema become their own fields.
    assert f'name="p-{uuid}-IPv4.OverridePrimary"' in html
    # A JSON field whose nested value breaks the schema: the error lands on that field.
    response = admin_client.post(
        "/console/profiles/new/",
        {**base, "payload": tokens, "action": "save", f"p-{uuid}-VPNType": '"IKEv2"',
         f"p-{uuid}-UserDefinedName": "Corp VPN", f"p-{uuid}-IKEv2.RemoteAddress": "vpn.example.com",
         f"p-{uuid}-IKEv2.OnDemandRules": '[{"Action": "Sometimes"}]'},
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    errors = re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', html, re.S)
    assert any("[0].Action: must be one of" in e for e in errors), errors
    assert not Profile.objects.exists()


def test_edit_bumps_version_and_keeps_identifier(admin_client, admin_user) -> None:
    profile = _profile(admin_user)
    page = admin_client.get(f"/console/profiles/{profile.pk}/edit/").content.decode()
    tokens = _tokens(page)
    assert len(tokens) == 2
    uuid = tokens[0].split("|")[0]
    data = _browser_post_data(page)
    data.update({"identifier": ["com.attempt.change"], "display_name": ["Edited"],
                 "ue_mode": ["subset"], "action": ["save"], f"p-{uuid}-minLength": ["10"]})  # fmt: skip
    response = admin_client.post(f"/console/profiles/{profile.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    profile.refresh_from_db()
    assert profile.identifier == "com.ex.console"
    assert profile.version == 2 and profile.ue_mode == "subset"
    assert profile.payloads[0]["minLength"] == 10
    # The second payload's stored restriction survived the round trip through the form.
    assert profile.payloads[1]["allowCamera"] is False


def test_upload_page(admin_client) -> None:
    clip = builder.build_payload(
        "com.apple.webClip.managed", "c", {"URL": "https://a", "Label": "A"}
    )
    data = builder.to_mobileconfig(
        builder.build_configuration_profile(
            identifier="com.ex.up", display_name="U", payloads=[clip]
        )
    )
    bad = admin_client.post(
        "/console/profiles/upload/",
        {"file": io.BytesIO(b"<?xml version='1.0'?><plist>"), "ue_mode": "skip"},
    )
    assert bad.status_code == 200 and "not a valid property list" in bad.content.decode()
    upload = io.BytesIO(data)
    upload.name = "u.mobileconfig"
    ok = admin_client.post("/console/profiles/upload/", {"file": upload, "ue_mode": "subset"})
    assert ok.status_code == 302
    assert Profile.objects.get().ue_mode == "subset"


def test_assign_unassign_and_delete(admin_client, admin_user, server_pki) -> None:
    profile = _profile(admin_user)
    device = make_enrollment(enrollment_type=Enrollment.Type.DEVICE)
    ue = make_enrollment(enrollment_type=Enrollment.Type.USER)
    response = admin_client.post(
        f"/console/profiles/{profile.pk}/assign/", {"enrollments": [device.pk, ue.pk]}, follow=True
    )
    html = response.content.decode()
    assert "install queued on 1 device" in html
    assert "Not installed on 1 device" in html
    assert "allowCamera" in html  # the reason, in the status table
    assert Delivery.objects.get(enrollment=ue).status == Delivery.Status.SKIPPED
    assignment = Assignment.objects.get(enrollment=device)
    admin_client.post(f"/console/profiles/{profile.pk}/assignments/{assignment.pk}/delete/")
    assert Delivery.objects.get(enrollment=device).status == Delivery.Status.REMOVING
    admin_client.post(f"/console/profiles/{profile.pk}/delete/")
    assert not Profile.objects.exists()
    assert QueuedCommand.objects.filter(command__request_type="RemoveProfile").count() == 1


def test_empty_assignment_is_refused_with_a_message(admin_client, admin_user) -> None:
    profile = _profile(admin_user)
    response = admin_client.post(f"/console/profiles/{profile.pk}/assign/", {}, follow=True)
    assert "Choose devices, user groups or enrollment types" in response.content.decode()
    assert not profile.assignments.exists() and not profile.deliveries.exists()


def test_replace_page_keeps_the_identifier(admin_client, admin_user) -> None:
    profile = _profile(admin_user)
    clip = builder.build_payload(
        "com.apple.webClip.managed", "c", {"URL": "https://a", "Label": "A"}
    )
    other = builder.to_mobileconfig(
        builder.build_configuration_profile(
            identifier="com.ex.x", display_name="X", payloads=[clip]
        )
    )
    upload = io.BytesIO(other)
    upload.name = "x.mobileconfig"
    response = admin_client.post(
        f"/console/profiles/{profile.pk}/replace/", {"file": upload, "ue_mode": "skip"}
    )
    assert response.status_code == 200
    assert "another PayloadIdentifier" in response.content.decode()
    profile.refresh_from_db()
    assert profile.version == 1


def test_editor_checks_user_enrollment_before_saving(admin_client) -> None:
    base = {"identifier": "com.ex.chk", "display_name": "C", "scope": "device", "ue_mode": "skip"}
    page = admin_client.post(
        "/console/profiles/new/", {**base, "action": "add", "add_type": PASSCODE}
    )
    tokens = _tokens(page.content.decode())
    uuid = tokens[0].split("|")[0]
    response = admin_client.post(
        "/console/profiles/new/",
        {**base, "payload": tokens, "action": "check", f"p-{uuid}-minLength": "4"},
    )
    html = response.content.decode()
    assert 'id="ue-report"' in html
    assert "at least 6 characters" in html
    assert "not available under User Enrollment on macOS" in html
    assert not Profile.objects.exists()


def test_adding_a_payload_shows_no_errors_until_a_check_or_save(admin_client: Client) -> None:
    """The editor's add and remove keep what was typed and show no "required" errors; a save
    shows them where they are."""
    vpn = "com.apple.vpn.managed"
    meta = {"identifier": "", "display_name": "Half typed", "scope": "device", "ue_mode": "skip"}
    added = admin_client.post("/console/profiles/new/", {**meta, "action": "add", "add_type": vpn})
    html = added.content.decode()
    assert added.status_code == 200 and f'data-payload-type="{vpn}"' in html
    assert 'class="errorlist' not in html and "has-error" not in html
    assert 'value="Half typed"' in html  # what was typed stays
    tokens = added.context["items"][0][0].token
    saved = admin_client.post(
        "/console/profiles/new/", {**meta, "payload": [tokens], "action": "save"}
    )
    page = saved.content.decode()
    assert saved.status_code == 200 and not Profile.objects.filter(display_name="Half typed")
    assert 'class="errorlist' in page and 'class="key has-error" data-key="VPNType"' in page


def test_a_payload_outside_apples_schema_is_edited_as_json(admin_client, admin_user) -> None:
    """The editor of a profile with a payload type Apple's schema does not describe (an
    uploaded vendor payload, or a token naming one) was a 500 (KeyError building its form)."""
    custom = builder.build_payload("com.example.vendor", "com.ex.vendor.1", {"Level": 3})
    profile = services.upload_profile(
        data=builder.to_mobileconfig(
            builder.build_configuration_profile(
                identifier="com.ex.vendor", display_name="Vendor", payloads=[custom]
            )
        ),
        actor=admin_user,
    )
    page = admin_client.get(f"/console/profiles/{profile.pk}/edit/")
    assert page.status_code == 200
    html = page.content.decode()
    uuid = _tokens(html)[0].split("|")[0]
    assert f'name="p-{uuid}-content"' in html and "&quot;Level&quot;: 3" in html
    data = _browser_post_data(html)
    data.update({"action": ["save"], f"p-{uuid}-content": ['{"Level": 4}']})
    response = admin_client.post(f"/console/profiles/{profile.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    profile.refresh_from_db()
    assert profile.payloads[0]["Level"] == 4 and profile.version == 2
    # A posted token naming such a type gets the same form.
    response = admin_client.post(
        "/console/profiles/new/",
        {"identifier": "com.ex.t", "display_name": "T", "scope": "device", "ue_mode": "skip",
         "action": "check", "payload": ["a|com.example.other|com.ex.t.1"]},
    )  # fmt: skip
    assert response.status_code == 200 and 'name="p-a-content"' in response.content.decode()


@pytest.mark.parametrize(
    ("payload_type", "key", "value", "reason"),
    [
        (PASSCODE, "maxGracePeriod", "99999999999999999999", "less than or equal to"),
        (PASSCODE, "maxGracePeriod", "-99999999999999999999", "greater than or equal to"),
        ("com.apple.dock", "static-apps", "[" * 3000 + "]" * 3000, "nested more than 64"),
        ("com.apple.dock", "static-apps", '[{"tile-data": {"a": NaN}}]', "NaN"),
        ("com.apple.dock", "static-apps", '[{"tile-type": "\\u0000"}]', "NUL character"),
        ("com.example.vendor", "content", '{"Level": 99999999999999999999}', "outside 64 bits"),
        ("com.example.vendor", "content", '{"a": ' * 3000 + "1" + "}" * 3000, "nested more"),
    ],
    ids=["huge", "huge-negative", "deep-json", "nan", "nul", "raw-huge", "raw-deep"],
)
def test_editor_values_a_profile_cannot_hold_are_field_errors(
    admin_client, payload_type: str, key: str, value: str, reason: str
) -> None:
    """They were a 500: an integer beyond 64 bits cannot be written in a plist (OverflowError),
    JSON nested thousands deep overflowed the decoder (RecursionError)."""
    uuid = "11111111-1111-4111-8111-111111111111"
    response = admin_client.post(
        "/console/profiles/new/",
        {"identifier": "com.ex.odd", "display_name": "Odd", "scope": "device", "ue_mode": "skip",
         "action": "save", "payload": [f"{uuid}|{payload_type}|com.ex.odd.1"],
         f"p-{uuid}-{key}": value},
    )  # fmt: skip
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not Profile.objects.exists()
