"""PreparedQuery: compiled once, then the same rows as the ORM, or a clear refusal."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from unittest import mock

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, F
from django.db.models.signals import post_save
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from devices.models import Device, Enrollment
from mdm_server.prepared import (
    PreparedBulkInsert,
    PreparedInsert,
    PreparedQuery,
    PreparedQuerySetUpdate,
    PreparedUpdate,
    save_together,
)
from tests.channels import create_channel, new_channel

pytestmark = pytest.mark.django_db


def _fields(row: Enrollment) -> dict[str, Any]:
    return {f.attname: getattr(row, f.attname) for f in Enrollment._meta.concrete_fields}


@pytest.fixture
def enrollments() -> list[Enrollment]:
    seen = dt.datetime(2026, 11, 1, 12, 30, 5, 123456, tzinfo=dt.UTC)
    return [
        create_channel(
            channel_key="eid:ONE",
            channel="device",
            push_magic="iOS",
            awaiting_configuration=True,
            ddm_status={"OSVersion": "18.2", "Nested": {"a": [1, 2]}},
            unlock_token=b"\x00\x01binary",
            last_seen_at=seen,
            cert_fingerprint="ab" * 32,
        ),
        create_channel(channel_key="eid:TWO", channel="device", push_magic="macOS"),
    ]


def test_model_rows_are_what_the_orm_returns(enrollments: list[Enrollment]) -> None:
    by_key = PreparedQuery(lambda key: Enrollment.objects.filter(channel_key=key)[:1], str)
    for key in ("eid:ONE", "eid:TWO"):
        prepared = by_key.first(key)
        orm = Enrollment.objects.get(channel_key=key)
        assert isinstance(prepared, Enrollment)
        assert _fields(prepared) == _fields(orm)
        assert prepared._state.adding is False and prepared._state.db == "default"
    assert by_key.first("eid:NONE") is None
    assert bytes(by_key.first("eid:ONE").unlock_token) == b"\x00\x01binary"


def test_instances_save_like_orm_instances(enrollments: list[Enrollment]) -> None:
    by_id = PreparedQuery(lambda pk: Enrollment.objects.filter(pk=pk)[:1], int)
    row = by_id.first(enrollments[0].pk)
    row.topic = "Jo's iPhone"
    row.save(update_fields=["topic"])
    assert Enrollment.objects.get(pk=row.pk).topic == "Jo's iPhone"


def test_values_list_rows_flat_and_tuples(enrollments: list[Enrollment]) -> None:
    platforms = PreparedQuery(
        lambda: Enrollment.objects.order_by("channel_key").values_list("push_magic", flat=True)
    )
    assert platforms.all() == ["iOS", "macOS"]
    pairs = PreparedQuery(
        lambda fingerprint: (
            Enrollment.objects.filter(cert_fingerprint__iexact=fingerprint)
            .order_by()
            .values_list("id", "last_seen_at")
        ),
        str,
    )
    assert pairs.all("AB" * 32) == [(enrollments[0].pk, enrollments[0].last_seen_at)]
    assert pairs.all("cd" * 32) == []


def test_compiled_once_per_thread_and_one_statement_per_call(
    enrollments: list[Enrollment],
) -> None:
    builds = []

    def build(key: str) -> Any:
        builds.append(key)
        return Enrollment.objects.filter(channel_key=key)[:1]

    by_key = PreparedQuery(build, str)
    with CaptureQueriesContext(connection) as queries:
        assert by_key.first("eid:ONE").pk == enrollments[0].pk
        assert by_key.first("eid:TWO").pk == enrollments[1].pk
    assert len(builds) == 1
    assert len(queries) == 2
    assert queries[1]["sql"].count("eid:TWO") == 1

    # Another thread has its own connection, so it compiles for itself. (It cannot see this
    # test's uncommitted rows; the lookup itself must still work.)
    other_thread: list[Any] = []

    def read() -> None:
        try:
            other_thread.append(by_key.all("eid:ONE"))
        finally:
            connection.close()

    if connection.vendor != "sqlite":  # an in-memory SQLite test database is per connection
        worker = threading.Thread(target=read)
        worker.start()
        worker.join()
        assert other_thread == [[]]
        assert len(builds) == 2


@pytest.mark.django_db(transaction=True)  # outside the test's own transaction, autocommit is on
def test_select_for_update_needs_a_transaction(enrollments: list[Enrollment]) -> None:
    locked = PreparedQuery(
        lambda key: Enrollment.objects.select_for_update().filter(channel_key=key)[:1], str
    )
    derived = PreparedQuery(
        lambda key: Enrollment.objects.filter(channel_key=key)[:1], str
    ).for_update()
    for query in (locked, derived):
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            assert query.first("eid:ONE").pk == enrollments[0].pk
        if connection.features.has_select_for_update:
            assert "FOR UPDATE" in queries[-1]["sql"]
        with pytest.raises(TransactionManagementError):
            query.first("eid:ONE")


def test_a_value_used_twice_fills_both_places(enrollments: list[Enrollment]) -> None:
    enrollments[0].topic = "eid:ONE"
    enrollments[0].save(update_fields=["topic"])
    both = PreparedQuery(lambda key: Enrollment.objects.filter(channel_key=key, topic=key), str)
    assert [e.pk for e in both.all("eid:ONE")] == [enrollments[0].pk]
    assert both.all("eid:TWO") == []


def _contains(key: str) -> Any:
    return Enrollment.objects.filter(channel_key__contains=key)


def _startswith(key: str) -> Any:
    return Enrollment.objects.filter(channel_key__startswith=key)


def _iexact(key: str) -> Any:
    return Enrollment.objects.filter(channel_key__iexact=key)


@pytest.mark.parametrize(
    ("build", "values"),
    [
        (_contains, ["ONE", "d:T", "%", "_"]),
        (_startswith, ["eid:", "e_d", "%"]),
        (_iexact, ["EID:ONE", "eid_one", "%"]),
    ],
    ids=["contains", "startswith", "iexact"],
)
def test_lookups_that_rewrite_the_value_give_the_orms_rows(
    enrollments: list[Enrollment], build: Any, values: list[str]
) -> None:
    # contains wraps the value in wildcards; iexact on SQLite escapes % and _ for LIKE. Such a
    # query runs through the ORM, so `%` and `_` typed by a person never act as wildcards.
    prepared = PreparedQuery(build, str)
    for value in values:
        assert [e.pk for e in prepared.all(value)] == [e.pk for e in build(value)], value
    assert prepared.all("%") == []
    assert prepared.all("_") == []


@pytest.mark.parametrize(
    "build",
    [
        lambda key: Enrollment.objects.select_related("parent").filter(channel_key=key),
        lambda key: Enrollment.objects.prefetch_related("user_channels").filter(channel_key=key),
        lambda key: Enrollment.objects.annotate(n=Count("user_channels")).filter(channel_key=key),
        lambda key: Enrollment.objects.filter(channel_key=key).values("id"),
    ],
    ids=["select_related", "prefetch", "annotate", "values"],
)
def test_unsupported_queries_are_refused_when_compiled(build: Any) -> None:
    with pytest.raises(ValueError, match="PreparedQuery"):
        PreparedQuery(build, str).all("eid:ONE")


def test_a_datetime_value_is_compiled_once_and_gives_the_orms_rows(
    enrollments: list[Enrollment],
) -> None:
    """A datetime reaches the SQL as itself (PostgreSQL) or as the backend's string for it
    (SQLite): either way the query is compiled once and compares the instant it is given."""
    builds = []

    def build(since: dt.datetime) -> Any:
        builds.append(since)
        return Enrollment.objects.filter(last_seen_at__gte=since).values_list("pk", flat=True)

    seen_since = PreparedQuery(build, dt.datetime)
    at = enrollments[0].last_seen_at
    assert at is not None
    paris = dt.timezone(dt.timedelta(hours=1))
    for since in (
        at - dt.timedelta(microseconds=1),
        at,
        at.astimezone(paris),
        at + dt.timedelta(microseconds=1),
    ):
        expected = list(
            Enrollment.objects.filter(last_seen_at__gte=since).values_list("pk", flat=True)
        )
        assert seen_since.all(since) == expected, since
    assert seen_since.all(at) == [enrollments[0].pk]
    assert seen_since.all(at + dt.timedelta(microseconds=1)) == []
    assert len(builds) == 1
    with pytest.raises(TypeError, match="datetime"):
        seen_since.all("2026-11-01 12:30:05")


def test_bad_values_are_refused() -> None:
    by_key = PreparedQuery(lambda key: Enrollment.objects.filter(channel_key=key), str)
    with pytest.raises(TypeError, match="None"):
        by_key.all(None)
    with pytest.raises(TypeError, match="expected 1 values"):
        by_key.all("a", "b")
    with pytest.raises(TypeError, match="str, int or datetime"):
        PreparedQuery(lambda day: Enrollment.objects.filter(last_seen_at__date=day), dt.date).all(
            dt.date.today()
        )


# --- prepared writes -------------------------------------------------------------------------


def test_a_bulk_insert_compiled_once_writes_the_rows_bulk_create_writes() -> None:
    """The commands of a first TokenUpdate: one INSERT for them all, their keys in order, the
    same columns as bulk_create's (a column with a database default included)."""
    from django.db.models import Value
    from django.db.models.expressions import DatabaseDefault

    from devices.models import Command

    def commands(prefix: str, n: int) -> list[Command]:
        return [
            Command(
                uuid=f"{prefix}-{i}",
                request_type="ProfileList",
                spec="ProfileList" if i % 2 else "",
                priority=40 + i,
                body=b"<plist>%s</plist>",
                command_keys=["a", i],
                display={"name": prefix},
                origin="test",
                target_count=i,
            )
            for i in range(n)
        ]

    def columns(row: Command) -> dict[str, Any]:
        skip = {"id", "uuid", "created_at", "display"}  # differ by design between the two sets
        values = {
            f.attname: getattr(row, f.attname)
            for f in Command._meta.concrete_fields
            if f.attname not in skip
        }
        return {**values, "body": bytes(values["body"])}

    insert = PreparedBulkInsert(Command)
    for round_, n in enumerate((3, 3, 1)):  # the second 3 runs the SQL compiled by the first
        mine, theirs = commands(f"p{round_}", n), commands(f"o{round_}", n)
        # Not through bulk_create: that one is made to fail here.
        with (
            mock.patch.object(Command._default_manager, "bulk_create", side_effect=AssertionError),
            CaptureQueriesContext(connection) as queries,
        ):
            insert.create(mine)
        Command.objects.bulk_create(theirs)
        assert len(queries) == 1
        assert all(not c._state.adding for c in mine)
        assert [c.pk for c in mine] == sorted(c.pk for c in mine)
        for ours, orm in zip(mine, theirs, strict=True):
            ours.refresh_from_db()
            orm.refresh_from_db()
            assert columns(ours) == columns(orm)
            assert ours.uuid.startswith(f"p{round_}-") and ours.created_at is not None
    # A value left to the database, many rows, or none: bulk_create itself.
    left = commands("d", 2)
    spec = Command._meta.get_field("spec")
    left[0].spec = DatabaseDefault(Value(spec.db_default), output_field=spec)
    many = commands("m", PreparedBulkInsert.MAX_ROWS + 1)
    insert.create(left)
    insert.create(many)
    insert.create([])
    assert Command.objects.get(uuid="d-0").spec == ""
    assert Command.objects.filter(uuid__startswith="m-").count() == len(many)
    assert all(c.pk is not None for c in left + many)


