"""The takeover rules (devices.binding), without a database: each fact changes the answer."""

from __future__ import annotations

from dataclasses import replace

import pytest

from devices import binding
from devices.binding import Certificate, Channel

ALICE, CAROL = 1, 2
PINNED = "a" * 64
OTHER = "b" * 64
SESSION = "5e55" * 8

# Alice's enrolled channel, pinned to the certificate of her enrollment session.
CHANNEL = Channel(
    pinned=PINNED,
    checked_out=False,
    person=ALICE,
    references=frozenset({SESSION, binding.grant_reference("pub-1")}),
)


def test_a_free_certificate_opens_a_new_channel() -> None:
    assert binding.refusal(None, Certificate(fingerprint=OTHER)) is None
    assert binding.refusal(None, Certificate(fingerprint=OTHER, reference="s2")) is None


@pytest.mark.parametrize(
    ("certificate", "reason"),
    [
        (Certificate(fingerprint=OTHER, revoked=True), "revoked"),
        (Certificate(fingerprint=OTHER, held_elsewhere=True), "belongs to another enrollment"),
        (Certificate(fingerprint=OTHER, reference="s2", session_revoked=True), "was revoked"),
    ],
)
def test_a_certificate_that_is_not_free_opens_nothing(
    certificate: Certificate, reason: str
) -> None:
    for channel in (None, CHANNEL, replace(CHANNEL, checked_out=True)):
        refusal = binding.refusal(channel, certificate)
        assert refusal is not None and reason in refusal


def test_the_pinned_certificate_authenticates_again_until_checked_out() -> None:
    assert binding.refusal(CHANNEL, Certificate(fingerprint=PINNED, reference=SESSION)) is None
    refusal = binding.refusal(
        replace(CHANNEL, checked_out=True), Certificate(fingerprint=PINNED, reference=SESSION)
    )
    assert refusal is not None and "checked out" in refusal


@pytest.mark.parametrize(
    "certificate",
    [
        Certificate(fingerprint=OTHER),  # no issuance record (another CA, or made by hand)
        Certificate(fingerprint=OTHER, reference="manual-challenge"),
        Certificate(fingerprint=OTHER, reference="s2", session_person=CAROL),
        Certificate(fingerprint=OTHER, reference="s2", session_person=None),
        Certificate(fingerprint=OTHER, reference=binding.grant_reference("pub-2")),
    ],
)
def test_another_certificate_never_takes_an_enrolled_channel(certificate: Certificate) -> None:
    assert binding.refusal(CHANNEL, certificate) == binding.HELD
    # ...but may enroll it once it was checked out (reset, handed over, unenrolled by an admin),
    # except a certificate of an administrator's grant for another channel (that one only).
    expected = binding.TAKEN if certificate.reference.startswith(binding.GRANT_PREFIX) else None
    assert binding.refusal(replace(CHANNEL, checked_out=True), certificate) == expected


@pytest.mark.parametrize(
    "certificate",
    [
        Certificate(fingerprint=OTHER, reference=SESSION),  # a renewal in the same session
        Certificate(fingerprint=OTHER, reference=binding.grant_reference("pub-1")),  # admin
        Certificate(fingerprint=OTHER, reference="s2", session_person=ALICE),  # fresh sign-in
    ],
)
def test_a_new_enrollment_of_the_same_channel_replaces_the_pin(certificate: Certificate) -> None:
    assert binding.refusal(CHANNEL, certificate) is None


def test_a_channel_without_a_person_matches_no_session_person() -> None:
    nobody = replace(CHANNEL, person=None)
    certificate = Certificate(fingerprint=OTHER, reference="s2", session_person=None)
    assert binding.refusal(nobody, certificate) == binding.HELD


def test_a_grant_certificate_is_for_its_own_channel_only() -> None:
    granted = Certificate(fingerprint=OTHER, reference=binding.grant_reference("pub-1"))
    assert binding.refusal(CHANNEL, granted) is None
    assert binding.refusal(None, granted) == binding.TAKEN
    released = replace(CHANNEL, checked_out=True, references=frozenset({"s9"}))
    assert binding.refusal(released, granted) == binding.TAKEN


@pytest.mark.parametrize(
    ("session_type", "sends_enrollment_id", "refused"),
    [
        ("user", True, False),
        ("user", False, True),  # a User Enrollment's identity naming itself by UDID
        ("device", False, False),
        ("device", True, True),
        ("adde", False, False),
        ("adde", True, True),
        ("ade", False, False),
        ("", False, False),  # no session: the identifiers decide
        ("", True, False),
    ],
)
def test_a_sessions_certificate_enrolls_the_sessions_kind_only(
    session_type: str, sends_enrollment_id: bool, refused: bool
) -> None:
    reason = binding.kind_refusal(session_type, sends_enrollment_id=sends_enrollment_id)
    assert (reason is not None) == refused


def test_an_identity_apple_vouched_for_takes_its_udid_from_an_unvouched_enrollment() -> None:
    vouched = Certificate(fingerprint=OTHER, reference="ade-1", vouched=True)
    assert binding.refusal(CHANNEL, vouched) is None
    assert binding.takes_over(CHANNEL, vouched)
    # Not from a channel Apple vouched for too, nor by an identity nobody vouched for.
    assert binding.refusal(replace(CHANNEL, vouched=True), vouched) == binding.HELD
    assert not binding.takes_over(replace(CHANNEL, vouched=True), vouched)
    assert binding.refusal(CHANNEL, replace(vouched, vouched=False)) == binding.HELD
    assert not binding.takes_over(CHANNEL, replace(vouched, vouched=False))
    # Its own channel again (the same reference), or its own pin: no takeover.
    own = replace(CHANNEL, references=frozenset({"ade-1"}))
    assert binding.refusal(own, vouched) is None and not binding.takes_over(own, vouched)
    # A released channel another enrollment opened under the UDID: taken likewise.
    released = replace(CHANNEL, checked_out=True)
    assert binding.refusal(released, vouched) is None
    assert binding.takes_over(released, vouched)
    assert not binding.takes_over(replace(released, vouched=True), vouched)
    assert not binding.takes_over(replace(CHANNEL, pinned=OTHER), vouched)
    # What refuses any certificate still refuses a vouched one.
    assert binding.refusal(CHANNEL, replace(vouched, revoked=True)) is not None
    assert binding.refusal(CHANNEL, replace(vouched, held_elsewhere=True)) == binding.TAKEN


def test_an_identity_apple_vouched_for_names_only_its_own_udid() -> None:
    assert binding.vouch_refusal("UDID-1", "UDID-1") is None
    assert binding.vouch_refusal("", "UDID-2") is None  # nobody vouched: the device's word
    assert binding.vouch_refusal("UDID-1", "UDID-2") is not None
    assert binding.vouch_refusal("UDID-1", None) is not None
