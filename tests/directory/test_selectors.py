"""Finding a person by what they typed: the rules discovery and the console's invitation use."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from directory import selectors, services
from directory.models import DirectoryGroup, DirectoryUser
from enrollment import directory_access

pytestmark = pytest.mark.django_db


def _user(username: str, **fields: Any) -> DirectoryUser:
    return DirectoryUser.objects.create(
        source=services.local_source(), external_id=username, username=username, **fields
    )


def _group(name: str, priority: int, enrollment_type: str = "") -> DirectoryGroup:
    return services.save_group(
        group=None,
        name=name,
        apple_enrollment_type=enrollment_type,
        default_ownership="corporate" if enrollment_type == "device" else "personal",
        priority=priority,
        actor=None,
    )


def _found(identifier: str) -> tuple[str, list[str]] | None:
    found = selectors.user_and_groups_by_any_name(identifier)
    return None if found is None else (found[0].username, [g.name for g in found[1]])


def test_any_of_the_four_names_in_any_case() -> None:
    _user(
        "jo",
        email="Jo.Doe@Example.com",
        upn="jdoe@corp.example.com",
        managed_apple_id="jo@appleid.example.com",
    )
    for typed in ("JO", "jo.doe@example.COM", "JDoe@Corp.Example.com", "Jo@AppleID.example.com"):
        assert _found(typed) == ("jo", []), typed
    # Equality, not a prefix or a pattern; no trimming either.
    for typed in ("j", "jo%", "jo_", " jo", "jo@example.com"):
        assert _found(typed) is None, typed


def test_an_enabled_account_wins_then_the_oldest() -> None:
    _user("old-disabled", email="shared@example.com", enabled=False)
    _user("first", email="SHARED@example.com")
    _user("second", upn="shared@example.com")
    assert _found("shared@example.com") == ("first", [])
    DirectoryUser.objects.filter(username="first").update(enabled=False)
    assert _found("shared@example.com") == ("second", [])
    DirectoryUser.objects.filter(username="second").update(enabled=False)
    assert _found("shared@example.com") == ("old-disabled", [])


def test_the_winners_groups_only_in_priority_order_in_one_statement() -> None:
    jo = _user("jo", email="shared@example.com")
    other = _user("other", upn="shared@example.com")
    byod, corporate, plain = _group("BYOD", 10, "user"), _group("Corp", 5, "device"), _group("A", 5)
    jo.groups.set([byod, corporate, plain])
    other.groups.set([byod, _group("Other", 1)])
    with CaptureQueriesContext(connection) as queries:
        found = selectors.user_and_groups_by_any_name("shared@example.com")
    assert len(queries) == 1
    assert found is not None
    user, groups = found
    assert user.pk == jo.pk
    assert [g.name for g in groups] == ["A", "Corp", "BYOD"]
    # What was not read with the lookup still loads, on first use.
    assert user.username == "jo"
    assert groups[0].kind == "static"


def test_find_person_reads_the_person_and_the_deciding_group_at_once() -> None:
    jo = _user("jo", email="jo@example.com", managed_apple_id="jo@appleid.example.com")
    jo.groups.set(
        [_group("Staff", 50), _group("Corporate", 20, "device"), _group("BYOD", 30, "user")]
    )
    with CaptureQueriesContext(connection) as queries:
        person = directory_access.find_person("JO@example.com")
    assert len(queries) == 1
    assert person == directory_access.Person(
        id=jo.pk,
        identifier="JO@example.com",
        managed_apple_id="jo@appleid.example.com",
        enabled=True,
        groups=("Corporate", "BYOD", "Staff"),
        apple_enrollment_type="device",
        email="jo@example.com",
        default_ownership="corporate",
    )
    assert directory_access.find_person("nobody@example.com") is None
    _user("nogroups", email="ng@example.com", enabled=False)
    person = directory_access.find_person("ng@example.com")
    assert person is not None
    assert (person.groups, person.enabled, person.apple_enrollment_type) == ((), False, "")


def test_a_managed_apple_id_in_any_case_maps_to_its_login_and_source() -> None:
    jo = _user("jo", email="jo@example.com", managed_apple_id="jo@appleid.example.com")
    for typed in ("jo@appleid.example.com", "JO@AppleID.Example.COM", "  jo@appleid.example.com "):
        user = selectors.user_by_apple_id(typed)
        assert user is not None, typed
        assert (user.pk, user.username, user.source) == (jo.pk, "jo", services.local_source())
        # Read later, on first use.
        assert user.email == "jo@example.com"
    # Equality, not a prefix or a pattern; another name of the person is not an Apple ID.
    for typed in ("jo@appleid.example.co", "jo%", "jo@appleid.example.co_", "jo@example.com"):
        assert selectors.user_by_apple_id(typed) is None, typed


def test_a_managed_apple_id_with_groups_is_the_user_and_groups_of_the_two_lookups() -> None:
    jo = _user("jo", email="jo@example.com", managed_apple_id="jo@appleid.example.com")
    _user("al", managed_apple_id="al@appleid.example.com")
    staff, sales = _group("staff", 20), _group("sales", 10, "device")
    jo.groups.add(staff, sales)
    for typed in ("jo@appleid.example.com", "JO@AppleID.Example.COM", " al@appleid.example.com"):
        found = selectors.user_and_groups_by_apple_id(typed)
        user = selectors.user_by_apple_id(typed)
        assert found is not None and user is not None, typed
        assert (found[0].pk, found[0].username, found[0].source) == (
            user.pk,
            user.username,
            user.source,
        )
        expected = selectors.groups_of(user)
        assert [(g.pk, g.name, g.priority, g.apple_enrollment_type) for g in found[1]] == [
            (g.pk, g.name, g.priority, g.apple_enrollment_type) for g in expected
        ]
    found = selectors.user_and_groups_by_apple_id("jo@appleid.example.com")
    assert found is not None and [g.name for g in found[1]] == ["sales", "staff"]
    for typed in ("jo@appleid.example.co", "jo%", "jo@example.com", ""):
        assert selectors.user_and_groups_by_apple_id(typed) is None, typed


def test_a_directory_record_maps_to_its_user_in_its_own_source_only() -> None:
    from django.db import transaction

    from directory.models import IdentitySource

    other = IdentitySource.objects.create(name="Other LDAP", kind=IdentitySource.Kind.LDAP)
    jo = _user("jo")
    local = services.local_source()
    assert selectors.user_by_external_id(local, "jo") == jo
    assert selectors.user_by_external_id(local, "JO") is None
    assert selectors.user_by_external_id(other, "jo") is None
    with transaction.atomic():
        locked = selectors.user_by_external_id(local, "jo", for_update=True)
    assert locked is not None
    assert (locked.pk, locked.username, locked.enabled) == (jo.pk, "jo", True)


def test_a_persons_groups_in_priority_then_name_order() -> None:
    jo = _user("jo")
    jo.groups.set([_group("Staff", 50), _group("B", 20, "device"), _group("A", 20, "user")])
    _user("other").groups.set([_group("Other", 1)])
    groups = selectors.groups_of(jo)
    assert [(g.name, g.apple_enrollment_type) for g in groups] == [
        ("A", "user"),
        ("B", "device"),
        ("Staff", ""),
    ]
    assert selectors.groups_of(_user("nobody")) == []


@pytest.mark.postgres
def test_discovery_lookup_is_compiled_once_on_postgresql() -> None:
    """Every discovery asks it: after the thread's first lookup, no SQL is built again, and each
    lookup still finds its own person with their groups."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's iexact rewrites the value: there the lookup runs through the ORM")
    jo = _user("jo", email="jo@example.com")
    jo.groups.set([_group("Staff", 50)])
    al = _user("al", upn="AL@corp.example.com")
    selectors.user_and_groups_by_any_name("warm-up@example.com")

    def found(identifier: str) -> tuple[int, list[str]] | None:
        # What the lookup read (the rest of a row would load on first use).
        person = selectors.user_and_groups_by_any_name(identifier)
        return None if person is None else (person[0].pk, [g.name for g in person[1]])

    compiled = []
    as_sql = SQLCompiler.as_sql

    def counting(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        compiled.append(self.query.model)
        return as_sql(self, *args, **kwargs)

    with (
        mock.patch.object(SQLCompiler, "as_sql", counting),
        CaptureQueriesContext(connection) as queries,
    ):
        assert found("JO@example.com") == (jo.pk, ["Staff"])
        assert found("al@corp.example.com") == (al.pk, [])
        assert found("jo%") is None
    assert compiled == []
    assert len(queries) == 3


def test_has_enabled_source_follows_the_sources() -> None:
    from directory.models import IdentitySource

    services.local_source()
    assert selectors.has_enabled_source(IdentitySource.Kind.LOCAL)
    assert not selectors.has_enabled_source(IdentitySource.Kind.LDAP)
    source = IdentitySource.objects.create(
        name="Directory", kind=IdentitySource.Kind.LDAP, enabled=False
    )
    assert not selectors.has_enabled_source(IdentitySource.Kind.LDAP)
    source.enabled = True
    source.save()
    assert selectors.has_enabled_source(IdentitySource.Kind.LDAP)
    assert [s.kind for s in selectors.enabled_sources()].count(IdentitySource.Kind.LDAP) == 1
    source.delete()
    assert not selectors.has_enabled_source(IdentitySource.Kind.LDAP)
