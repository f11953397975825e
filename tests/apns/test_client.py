"""The HTTP/2 sender and the outcome rules, without the database."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from apns import client
from tests.apns.conftest import TOPIC, make_push_pem
from tests.apns.fake_apns import FakeAPNs, FakePKI


@pytest.mark.parametrize(
    "status,reason,verdict",
    [
        (200, "", client.Verdict.DELIVERED),
        (410, "Unregistered", client.Verdict.DEAD_TOKEN),
        (410, "ExpiredToken", client.Verdict.DEAD_TOKEN),
        (400, "BadDeviceToken", client.Verdict.DEAD_TOKEN),
        (400, "BadTopic", client.Verdict.FAILED),
        (400, "DeviceTokenNotForTopic", client.Verdict.FAILED),
        (403, "BadCertificate", client.Verdict.CERTIFICATE),
        (403, "BadCertificateEnvironment", client.Verdict.CERTIFICATE),
        (429, "TooManyRequests", client.Verdict.RETRY),
        (500, "InternalServerError", client.Verdict.RETRY),
        (503, "ServiceUnavailable", client.Verdict.RETRY),
        (0, "ConnectionError", client.Verdict.RETRY),
        (-1, "NotSent", client.Verdict.NOT_SENT),
        (413, "PayloadTooLarge", client.Verdict.FAILED),
    ],
)
def test_classify(status: int, reason: str, verdict: client.Verdict) -> None:
    assert client.classify(status, reason) is verdict


def test_payload_is_only_push_magic() -> None:
    assert client.mdm_payload("ABC") == {"mdm": "ABC"}


@pytest.fixture
def fake(apns_pki: FakePKI) -> FakeAPNs:  # type: ignore[misc]
    fake = FakeAPNs(apns_pki)
    fake.start_in_thread()
    yield fake
    fake.stop_thread()


def _config(pki: FakePKI, key: rsa.RSAPrivateKey, port: int, **kw: object) -> client.ApnsConfig:
    cert, key_pem = make_push_pem(pki, key)
    kw.setdefault("ca_file", str(pki.ca_file))
    return client.ApnsConfig(
        identity_pem=cert + key_pem,
        topic=TOPIC,
        host="127.0.0.1",
        port=port,
        **kw,  # type: ignore[arg-type]
    )


def _targets(n: int) -> list[client.PushTarget]:
    return [client.PushTarget(i, f"{i:064x}", f"magic-{i}") for i in range(1, n + 1)]


def test_batch_spreads_over_connections_and_answers_every_target(
    fake: FakeAPNs, apns_pki: FakePKI, push_key: rsa.RSAPrivateKey
) -> None:
    fake.state.script[f"{7:064x}"] = [(410, "Unregistered")]
    fake.state.script[f"{9:064x}"] = [(500, "")]  # an error answer whose body has no reason
    config = _config(apns_pki, push_key, fake.port, streams=40, streams_per_connection=10)
    outcomes = client.AioApnsSender(config).send(_targets(300))
    assert [o.key for o in outcomes] == list(range(1, 301))
    by_key = {o.key: o for o in outcomes}
    assert by_key[7].status == 410 and by_key[7].reason == "Unregistered"
    assert by_key[9].status == 500 and by_key[9].verdict is client.Verdict.RETRY
    assert sum(o.status == 200 for o in outcomes) == 298
    assert all(o.apns_id for o in outcomes)
    assert fake.state.connections >= 4  # 10 streams per connection, 40 in flight
    assert {r.payload["mdm"] for r in fake.state.received} == {f"magic-{i}" for i in range(1, 301)}


def test_error_bodies_do_not_exhaust_the_flow_control_window(
    fake: FakeAPNs, apns_pki: FakePKI, push_key: rsa.RSAPrivateKey
) -> None:
    # ~45 bytes of error body each: 2,000 of them are more than the default 64 KiB window.
    fake.state.default = (410, "Unregistered")
    config = _config(apns_pki, push_key, fake.port, connections=1, streams_per_connection=100)
    outcomes = client.AioApnsSender(config).send(_targets(2000))
    assert len(outcomes) == 2000
    assert all(o.status == 410 for o in outcomes)


def test_batch_time_limit_reports_unanswered_for_retry(
    fake: FakeAPNs, apns_pki: FakePKI, push_key: rsa.RSAPrivateKey
) -> None:
    fake.state.delay = 2.0
    config = _config(apns_pki, push_key, fake.port, timeout_seconds=0.5)
    outcomes = client.AioApnsSender(config).send(_targets(3))
    # The gateway answers after 2 s: without the 0.5 s limit these would be 200s.
    assert [(o.status, o.reason) for o in outcomes] == [(0, "Timeout")] * 3


def test_untrusted_gateway_is_a_connection_error(
    fake: FakeAPNs, apns_pki: FakePKI, push_key: rsa.RSAPrivateKey, tmp_path: object
) -> None:
    from tests.apns.fake_apns import make_pki

    other = make_pki(tmp_path / "other")  # type: ignore[operator]
    config = _config(apns_pki, push_key, fake.port, ca_file=str(other.ca_file))
    (outcome,) = client.AioApnsSender(config).send(_targets(1))
    assert outcome.status == 0 and outcome.verdict is client.Verdict.RETRY
    assert fake.state.received == []


@pytest.mark.parametrize("size", [0, 14, 15, 126, 127, 128, 300, 20000])
def test_hpack_literals_decode(size: int) -> None:
    from hpack import Decoder

    value = b"x" * size
    block = (
        b"\x83\x87"
        + client._never_indexed(4, b"/3/device/ab")
        + client._never_indexed(b"apns-" + b"n" * size, value)
    )
    assert Decoder().decode(block, raw=True) == [
        (b":method", b"POST"),
        (b":scheme", b"https"),
        (b":path", b"/3/device/ab"),
        (b"apns-" + b"n" * size, value),
    ]


def test_apns_ids_are_unique_canonical_uuids() -> None:
    import uuid

    first, second = client._apns_ids(), client._apns_ids()
    ids = [next(first) for _ in range(1000)] + [next(second) for _ in range(1000)]
    assert len(set(ids)) == 2000
    assert all(str(uuid.UUID(i)) == i for i in ids)