def test_a_queryset_update_compiled_once_changes_what_the_orm_s_would() -> None:
    """A conditional UPDATE (bind a row unless another holds it: Authenticate's session), its
    values in the SET and the WHERE, counted as `QuerySet.update()` counts."""
    from django.db.models import Q

    compiled: list[str] = []

    def rows(key: str, topic: str) -> Any:
        compiled.append(key)
        return Enrollment.objects.filter(channel_key=key).filter(Q(topic="") | Q(topic=topic))

    def changes(key: str, topic: str) -> dict[str, Any]:
        return {"topic": topic, "status": Enrollment.Status.ENROLLED}

    bind = PreparedQuerySetUpdate(rows, changes, str, str)
    create_channel(channel_key="bind:free", topic="", status=Enrollment.Status.PENDING)
    create_channel(channel_key="bind:mine", topic="t.mine", status=Enrollment.Status.PENDING)
    create_channel(channel_key="bind:other", topic="t.other", status=Enrollment.Status.PENDING)
    with CaptureQueriesContext(connection) as queries:
        assert bind.update("bind:free", "t.mine") == 1
        assert bind.update("bind:mine", "t.mine") == 1
        assert bind.update("bind:other", "t.mine") == 0
        assert bind.update("bind:none", "t.mine") == 0
    assert len(queries) == 4
    got = dict(
        Enrollment.objects.filter(channel_key__startswith="bind:").values_list(
            "channel_key", "topic"
        )
    )
    assert got == {"bind:free": "t.mine", "bind:mine": "t.mine", "bind:other": "t.other"}
    statuses = Enrollment.objects.filter(channel_key__startswith="bind:").values_list(
        "channel_key", "status"
    )
    assert dict(statuses)["bind:other"] == Enrollment.Status.PENDING
    assert dict(statuses)["bind:free"] == Enrollment.Status.ENROLLED
    assert len(compiled) == 1  # built once, then only run
    with pytest.raises(TypeError, match="None"):
        bind.update(None, "t")
    through_a_join = PreparedQuerySetUpdate(
        lambda key: Enrollment.objects.filter(device__udid=key),
        lambda key: {"topic": key},
        str,
    )
    with pytest.raises(ValueError, match="one table"):
        through_a_join.update("x")


