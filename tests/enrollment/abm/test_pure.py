"""The pure ABM modules, without a database: token parsing, device records, profile bodies,
Apple's error bodies and the maid JWT."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from cryptography import x509

from enrollment.abm import client, protocol, token


def test_token_message_is_read_from_the_mime_text() -> None:
    text = (
        b"Content-Type: text/plain;charset=UTF-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
        b'-----BEGIN MESSAGE-----\n{"consumer_key":"CK_1","consumer_secret":"CS_1",'
        b'"access_token":"AT_1","access_secret":"AS_1",'
        b'"access_token_expiry":"2027-06-17T17:19:43Z"}\n-----END MESSAGE-----\n'
    )
    parsed = token.parse_token_message(text)
    assert (parsed.consumer_key, parsed.access_secret) == ("CK_1", "AS_1")
    assert parsed.access_token_expiry == dt.datetime(2027, 6, 17, 17, 19, 43, tzinfo=dt.UTC)
    assert token.ServerToken.from_json(parsed.to_json()) == parsed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not the JSON"),
        (b"[1]", "not a JSON object"),
        (b'{"consumer_key": "CK"}', "lacks consumer_secret, access_token, access_secret"),
        (
            b'{"consumer_key":"a","consumer_secret":"b","access_token":"c","access_secret":"d",'
            b'"access_token_expiry":"soon"}',
            "access_token_expiry",
        ),
    ],
)
def test_bad_token_contents_are_named(body: bytes, message: str) -> None:
    with pytest.raises(token.ServerTokenError, match=message):
        token.parse_token_message(body)


def test_empty_and_huge_files_are_refused() -> None:
    identity = token.new_link_identity(name="t")
    with pytest.raises(token.ServerTokenError, match="empty"):
        token.decrypt_server_token(b"  ", identity)
    with pytest.raises(token.ServerTokenError, match="too large"):
        token.decrypt_server_token(b"x" * (token.MAX_TOKEN_FILE + 1), identity)


def test_maid_jwt_has_apples_claims_and_the_links_signature() -> None:
    identity = token.new_link_identity(name="t")
    now = dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC)
    value = token.maid_token(key_pem=identity.key_pem, server_uuid="S-1", now=now, jti="J-1")
    public = x509.load_pem_x509_certificate(identity.certificate_pem).public_key()
    claims = jwt.decode(value, public, algorithms=["RS256"])
    assert claims == {
        "iss": "S-1",
        "iat": int(now.timestamp()),
        "jti": "J-1",
        "service_type": "com.apple.maid",
    }
    assert jwt.get_unverified_header(value)["alg"] == "RS256"
    with pytest.raises(token.ServerTokenError, match="server_uuid"):
        token.maid_token(key_pem=identity.key_pem, server_uuid="")


def test_device_records_are_normalised() -> None:
    record = protocol.parse_device(
        {
            "serial_number": " c02zz1cccccc ",
            "model": "MacBook Air",
            "op_type": "Deleted",
            "op_date": "2026-12-06T10:00:00Z",
            "profile_assign_time": "garbage",
            "device_assigned_date": "2026-11-20T09:30:00Z",
        }
    )
    assert record is not None and record.serial_number == "C02ZZ1CCCCCC"
    assert record.op_type == "deleted" and record.profile_assign_time is None
    assert record.device_assigned_date == dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    assert protocol.parse_device({"model": "no serial"}) is None
    assert protocol.parse_device({"serial_number": "X", "op_type": "exploded"}).op_type == ""  # type: ignore[union-attr]


def test_profile_body_uses_apples_keys() -> None:
    body = protocol.build_profile(
        protocol.ProfileOptions(
            name="Company",
            url="https://mdm.example.com/enroll/ade/1",
            skip_setup_items=("Siri", "Siri", "AppleID"),
            department="IT",
            language="fr",
            region="FR",
        )
    )
    assert body["profile_name"] == "Company" and body["skip_setup_items"] == ["AppleID", "Siri"]
    assert body["is_supervised"] and body["await_device_configured"]
    assert body["language"] == "fr" and "support_phone_number" not in body
    with pytest.raises(protocol.ProfileError, match="PEM"):
        protocol.build_profile(
            protocol.ProfileOptions(name="x", url="https://x", anchor_certs_pem="nope")
        )
    with pytest.raises(protocol.ProfileError, match="https"):
        protocol.build_profile(protocol.ProfileOptions(name="x", url="http://x"))


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"code": "T_C_NOT_SIGNED"}', "T_C_NOT_SIGNED"),
        (b"EXPIRED_CURSOR", "EXPIRED_CURSOR"),
        (b"<html>proxy error</html>", ""),
    ],
)
def test_apple_error_bodies(body: bytes, code: str) -> None:
    assert client._error_code(body)[0] == code


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120), (" 7 ", 7), ("999999", 86400), ("\u00b2", None), ("-1", None), ("", None)],
)
def test_retry_after_is_a_number_of_seconds_in_ascii_digits(
    header: str, seconds: int | None
) -> None:
    """'²'.isdigit() is true, yet int('²') was a ValueError in the middle of an ABM call."""
    assert client._retry_after(header) == seconds
