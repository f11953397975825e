"""People are found by case-insensitive lookups that an index answers (PostgreSQL plans).

Service discovery and sign-in look a person up by what they typed, in any case; on a directory of
100,000 people a lookup that reads the whole table costs tens of milliseconds per request.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory import auth, services
from directory.models import DirectoryUser
from enrollment import directory_access

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL query plans"),
]


@pytest.fixture
def people(domains: None) -> None:
    """Jo among 3,000 other people, with planner statistics (a lookup by table scan shows)."""
    jo = services.create_local_user(
        username="jo", email="jo@example.com", password="correct horse", actor=None
    )
    DirectoryUser.objects.bulk_create(
        DirectoryUser(
            source=jo.source,
            external_id=f"p{n}",
            username=f"person{n}",
            email=f"person{n}@example.com",
            managed_apple_id=f"person{n}@appleid.example.com",
        )
        for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE directory_directoryuser")


def _plans(run: object) -> list[str]:
    """EXPLAIN of every SELECT on directory users that `run()` made."""
    with CaptureQueriesContext(connection) as queries:
        run()  # type: ignore[operator]
    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if sql.startswith("SELECT") and 'FROM "directory_directoryuser"' in sql:
                cursor.execute("EXPLAIN " + sql)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert plans, "no directory user lookup was made"
    return plans


def test_discovery_lookup_uses_the_case_insensitive_indexes(people: None) -> None:
    plans = _plans(lambda: directory_access.find_person("JO@Example.com"))
    for index in (
        "directory_user_apple_id_ci",
        "directory_user_email_ci",
        "directory_user_upn_ci",
        "directory_user_username_ci",
    ):
        assert index in plans[0], plans[0]
    # (The person's groups are joined in: the empty membership table may be read whole.)
    assert "Seq Scan on directory_directoryuser " not in plans[0], plans[0]


def test_password_sign_in_lookup_uses_the_indexes(people: None) -> None:
    plans = _plans(
        lambda: auth.authenticate_password(identifier="Jo@example.com", password="correct horse")
    )
    assert any(
        "directory_user_username_ci" in p and "directory_user_email_ci" in p for p in plans
    ), plans
    assert not any("Seq Scan on directory_directoryuser" in p for p in plans), plans
