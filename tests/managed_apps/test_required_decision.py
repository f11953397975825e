"""Which required apps a new enrollment gets: decided in one query whatever the number of
assignments, requested in statements that do not grow with it either."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from devices.managed_apps import services
from devices.managed_apps.models import App, AppAssignment, AppInstall
from devices.models import Enrollment
from directory.models import DirectoryGroup, DirectoryUser, IdentitySource
from tests.channels import create_channel

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


@pytest.fixture
def people(db: None) -> dict[str, object]:
    source = IdentitySource.objects.create(name="Local", kind=IdentitySource.Kind.LOCAL)
    alice = DirectoryUser.objects.create(source=source, external_id="a", username="alice")
    staff = DirectoryGroup.objects.create(name="staff")
    others = DirectoryGroup.objects.create(name="others")
    alice.groups.add(staff)
    return {"alice": alice, "staff": staff, "others": others}


def _app() -> App:
    n = next(_n)
    return services.add_custom_app(
        name=f"Tool {n}", manifest_url=f"https://apps.example/{n}.plist", bundle_id=f"ex.{n}"
    )


def _phone(person: DirectoryUser | None, **fields: object) -> Enrollment:
    n = next(_n)
    return create_channel(
        channel_key=f"apps:{n}",
        channel=fields.pop("channel", Enrollment.Channel.DEVICE),
        enrollment_type="user",
        enrollment_id=f"E-{n}",
        status=Enrollment.Status.ENROLLED,
        platform="iOS",
        os_version="18.2",
        directory_user=person,
        **fields,
    )


def _assign(app: App, *, by: str, people: dict[str, object], **kw: object) -> AppAssignment:
    if by == "type":
        kw.setdefault("enrollment_type", "user")
        return services.assign_app(
            app=app, scope=AppAssignment.Scope.ENROLLMENT_TYPE, **kw
        ).assignment
    kw.setdefault("group", people["staff"])
    return services.assign_app(app=app, scope=AppAssignment.Scope.GROUP, **kw).assignment


def test_an_enrollment_gets_exactly_the_required_apps_that_reach_it(people) -> None:
    by_type = _assign(_app(), by="type", people=people)
    by_group = _assign(_app(), by="group", people=people)
    _assign(_app(), by="type", people=people, enrollment_type="device")
    _assign(_app(), by="group", people=people, group=people["others"])
    _assign(_app(), by="type", people=people, mode=AppAssignment.Mode.AVAILABLE)
    phone = _phone(people["alice"])
    mine = services.assign_app(
        app=_app(), scope=AppAssignment.Scope.DEVICE, enrollment=phone
    ).assignment
    AppInstall.objects.all().delete()  # as if the phone had just enrolled
    assert {a.pk for a in services.required_for(phone)} == {by_type.pk, by_group.pk, mine.pk}
    assert services.enrollment_started(enrollment=phone) == 3
    installs = AppInstall.objects.filter(enrollment=phone)
    assert {(i.app_id, i.assignment_id) for i in installs} == {
        (a.app_id, a.pk) for a in (by_type, by_group, mine)
    }
    assert {i.status for i in installs} == {AppInstall.Status.REQUESTED}
    # Requested once: a second start changes nothing.
    assert services.enrollment_started(enrollment=phone) == 0
    # Without a person only the type reaches it; a user channel gets no app.
    assert [a.pk for a in services.required_for(_phone(None))] == [by_type.pk]
    assert services.required_for(_phone(None, channel=Enrollment.Channel.USER)) == []


def test_a_removed_app_is_requested_again_with_the_newest_assignment(people) -> None:
    app = _app()
    older = _assign(app, by="group", people=people)
    phone = _phone(people["alice"])
    AppInstall.objects.filter(enrollment=phone).update(status=AppInstall.Status.REMOVED)
    newer = _assign(app, by="type", people=people)
    AppInstall.objects.filter(enrollment=phone).update(status=AppInstall.Status.FAILED)
    assert [a.pk for a in services.required_for(phone)] == [newer.pk, older.pk]
    assert services.enrollment_started(enrollment=phone) == 1
    install = AppInstall.objects.get(enrollment=phone)
    assert install.status == AppInstall.Status.REQUESTED and install.assignment_id == newer.pk


def test_the_decision_and_the_requests_do_not_grow_with_the_assignments(people) -> None:
    def statements(assignments: int) -> tuple[int, int]:
        for n in range(assignments):
            _assign(_app(), by="type" if n % 2 else "group", people=people)
        phone = _phone(people["alice"])
        AppInstall.objects.filter(enrollment=phone).delete()  # as if it had just enrolled
        with CaptureQueriesContext(connection) as decided:
            required = services.required_for(phone)
        with CaptureQueriesContext(connection) as started:
            requested = services.enrollment_started(enrollment=phone)
        assert len(required) == requested == assignments
        AppAssignment.objects.all().delete()
        return len(decided.captured_queries), len(started.captured_queries)

    one = statements(1)
    assert one[0] == 1
    assert statements(5) == one


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("config_generation")
def test_no_statement_while_no_app_is_required_and_a_new_requirement_is_seen_at_once(
    people,
) -> None:
    """Every completed enrollment asks for its required apps: while no app is required
    anywhere, the per-process configuration says so without a statement; an assignment made
    since (any process: its save replaces the generation) is requested at the next one."""
    _assign(_app(), by="type", people=people, mode=AppAssignment.Mode.AVAILABLE)
    phone = _phone(people["alice"])
    AppInstall.objects.all().delete()
    assert services.enrollment_started(enrollment=phone) == 0  # reads, and keeps, the answer
    with CaptureQueriesContext(connection) as started:
        assert services.enrollment_started(enrollment=phone) == 0
    assert started.captured_queries == []
    required = _assign(_app(), by="group", people=people)
    AppInstall.objects.all().delete()  # as if the phone had just enrolled
    assert services.enrollment_started(enrollment=phone) == 1
    assert AppInstall.objects.get(enrollment=phone).assignment_id == required.pk
    # Its app deleted (the assignment goes with it, by cascade): nothing is required again.
    required.app.delete()
    services.enrollment_started(enrollment=phone)  # reads, and keeps, the answer
    with CaptureQueriesContext(connection) as started:
        assert services.enrollment_started(enrollment=phone) == 0
    assert started.captured_queries == []
