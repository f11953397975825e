"""A password sign-in by Managed Apple ID reads the person's groups with the lookup of that ID
(enrollment.directory_access.authenticate): one statement fewer, the same person."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory import auth, services
from directory.models import DirectoryUser
from enrollment import directory_access
from tests.enrollment.conftest import DOMAIN, PASSWORD

pytestmark = pytest.mark.django_db

APPLE_ID = f"alice@appleid.{DOMAIN}"


@pytest.fixture
def alice(org: dict[str, Any]) -> DirectoryUser:
    user: DirectoryUser = org["alice"]
    DirectoryUser.objects.filter(pk=user.pk).update(managed_apple_id=APPLE_ID)
    group = services.save_group(
        group=None,
        name="Devices",
        apple_enrollment_type="device",
        default_ownership="corporate",
        priority=5,
        actor=None,
    )
    staff = services.save_group(
        group=None,
        name="Staff",
        apple_enrollment_type="",
        default_ownership="personal",
        priority=9,
        actor=None,
    )
    user.groups.add(group, staff)
    return user


def _person(identifier: str) -> directory_access.Person:
    return directory_access.authenticate(identifier=identifier, password=PASSWORD)


def test_the_same_person_whatever_is_typed(alice: DirectoryUser) -> None:
    by_apple_id, by_name = _person(APPLE_ID), _person("alice")
    assert by_apple_id.groups == by_name.groups == ("Devices", "Staff")
    assert (by_apple_id.apple_enrollment_type, by_apple_id.default_ownership) == (
        "device",
        "corporate",
    )
    for field in ("id", "managed_apple_id", "enabled", "groups", "default_ownership"):
        assert getattr(by_apple_id, field) == getattr(by_name, field), field


@pytest.mark.postgres
def test_by_managed_apple_id_the_groups_are_not_read_again(alice: DirectoryUser) -> None:
    _person(APPLE_ID)  # a first sign-in compiles the statements
    with CaptureQueriesContext(connection) as by_apple_id:
        _person(APPLE_ID)
    with CaptureQueriesContext(connection) as by_name:
        _person("alice")
    groups = [q for q in by_apple_id if "directory_directorygroup" in q["sql"]]
    assert len(groups) == 1 and "managed_apple_id" in groups[0]["sql"]
    assert len(by_apple_id) == len(by_name) - 1


def test_another_user_signed_in_gets_their_own_groups(
    alice: DirectoryUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Managed Apple ID's user is not always who the directory signs in (an LDAP login given
    to someone else since): that user's groups are read for them."""
    bob: DirectoryUser = services.create_local_user(
        username="robert", email=f"robert@{DOMAIN}", password=PASSWORD, actor=None
    )
    signed_in = auth.Verified(source=bob.source, account=f"{bob.source_id}:robert", user=bob)
    monkeypatch.setattr(auth, "verify_password", lambda **kwargs: signed_in)
    person = _person(APPLE_ID)
    assert (person.id, person.groups, person.apple_enrollment_type) == (bob.pk, (), "")
