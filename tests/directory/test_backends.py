"""Console sign-in with a directory password (optional authentication backend)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, User
from django.test import Client

from directory import services
from mdm_server import roles

pytestmark = pytest.mark.django_db

BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "directory.backends.DirectoryConsoleBackend",
]


@pytest.fixture
def console_alice(db: None) -> User:
    user = User.objects.create_user(username="alice")  # no usable local password
    user.groups.add(Group.objects.get_or_create(name=roles.HELPDESK)[0])
    return user


def test_existing_console_account_signs_in_with_ldap_password(
    settings: Any, ldap_source: Any, console_alice: User
) -> None:
    settings.AUTHENTICATION_BACKENDS = BACKENDS
    assert authenticate(username="alice@example.com", password="alice-pw") is None  # off
    services.save_source(source=ldap_source, data={"console_sign_in": True}, actor=None)
    assert authenticate(username="alice@example.com", password="alice-pw") == console_alice
    assert authenticate(username="alice@example.com", password="wrong") is None
    assert authenticate(username="bob@example.com", password="bob-pw") is None  # no account
    client = Client()
    response = client.post(
        "/console/login/", {"username": "alice@example.com", "password": "alice-pw"}
    )
    assert response.status_code == 302
    assert client.get("/console/directory/").status_code == 200


def test_inactive_console_account_is_refused(
    settings: Any, ldap_source: Any, console_alice: User
) -> None:
    settings.AUTHENTICATION_BACKENDS = BACKENDS
    services.save_source(source=ldap_source, data={"console_sign_in": True}, actor=None)
    console_alice.is_active = False
    console_alice.save()
    assert authenticate(username="alice@example.com", password="alice-pw") is None