def _all_fields(row: Enrollment) -> dict[str, Any]:
    values = _fields(row)
    values["unlock_token"] = bytes(values["unlock_token"]) if values["unlock_token"] else None
    return values


def _new_enrollment(key: str) -> Enrollment:
    device = Device.objects.create()
    return new_channel(
        device=device,
        channel_key=key,
        channel="device",
        push_magic="iOS",
        awaiting_configuration=True,
        ddm_status={"OSVersion": "18.2", "Nested": {"a": [1, 2]}},
        unlock_token=b"\x00\x01binary",
        last_seen_at=dt.datetime(2026, 11, 1, 12, 30, 5, 123456, tzinfo=dt.UTC),
    )


def test_a_prepared_insert_writes_the_row_save_writes() -> None:
    insert = PreparedInsert(Enrollment)
    ours, theirs = _new_enrollment("eid:OURS"), _new_enrollment("eid:THEIRS")
    with CaptureQueriesContext(connection) as queries:
        insert.save(ours)
    assert len(queries) == 1 and queries[0]["sql"].startswith("INSERT")
    theirs.save()
    assert ours.pk is not None and ours._state.adding is False and ours._state.db == "default"
    stored, expected = Enrollment.objects.get(pk=ours.pk), Enrollment.objects.get(pk=theirs.pk)
    # refresh_slot: a random default, drawn for each row (devices.lifecycle.random_slot).
    different = {"id", "public_id", "channel_key", "created_at", "refresh_slot", "device_id"}
    assert 0 <= stored.refresh_slot < 1_000_000
    assert {k: v for k, v in _all_fields(stored).items() if k not in different} == {
        k: v for k, v in _all_fields(expected).items() if k not in different
    }
    assert stored.created_at == ours.created_at and stored.public_id == ours.public_id
    insert.save(_new_enrollment("eid:AGAIN"))  # compiled once, used again
    assert Enrollment.objects.count() == 3


