"""Enrollment tokens found by their secret: the token with its whole session, as the ORM reads
them, and nothing for another kind or an unknown secret."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from enrollment.models import EnrollmentSession, EnrollmentToken
from enrollment.services import core

pytestmark = pytest.mark.django_db

SECRET = "s3cret-" + "x" * 36


def _token(kind: str = EnrollmentToken.Kind.ACCESS) -> EnrollmentToken:
    now = timezone.now()
    session = EnrollmentSession.objects.create(
        kind=EnrollmentSession.Kind.ACCOUNT,
        enrollment_type=EnrollmentSession.Type.USER,
        user_identifier="jo@example.com",
        directory_user_id=7,
        managed_apple_id="jo@appleid.example.com",
        ownership="personal",
        machine_info={"PRODUCT": "iPhone15,2", "VERSION": "21A5", "nested": {"a": [1, "b"]}},
        expires_at=now + dt.timedelta(days=1),
    )
    return EnrollmentToken.objects.create(
        session=session,
        kind=kind,
        token_hash=core.hash_token(SECRET),
        expires_at=now + dt.timedelta(days=1),
        profile_deadline=now + dt.timedelta(minutes=5),
    )


def _columns(obj: object) -> dict[str, object]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}  # type: ignore[attr-defined]


@pytest.mark.parametrize("for_update", [False, True])
def test_the_token_comes_with_its_whole_session(for_update: bool) -> None:
    made = _token()
    expected = EnrollmentToken.objects.select_related("session").get(pk=made.pk)
    with transaction.atomic():
        found = core._find_token(SECRET, EnrollmentToken.Kind.ACCESS, for_update=for_update)
        assert found is not None
        assert _columns(found) == _columns(expected)
        assert _columns(found.session) == _columns(expected.session)
        assert found.session.machine_info["nested"] == {"a": [1, "b"]}
        # Instances saved as any other: an update of the session writes that row.
        found.session.status = EnrollmentSession.Status.PROFILE_ISSUED
        found.session.save(update_fields=["status"])
    assert EnrollmentSession.objects.get(pk=made.session_id).status == "profile_issued"


def test_no_token_for_another_kind_or_secret() -> None:
    _token(EnrollmentToken.Kind.CODE)
    assert core._find_token(SECRET, EnrollmentToken.Kind.ACCESS) is None
    assert core._find_token(SECRET, EnrollmentToken.Kind.CODE) is not None
    for secret in ("", SECRET[:-1], SECRET + "x", "x" * 201):
        assert core._find_token(secret, EnrollmentToken.Kind.CODE) is None, secret
