"""Setup Assistant profiles assigned by directory group: the device's person's groups decide
before the model rule and the default; among several groups the lower priority number wins."""

from __future__ import annotations

from typing import Any

import pytest

from directory.models import DirectoryGroup, DirectoryUser, IdentitySource
from enrollment.abm import services
from enrollment.abm.models import AbmDevice, AbmLink, AbmProfile
from tests.enrollment.abm.fake_abm import FakeAbm

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    source = IdentitySource.objects.create(name="Local", kind=IdentitySource.Kind.LOCAL)
    sales = DirectoryGroup.objects.create(name="Sales", priority=20)
    labs = DirectoryGroup.objects.create(name="Labs", priority=10)
    alice = DirectoryUser.objects.create(source=source, external_id="a", username="alice")
    bob = DirectoryUser.objects.create(source=source, external_id="b", username="bob")
    alice.groups.set([sales])
    bob.groups.set([sales, labs])
    return {"sales": sales, "labs": labs, "alice": alice, "bob": bob}


@pytest.fixture
def rules(
    link: AbmLink, stocked: FakeAbm, admin_user: Any, settings: Any, people: dict[str, Any]
) -> dict[str, AbmProfile]:
    settings.PUBLIC_URL = "https://mdm.example.com"
    services.sync_devices(link=link)
    made = {}
    for name, extra, groups in [
        ("Default", {"is_default": True}, []),
        ("Macs", {"models_rule": ["Mac"]}, []),
        ("Sales", {}, [people["sales"]]),
        ("Labs", {"await_device_configured": False}, [people["labs"]]),
    ]:
        made[name] = services.define_profile(
            profile=AbmProfile(link=link, name=name, **extra), actor=admin_user, groups=groups
        )
    services.assign_by_rule(link=link)
    return made


def _assigned(fake: FakeAbm, serial: str) -> str:
    return str(fake.devices[serial]["profile_uuid"])


def test_group_rule_wins_over_model_rule_and_default(
    rules: dict[str, AbmProfile], stocked: FakeAbm, people: dict[str, Any], admin_user: Any
) -> None:
    # Nobody named yet: the model rule and the default decide.
    assert _assigned(stocked, "C02ZZ1CCCCCC") == rules["Macs"].profile_uuid
    assert _assigned(stocked, "F2LXK1AAAAAA") == rules["Default"].profile_uuid
    mac = AbmDevice.objects.get(serial_number="C02ZZ1CCCCCC")
    services.set_device_person(device=mac, person=people["alice"], actor=admin_user)
    # Alice is in Sales: her Mac gets the Sales profile in ABM, not the Macs one.
    assert _assigned(stocked, "C02ZZ1CCCCCC") == rules["Sales"].profile_uuid
    assert AbmDevice.objects.get(pk=mac.pk).profile == rules["Sales"]
    # Bob is in Sales (priority 20) and Labs (priority 10): the lower number wins.
    phone = AbmDevice.objects.get(serial_number="F2LXK1AAAAAA")
    services.set_device_person(device=phone, person=people["bob"], actor=admin_user)
    assert _assigned(stocked, "F2LXK1AAAAAA") == rules["Labs"].profile_uuid
    # A profile given by hand to a device whose person's group has one is put back at the
    # next sync: the group rule wins.
    services.assign_profile(profile=rules["Default"], serials=["F2LXK1AAAAAA"], actor=admin_user)
    assert _assigned(stocked, "F2LXK1AAAAAA") == rules["Default"].profile_uuid
    assert services.sync_devices(link=phone.link)["assigned"] == 1
    assert _assigned(stocked, "F2LXK1AAAAAA") == rules["Labs"].profile_uuid
    # Untouched: the other iPhone keeps the default; nothing more to assign.
    assert _assigned(stocked, "F2LXK1BBBBBB") == rules["Default"].profile_uuid
    assert services.assign_by_rule(link=phone.link) == 0


def test_without_a_group_profile_the_model_rule_still_decides(
    rules: dict[str, AbmProfile], stocked: FakeAbm, people: dict[str, Any], admin_user: Any
) -> None:
    nobody = DirectoryGroup.objects.create(name="No profile", priority=1)
    people["alice"].groups.set([nobody])
    mac = AbmDevice.objects.get(serial_number="C02ZZ1CCCCCC")
    services.set_device_person(device=mac, person=people["alice"], actor=admin_user)
    assert _assigned(stocked, "C02ZZ1CCCCCC") == rules["Macs"].profile_uuid


def test_disabled_person_is_refused(
    rules: dict[str, AbmProfile], people: dict[str, Any], admin_user: Any
) -> None:
    people["alice"].enabled = False
    people["alice"].save()
    mac = AbmDevice.objects.get(serial_number="C02ZZ1CCCCCC")
    with pytest.raises(services.AbmError, match="disabled"):
        services.set_device_person(device=mac, person=people["alice"], actor=admin_user)
    assert AbmDevice.objects.get(pk=mac.pk).person is None
