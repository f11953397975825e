from profiles import builder, ue_report

PASSCODE = builder.build_payload(
    "com.apple.mobiledevice.passwordpolicy", "p", {"minLength": 8, "requireAlphanumeric": True}
)
CLIP = builder.build_payload("com.apple.webClip.managed", "c", {"URL": "https://a", "Label": "A"})


def test_passcode_clamp_on_ios_and_refusal_on_macos() -> None:
    ios, macos = ue_report.build_report([PASSCODE], scope="device")
    verdict = ios.payloads[0]
    assert ios.outcome == "installs" and verdict.allowed
    assert "minLength" in verdict.ignored_keys
    notes = " ".join(verdict.notes)
    assert "at least 6 characters" in notes
    assert "simple passcodes are not allowed" in notes
    assert "complex characters cannot be required" in notes
    assert macos.outcome == "refused" and not macos.payloads[0].allowed


def test_scope_picks_the_macos_user_channel() -> None:
    assert ue_report.ue_target("macOS", "user").channel == "user"
    assert ue_report.ue_target("iOS", "user").channel == "device"
    device_scope = ue_report.build_report([CLIP], scope="device")
    user_scope = ue_report.build_report([CLIP], scope="user")
    assert [r.outcome for r in device_scope] == ["installs", "refused"]
    assert [r.outcome for r in user_scope] == ["installs", "installs"]


def test_report_json_carries_reasons_and_rules() -> None:
    data = ue_report.report_json(ue_report.build_report([PASSCODE, CLIP], scope="device"))
    mac = data[1]
    assert mac["platform"] == "macOS" and mac["outcome"] == "refused"
    assert len(mac["payloads"]) == 2
    assert all(p["rule"] for p in mac["payloads"])
