"""The privacy page's words for a command Apple removed but a declaration still does.

Apple removed ScheduleOSUpdate on iOS and macOS 27.0 (mdm/commands/system.update.schedule.yaml)
and names the software-update enforcement declaration instead; whether that declaration may
reach a device comes from Apple's declarative schema (`allowed-enrollments`), through the check
the declarations app registers.
"""

from __future__ import annotations

import pytest

from devices import capabilities, disclosure, hooks
from devices.capabilities import Target
from profiles.declarations import rules

ENFORCEMENT = "com.apple.configuration.softwareupdate.enforcement.specific"


def _target(platform: str, version: str, enrollment: str, supervised: bool = False) -> Target:
    return Target(platform, version, enrollment, supervised)  # type: ignore[arg-type]


def test_the_removed_command_names_the_declaration_only_from_the_release_that_removed_it() -> None:
    assert capabilities.replacing_declaration(
        "ScheduleOSUpdate", _target("iOS", "27.0", "device")
    ) == (ENFORCEMENT)
    assert (
        capabilities.replacing_declaration("ScheduleOSUpdate", _target("iOS", "26.4", "device"))
        is None
    )
    assert capabilities.replacing_declaration("EraseDevice", _target("iOS", "27.0", "ade")) is None
    assert (
        capabilities.replacing_declaration("NoSuchCommand", _target("iOS", "27.0", "ade")) is None
    )


@pytest.mark.parametrize(
    ("platform", "enrollment", "supervised", "can_update", "words"),
    [
        ("iOS", "device", False, True, "declaration does it on this device"),
        ("iOS", "ade", True, True, "declaration does it on this device"),
        ("macOS", "ade", True, True, "declaration does it on this device"),
        # Apple allows the enforcement declaration on macOS only for supervised enrollments.
        ("macOS", "device", False, False, "only for supervised device enrollments"),
        ("iOS", "user", False, False, "this channel is one of User Enrollments"),
    ],
    ids=["ios-device", "ios-ade", "macos-ade", "macos-unsupervised", "ios-user-enrollment"],
)
def test_on_27_the_page_says_what_the_declaration_can_do(
    platform: str, enrollment: str, supervised: bool, can_update: bool, words: str
) -> None:
    target = _target(platform, "27.0", enrollment, supervised)
    page = disclosure.disclose(target, rules.refusal_for_target)
    fact = page.fact("ScheduleOSUpdate")
    assert fact.allowed is can_update
    assert (fact in page.can_do) is can_update and (fact in page.cannot_do) is not can_update
    assert "removed ScheduleOSUpdate in " + platform + " 27.0" in fact.rule
    assert words in fact.rule


def test_without_the_check_a_removed_command_stays_not_doable() -> None:
    fact = disclosure.disclose(_target("iOS", "27.0", "device")).fact("ScheduleOSUpdate")
    assert not fact.allowed and "declaration" not in fact.rule.split(";")[0]


def test_before_27_the_command_itself_decides() -> None:
    target = _target("iOS", "26.0", "ade", supervised=True)
    fact = disclosure.disclose(target, rules.refusal_for_target).fact("ScheduleOSUpdate")
    assert fact.rule == capabilities.check_command("ScheduleOSUpdate", target).reason
    assert "declaration does it" not in fact.rule and "cannot either" not in fact.rule


def test_the_declarations_app_registers_the_check() -> None:
    assert hooks.declaration_check() is rules.refusal_for_target