def test_a_prepared_update_writes_only_its_fields(enrollments: list[Enrollment]) -> None:
    update = PreparedUpdate(Enrollment, ["topic", "unlock_token", "ddm_status"])
    row = Enrollment.objects.get(pk=enrollments[0].pk)
    row.topic = "Jo's iPhone"
    row.unlock_token = b"\xff\x00new"
    row.ddm_status = {"OSVersion": "18.3"}
    row.push_magic = "macOS"  # not among the fields: stays as stored
    with CaptureQueriesContext(connection) as queries:
        update.save(row)
    assert len(queries) == 1 and queries[0]["sql"].startswith("UPDATE")
    stored = Enrollment.objects.get(pk=row.pk)
    assert stored.topic == "Jo's iPhone" and bytes(stored.unlock_token) == b"\xff\x00new"
    assert stored.ddm_status == {"OSVersion": "18.3"} and stored.push_magic == "iOS"
    Enrollment.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError):
        update.save(row)


def _session_and_token(secret: str) -> tuple[Any, Any]:
    from enrollment.models import EnrollmentSession, EnrollmentToken

    expires = dt.datetime(2027, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    session = EnrollmentSession(
        kind="account", enrollment_type="user", user_identifier="jo@example.com",
        machine_info={"PRODUCT": "iPhone17,1"}, expires_at=expires,
    )  # fmt: skip
    token = EnrollmentToken(session=session, kind="access", token_hash=secret, expires_at=expires)
    return session, token


@pytest.mark.postgres  # one statement on PostgreSQL; elsewhere two saves
def test_a_row_and_its_child_saved_with_one_statement_are_what_two_saves_write() -> None:
    from enrollment.models import EnrollmentSession, EnrollmentToken

    sessions, tokens = PreparedInsert(EnrollmentSession), PreparedInsert(EnrollmentToken)
    ours, our_token = _session_and_token("a" * 64)
    theirs, their_token = _session_and_token("b" * 64)
    with CaptureQueriesContext(connection) as queries:
        sessions.save_with(ours, tokens, our_token)
    assert len(queries) == 1 and queries[0]["sql"].startswith("WITH")
    theirs.save()
    their_token.save()
    for obj in (ours, our_token):
        assert obj.pk is not None and not obj._state.adding and obj._state.db == "default"
    assert our_token.session_id == ours.pk and our_token.session is ours
    stored = EnrollmentToken.objects.select_related("session").get(pk=our_token.pk)
    expected = EnrollmentToken.objects.select_related("session").get(pk=their_token.pk)
    different = {"id", "public_id", "created_at", "session_id", "token_hash"}
    for got, want in ((stored, expected), (stored.session, expected.session)):
        names = [f.attname for f in type(got)._meta.concrete_fields if f.attname not in different]
        assert {k: getattr(got, k) for k in names} == {k: getattr(want, k) for k in names}
    assert stored.session_id == ours.pk and stored.session.public_id == ours.public_id
    assert stored.created_at == our_token.created_at
    assert stored.session.created_at == ours.created_at
    # A failing child (its hash is taken) leaves no row of either.
    again, clash = _session_and_token("a" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        sessions.save_with(again, tokens, clash)
    assert EnrollmentSession.objects.count() == 2


def test_save_with_needs_a_child_whose_only_relation_is_to_the_row() -> None:
    from enrollment.models import EnrollmentSession

    session, token = _session_and_token("c" * 64)
    with pytest.raises(ValueError, match="one foreign key"):
        PreparedInsert(Enrollment).save_with(
            new_channel(channel_key="eid:X"), PreparedInsert(EnrollmentSession), session
        )
    assert token.pk is None


@pytest.mark.postgres  # one statement on PostgreSQL; elsewhere two saves
def test_two_prepared_updates_saved_together_are_one_statement(
    enrollments: list[Enrollment],
) -> None:
    first = PreparedUpdate(Enrollment, ["topic", "unlock_token", "ddm_status"])
    second = PreparedUpdate(Enrollment, ["push_magic"])
    one, two = (Enrollment.objects.get(pk=e.pk) for e in enrollments)
    one.topic, one.unlock_token, one.ddm_status = "Jo's iPhone", b"\xff\x00", {"a": [1]}
    one.push_magic = "not written"  # not among the first's fields
    two.push_magic = "watchOS"
    with CaptureQueriesContext(connection) as queries:
        save_together(first, one, second, two)
    assert len(queries) == 1 and queries[0]["sql"].startswith("WITH")
    stored_one, stored_two = (Enrollment.objects.get(pk=e.pk) for e in enrollments)
    assert (stored_one.topic, bytes(stored_one.unlock_token)) == ("Jo's iPhone", b"\xff\x00")
    assert stored_one.ddm_status == {"a": [1]} and stored_one.push_magic == "iOS"
    assert stored_two.push_magic == "watchOS" and stored_two.topic == enrollments[1].topic
    # Either row gone: DatabaseError, as from save(), and nothing of the statement stays.
    for gone, kept in ((two, one), (one, two)):
        one.topic = "changed again"
        two.push_magic = "changed again"
        Enrollment.objects.filter(pk=gone.pk).delete()
        with pytest.raises(DatabaseError), transaction.atomic():
            save_together(first, one, second, two)
        stored = Enrollment.objects.filter(pk=kept.pk).first()
        assert stored is None or "changed again" not in (stored.topic, stored.push_magic)


@pytest.mark.postgres  # one statement on PostgreSQL; elsewhere three saves
def test_two_updates_and_an_insert_saved_together_are_one_statement(
    enrollments: list[Enrollment],
) -> None:
    from mdm_server.pki.models import ScepChallenge
    from mdm_server.pki.services import CHALLENGE_INSERT, new_scep_challenge

    first = PreparedUpdate(Enrollment, ["topic"])
    second = PreparedUpdate(Enrollment, ["push_magic"])
    one, two = (Enrollment.objects.get(pk=e.pk) for e in enrollments)
    one.topic, two.push_magic = "with a new row", "watchOS"
    row, _challenge = new_scep_challenge(reference="together", renews="ab" * 32)
    with CaptureQueriesContext(connection) as queries:
        save_together(first, one, second, two, then=(CHALLENGE_INSERT, row))
    assert len(queries) == 1 and queries[0]["sql"].startswith("WITH")
    assert row.pk is not None and not row._state.adding and row._state.db == "default"
    stored = ScepChallenge.objects.get(pk=row.pk)
    assert (stored.challenge_hash, stored.reference, stored.renews, stored.expires_at) == (
        row.challenge_hash,
        "together",
        "ab" * 32,
        row.expires_at,
    )
    assert Enrollment.objects.get(pk=one.pk).topic == "with a new row"
    assert Enrollment.objects.get(pk=two.pk).push_magic == "watchOS"
    # Either row gone: DatabaseError, as from save(), and the new row is not written either.
    for gone in (two, one):
        Enrollment.objects.filter(pk=gone.pk).delete()
        row, _challenge = new_scep_challenge(reference="not written")
        with pytest.raises(DatabaseError), transaction.atomic():
            save_together(first, one, second, two, then=(CHALLENGE_INSERT, row))
        assert not ScepChallenge.objects.filter(reference="not written").exists()


def _claim(connection: Any) -> str:
    from mdm_server.pki.models import ScepChallenge

    qn = connection.ops.quote_name
    return (
        f"UPDATE {qn(ScepChallenge._meta.db_table)} SET used_at = %s"  # noqa: S608
        " WHERE challenge_hash = %s AND used_at IS NULL RETURNING renews, reference"
    )


@pytest.mark.postgres  # one statement on PostgreSQL; elsewhere not done (None)
def test_an_insert_saved_with_a_claim_is_written_only_with_it() -> None:
    from mdm_server.pki.models import IssuedCertificate, ScepChallenge
    from mdm_server.pki.services import CHALLENGE_INSERT, new_scep_challenge

    challenge, _text = new_scep_challenge(reference="the session", renews="cd" * 32)
    CHALLENGE_INSERT.save(challenge)
    insert = PreparedInsert(IssuedCertificate)
    now = dt.datetime(2026, 12, 7, 15, 0, 0, 123456, tzinfo=dt.UTC)

    def issued(fingerprint: str) -> IssuedCertificate:
        return IssuedCertificate(
            fingerprint=fingerprint, serial="1f", subject="CN=d", not_before=now,
            not_after=now + dt.timedelta(days=1), pem="PEM", reference="not this",
            transaction_id="t-1", renews="nor this",
        )  # fmt: skip

    row = issued("ab" * 32)
    # The claim returns (renews, reference): taken by position, in the order named.
    params = [now, challenge.challenge_hash]
    with CaptureQueriesContext(connection) as queries:
        claimed = insert.save_claimed(
            row, claim=_claim(connection), params=params, taken=("renews", "reference")
        )
    assert claimed is True and len(queries) == 1 and queries[0]["sql"].startswith("WITH")
    assert row.pk is not None and not row._state.adding and row._state.db == "default"
    assert (row.reference, row.renews) == ("the session", "cd" * 32)
    stored = IssuedCertificate.objects.get(pk=row.pk)
    fields = ("fingerprint", "serial", "not_before", "transaction_id", "reference", "renews")
    assert [getattr(stored, f) for f in fields] == [getattr(row, f) for f in fields]
    assert stored.created_at == row.created_at
    assert ScepChallenge.objects.get(pk=challenge.pk).used_at == now
    # Claimed already: nothing written, the row left new.
    again = issued("ef" * 32)
    with CaptureQueriesContext(connection) as queries:
        claimed = insert.save_claimed(
            again, claim=_claim(connection), params=params, taken=("renews", "reference")
        )
    assert claimed is False and len(queries) == 1
    assert again.pk is None and again.reference == "not this"
    assert IssuedCertificate.objects.count() == 1
    # A failing INSERT (its fingerprint is taken) undoes the claim with it.
    other, _text = new_scep_challenge(reference="other")
    CHALLENGE_INSERT.save(other)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert.save_claimed(
            issued("ab" * 32),
            claim=_claim(connection),
            params=[now, other.challenge_hash],
            taken=("renews", "reference"),
        )
    assert ScepChallenge.objects.get(pk=other.pk).used_at is None


def test_an_insert_saved_with_a_claim_is_left_to_the_caller_when_it_would_do_more() -> None:
    from mdm_server.pki.models import IssuedCertificate, ScepChallenge

    now = dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC)
    row = IssuedCertificate(
        fingerprint="ab" * 32, serial="1", subject="CN=d", not_before=now, not_after=now, pem="P"
    )
    calls: list[str] = []

    def receiver(sender: Any, instance: IssuedCertificate, **kwargs: Any) -> None:
        calls.append(instance.fingerprint)

    post_save.connect(receiver, sender=IssuedCertificate, weak=False)
    try:
        with CaptureQueriesContext(connection) as queries:
            result = PreparedInsert(IssuedCertificate).save_claimed(
                row, claim=_claim(connection), params=[now, "x"], taken=("reference",)
            )
    finally:
        post_save.disconnect(receiver, sender=IssuedCertificate)
    assert result is None and len(queries) == 0 and calls == [] and row.pk is None
    assert not ScepChallenge.objects.exists() and not IssuedCertificate.objects.exists()


def test_an_insert_saved_together_through_save_when_any_would_do_more(
    enrollments: list[Enrollment],
) -> None:
    from mdm_server.pki.models import ScepChallenge
    from mdm_server.pki.services import CHALLENGE_INSERT, new_scep_challenge

    one, two = (Enrollment.objects.get(pk=e.pk) for e in enrollments)
    one.topic = "kept"
    two.status = F("status")  # an expression: only save() evaluates it
    row, _challenge = new_scep_challenge(reference="in turn")
    with CaptureQueriesContext(connection) as queries:
        save_together(
            PreparedUpdate(Enrollment, ["topic"]),
            one,
            PreparedUpdate(Enrollment, ["status"]),
            two,
            then=(CHALLENGE_INSERT, row),
        )
    assert len(queries) == 3
    assert ScepChallenge.objects.get(pk=row.pk).reference == "in turn"


def test_updates_saved_together_go_through_save_when_one_would_do_more(
    enrollments: list[Enrollment],
) -> None:
    one, two = (Enrollment.objects.get(pk=e.pk) for e in enrollments)
    one.topic = "kept"
    two.status = F("status")  # an expression: only save() evaluates it
    with CaptureQueriesContext(connection) as queries:
        save_together(
            PreparedUpdate(Enrollment, ["topic"]), one, PreparedUpdate(Enrollment, ["status"]), two
        )
    assert len(queries) == 2
    assert Enrollment.objects.get(pk=one.pk).topic == "kept"


def test_prepared_writes_go_through_save_when_it_would_do_more() -> None:
    calls: list[str] = []

    def receiver(sender: Any, instance: Enrollment, **kwargs: Any) -> None:
        calls.append(instance.channel_key)

    post_save.connect(receiver, sender=Enrollment, weak=False)
    try:
        PreparedInsert(Enrollment).save(_new_enrollment("eid:SIGNALLED"))
    finally:
        post_save.disconnect(receiver, sender=Enrollment)
    assert calls == ["eid:SIGNALLED"]
    row = Enrollment.objects.get(channel_key="eid:SIGNALLED")
    row.status = F("status")  # an expression: only save() evaluates it
    row.topic = "kept"
    PreparedUpdate(Enrollment, ["status", "topic"]).save(row)
    assert Enrollment.objects.get(pk=row.pk).topic == "kept"


def test_prepared_writes_refuse_what_they_cannot_write() -> None:
    with pytest.raises(ValueError, match="key"):
        PreparedUpdate(Enrollment, ["id"])
