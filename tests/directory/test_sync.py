"""Directory records, LDAP filter validation and sync plans (pure, no database)."""

from __future__ import annotations

import uuid

import pytest

from directory import sync


@pytest.mark.parametrize(
    "value",
    [
        "(objectClass=person)",
        "(&(objectClass=inetOrgPerson)(!(employeeType=disabled)))",
        "(|(uid=a*)(mail=*@example.com))",
        "(cn=a\\2ab)",
        "(memberOf:1.2.840.113556.1.4.1941:=cn=x,dc=y)",
    ],
)
def test_valid_filters(value: str) -> None:
    assert sync.validate_ldap_filter(f"  {value} ") == value


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("objectClass=person", "enclosed in parentheses"),
        ("(objectClass=person", "Unbalanced"),
        ("(objectClass=person))", "Unbalanced"),
        ("(a=1)(b=2)", "side by side"),
        ("(&())", "Empty parentheses"),
        ("(objectClass)", "no comparison"),
        ("(=x)", "no attribute"),
        ("(cn=a\\zz)", "Bad escape"),
    ],
)
def test_invalid_filters(value: str, reason: str) -> None:
    with pytest.raises(sync.FilterError, match=reason):
        sync.validate_ldap_filter(value)


def test_escape_filter_value() -> None:
    assert sync.escape_filter_value("a*)(uid=*\\") == "a\\2a\\29\\28uid=\\2a\\5c"


def test_ldap_entry_to_user_with_defaults() -> None:
    attrs = {
        "uid": [b"alice"],
        "mail": [b"Alice@Example.com"],
        "cn": [b"Alice Example"],
        "entryUUID": [b"1F0E-AB"],
        "employeeType": [b"active"],
        "memberOf": [b"cn=Staff,ou=groups,dc=example,dc=com"],
    }
    record = sync.ldap_entry_to_user("uid=alice,ou=people,dc=example,dc=com", attrs, {})
    assert record.username == "alice"
    assert record.email == "alice@example.com"
    assert record.external_id == "1f0e-ab"
    assert record.enabled and not record.locked
    assert record.group_ids == ("cn=staff,ou=groups,dc=example,dc=com",)


def test_status_attribute_and_active_directory_flags() -> None:
    dn = "cn=x,dc=example,dc=com"
    assert not sync.ldap_entry_to_user(dn, {"employeeType": [b"Disabled"]}, {}).enabled
    assert sync.ldap_entry_to_user(dn, {"employeeType": [b"locked"]}, {}).locked
    assert sync.ldap_entry_to_user(dn, {"pwdAccountLockedTime": [b"000001010000Z"]}, {}).locked
    assert not sync.ldap_entry_to_user(dn, {"userAccountControl": [b"514"]}, {}).enabled
    assert sync.ldap_entry_to_user(dn, {"userAccountControl": [b"528"]}, {}).locked
    assert sync.ldap_entry_to_user(dn, {"userAccountControl": [b"512"]}, {}).enabled
    # '²'.isdigit() is true, yet int('²') a ValueError that stopped the whole sync.
    assert sync.ldap_entry_to_user(dn, {"userAccountControl": ["²".encode()]}, {}).enabled


def test_active_directory_attribute_map_and_object_guid() -> None:
    guid = uuid.uuid4()
    amap = {
        "username": "sAMAccountName",
        "external_id": "objectGUID",
        "display_name": "displayName",
    }
    attrs = {
        "sAMAccountName": [b"jdoe"],
        "objectGUID": [guid.bytes_le],
        "displayName": ["Jane Doe"],
        "userPrincipalName": [b"JDoe@corp.example"],
    }
    record = sync.ldap_entry_to_user("CN=Jane Doe,OU=Staff,DC=corp", attrs, amap)
    assert record.external_id == str(guid)
    assert record.username == "jdoe"
    assert record.upn == "jdoe@corp.example"
    assert record.display_name == "Jane Doe"


def test_missing_id_attribute_falls_back_to_dn() -> None:
    record = sync.ldap_entry_to_user("uid=Z,dc=x", {"uid": [b"z"]}, {"external_id": ""})
    assert record.external_id == "uid=z,dc=x"


def test_group_record() -> None:
    group = sync.ldap_entry_to_group(
        "cn=staff,ou=groups,dc=x",
        {"cn": [b"staff"], "member": [b"uid=A,dc=x", b"uid=b,dc=x"]},
        {},
        "member",
    )
    assert group.name == "staff"
    assert group.member_refs == ("uid=a,dc=x", "uid=b,dc=x")


def test_graph_records() -> None:
    user = sync.graph_user_to_record(
        {"id": "ABC", "userPrincipalName": "A@X.example", "mail": None, "accountEnabled": False}
    )
    assert (user.external_id, user.username, user.email, user.enabled) == (
        "abc",
        "a@x.example",
        "",
        False,
    )


def _existing(ext: str, enabled: bool = True) -> sync.ExistingUser:
    return sync.ExistingUser(ext, ext, f"{ext}@x", "", "", enabled)


def test_plan_sync() -> None:
    existing = {"a": _existing("a"), "b": _existing("b"), "c": _existing("c", enabled=False)}
    incoming = [
        sync.UserRecord("a", "a", "a@x"),
        sync.UserRecord("b", "b", "b@new"),
        sync.UserRecord("n", "n", "n@x"),
        sync.UserRecord("n", "n", "n@x"),
    ]
    plan = sync.plan_sync(existing=existing, incoming=incoming, add_new=True, complete=True)
    assert [r.external_id for r in plan.create] == ["n"]
    assert [r.external_id for r in plan.update] == ["b"]
    assert [r.external_id for r in plan.unchanged] == ["a"]
    assert plan.disable == []  # c is already disabled
    plan = sync.plan_sync(existing=existing, incoming=incoming[:1], add_new=False, complete=True)
    assert plan.create == []
    assert plan.disable == ["b"]
    plan = sync.plan_sync(existing=existing, incoming=incoming[:1], add_new=False, complete=False)
    assert plan.disable == []
