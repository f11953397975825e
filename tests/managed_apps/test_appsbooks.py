"""The Apps and Books client against the fake service: shapes, paging, events, errors (no DB)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from devices.managed_apps import appsbooks
from tests.managed_apps.fake_appsbooks import FakeAppsBooks, make_vpptoken


def client(
    fake: FakeAppsBooks, token: str | None = None, timeout: float = 2
) -> appsbooks.AppsBooksClient:
    return appsbooks.AppsBooksClient(token or fake.stoken, base_url=fake.base_url, timeout=timeout)


def settle(c: appsbooks.AppsBooksClient, event: str) -> appsbooks.EventStatus:
    first = c.event_status(event)
    assert first.status == "PENDING"  # Apple's writes are asynchronous
    return c.event_status(event)


def test_content_token_file_is_read() -> None:
    token = appsbooks.parse_content_token(make_vpptoken("s3cret", org="Example Corp").encode())
    assert token.org_name == "Example Corp"
    assert token.expires_at == datetime(2027, 6, 1, 10, 0, tzinfo=UTC)
    assert base64.b64decode(token.stoken).startswith(b'{"token": "s3cret"')


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"not base64 !!", "base64"),
        (base64.b64encode(b"[1, 2]"), "JSON object"),
        (base64.b64encode(b'{"token": "x", "orgName": "o"}'), "expDate"),
        (base64.b64encode(b'{"token": "x", "orgName": "o", "expDate": "soon"}'), "not a date"),
        # json.loads raised RecursionError (not a ValueError): a 500 from the token upload.
        (base64.b64encode(b"[" * 5000), "not base64-encoded JSON"),
    ],
)
def test_bad_token_files_are_refused_with_the_reason(data: bytes, words: str) -> None:
    with pytest.raises(appsbooks.TokenFileError, match=words):
        appsbooks.parse_content_token(data)


def test_assets_are_read_across_pages(fake_vpp: FakeAppsBooks) -> None:
    assets = list(client(fake_vpp).iter_assets())
    assert [a.adam_id for a in assets] == ["361309726", "408709785", "377298193"]
    assert fake_vpp.requests.count("GET assets") == 2  # page size 2
    assert (assets[0].total, assets[0].available, assets[0].device_assignable) == (3, 3, True)


def test_a_change_while_paging_is_told(fake_vpp: FakeAppsBooks) -> None:
    pages = client(fake_vpp).iter_assets()
    next(pages)
    fake_vpp.version += 1
    with pytest.raises(appsbooks.AppsBooksError, match="changed while"):
        list(pages)


def test_user_licence_round_trip(fake_vpp: FakeAppsBooks) -> None:
    c = client(fake_vpp)
    event = c.create_users([{"clientUserId": "cu-1", "managedAppleId": "ann@appleid.example.com"}])
    assert settle(c, event).status == "COMPLETE"
    event = c.associate(("408709785", "STDQ"), client_user_ids=["cu-1"])
    assert settle(c, event).status == "COMPLETE"
    assert fake_vpp.asset("408709785").users == {"cu-1"}
    # The only licence is taken: a second person gets Apple's failure in the event.
    c.create_users([{"clientUserId": "cu-2", "managedAppleId": "ben@appleid.example.com"}])
    fake_vpp.users["cu-2"] = {"clientUserId": "cu-2"}
    failed = settle(c, c.associate(("408709785", "STDQ"), client_user_ids=["cu-2"]))
    assert failed.status == "FAILED"
    assert "9709" in failed.failure_text()
    released = settle(c, c.disassociate(("408709785", "STDQ"), client_user_ids=["cu-1"]))
    assert released.status == "COMPLETE"
    assert fake_vpp.asset("408709785").users == set()


def test_unregistered_user_fails_in_the_event(fake_vpp: FakeAppsBooks) -> None:
    c = client(fake_vpp)
    status = settle(c, c.associate(("361309726", "STDQ"), client_user_ids=["nobody"]))
    assert status.status == "FAILED"
    assert "Unable to find registered user. (error 9609)" in status.failure_text()


@pytest.mark.parametrize(
    ("token", "number"),
    [("bm90LWEtdG9rZW4=", 9601), ("revoked", 9625), ("expired", 9621)],
    ids=["unknown", "revoked", "expired"],
)
def test_a_bad_revoked_or_expired_token_is_told(
    fake_vpp: FakeAppsBooks, token: str, number: int
) -> None:
    if token == "revoked":
        fake_vpp.revoked.add(fake_vpp.stoken)
    if token == "expired":
        fake_vpp.expired.add(fake_vpp.stoken)
    sent = token if token.endswith("=") else None  # revoked and expired: the real one
    with pytest.raises(appsbooks.AppsBooksError) as caught:
        client(fake_vpp, sent).client_config()
    assert caught.value.number == number
    assert caught.value.token_unusable
    assert f"error {number}" in caught.value.message


def test_retry_after_is_kept(fake_vpp: FakeAppsBooks) -> None:
    fake_vpp.fail_next(
        "assets", status=429, number=None, message="Too many requests", retry_after=30
    )
    with pytest.raises(appsbooks.AppsBooksError) as caught:
        list(client(fake_vpp).iter_assets())
    assert caught.value.retry_after == 30
    assert caught.value.retryable
    assert not caught.value.token_unusable


def test_a_timeout_is_a_clear_error(fake_vpp: FakeAppsBooks) -> None:
    fake_vpp.delay = 0.5
    with pytest.raises(appsbooks.AppsBooksError, match="did not answer within 0.2 s"):
        client(fake_vpp, timeout=0.2).client_config()


def test_metadata_names_and_icons(fake_vpp: FakeAppsBooks) -> None:
    c = client(fake_vpp)
    meta = c.app_metadata(c.metadata_lookup_url(), ["361309726"])
    assert meta["361309726"].bundle_id == "com.example.workmail"
    assert meta["361309726"].icon_url.endswith("/icons/361309726.png")


def test_mdm_info_tells_another_mdm() -> None:
    config = appsbooks.ClientConfig("HQ", "1", "theirs", None, "US", "volumestore")
    assert not appsbooks.claims_location(config, "ours")
    assert appsbooks.claims_location(config, "theirs")


def test_an_answer_naming_another_mdm_is_refused(fake_vpp: FakeAppsBooks) -> None:
    fake_vpp.mdm_info = {"id": "theirs", "name": "Other MDM", "metadata": "x"}
    c = client(fake_vpp)
    c.mdm_id = "ours"
    with pytest.raises(appsbooks.AppsBooksError) as caught:
        c.client_config()
    assert caught.value.conflict == "Other MDM"
    c.mdm_id = "theirs"
    assert c.client_config().mdm_id == "theirs"


def test_assignments_are_read_page_by_page(fake_vpp: FakeAppsBooks) -> None:
    fake_vpp.asset("361309726").users |= {"cu-1", "cu-2"}
    fake_vpp.asset("361309726").serials.add("F2LX")
    fake_vpp.asset("408709785").users.add("cu-3")  # another app: not listed
    got = list(client(fake_vpp).iter_assignments("361309726"))
    assert {a.holder for a in got} == {("user", "cu-1"), ("user", "cu-2"), ("device", "F2LX")}
    assert fake_vpp.requests.count("GET assignments") == 2  # two per page in the fake
