"""Managed Apple ID mapping rules (pure, no database)."""

from __future__ import annotations

import pytest

from directory import mapping


@pytest.mark.parametrize(
    ("pattern", "apple_id"),
    [
        ("{local}@appleid.{domain}", "ann.lee@appleid.example.com"),
        ("{username}@appleid.example.com", "alee@appleid.example.com"),
        ("m.{local}@AppleID.{domain}", "m.ann.lee@appleid.example.com"),
    ],
)
def test_valid_patterns(pattern: str, apple_id: str) -> None:
    """Accepted, and filled as written (Managed Apple IDs compare case-insensitively)."""
    mapping.validate_pattern(pattern)  # raises PatternError when refused
    rendered = mapping.render_pattern(pattern, email="Ann.Lee@Example.com", upn="", username="ALee")
    assert rendered is not None and rendered.lower() == apple_id


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("", "empty"),
        ("{local}@{domain}", "appleid subdomain"),
        ("{local}@example.com", "appleid subdomain"),
        ("fixed@appleid.example.com", "needs a placeholder"),
        ("{first}@appleid.{domain}", "Unknown placeholder {first}"),
        ("{local@appleid.{domain}", "unbalanced"),
        ("{local}}@appleid.{domain}", "unbalanced"),
        ("{local}@@appleid.{domain}", "exactly one @"),
        ("{local}", "exactly one @"),
        ("{local}@appleid.{username}", "Only {domain}"),
        ("{local}@appleid..{domain}", "not a valid domain"),
    ],
)
def test_invalid_patterns(pattern: str, reason: str) -> None:
    with pytest.raises(mapping.PatternError, match=reason.replace("{", r"\{").replace("}", r"\}")):
        mapping.validate_pattern(pattern)


def test_candidates() -> None:
    kwargs = {"pattern": "{local}@appleid.{domain}", "email": "Jo.Smith@Example.com", "upn": ""}
    assert mapping.candidate_apple_id(mapping="email", username="jo", **kwargs) == (
        "jo.smith@example.com"
    )
    assert mapping.candidate_apple_id(mapping="upn", username="jo", **kwargs) is None
    assert mapping.candidate_apple_id(mapping="pattern", username="jo", **kwargs) == (
        "jo.smith@appleid.example.com"
    )
    # No email: the pattern falls back to the UPN; nothing at all gives None.
    assert (
        mapping.candidate_apple_id(
            mapping="pattern",
            pattern="{local}@appleid.{domain}",
            email="",
            upn="jo@corp.example",
            username="jo",
        )
        == "jo@appleid.corp.example"
    )
    assert (
        mapping.candidate_apple_id(
            mapping="pattern", pattern="{local}@appleid.{domain}", email="", upn="", username="jo"
        )
        is None
    )


def test_mask() -> None:
    assert mapping.mask("jane.doe@appleid.example.com") == "j***@appleid.example.com"
    assert mapping.mask(None) == ""
    assert "jane" not in mapping.mask("jane@x.example")


DOMAINS = ["appleid.example.com"]


def test_assign_unique_ids_in_domain() -> None:
    result = mapping.assign(
        candidates={"1": "a@appleid.example.com", "2": "b@appleid.other.com", "3": None},
        current={},
        held_elsewhere=[],
        domains=DOMAINS,
    )
    assert result.assigned == {"1": "a@appleid.example.com", "2": None, "3": None}
    assert "not one of the organisation's" in result.problems["2"]
    assert "no email" in result.problems["3"]
    assert "1" not in result.problems


def test_duplicate_held_elsewhere_is_not_assigned() -> None:
    result = mapping.assign(
        candidates={"1": "a@appleid.example.com"},
        current={},
        held_elsewhere=["A@appleid.example.com"],
        domains=DOMAINS,
    )
    assert result.assigned == {"1": None}
    assert "already used by another account" in result.problems["1"]


def test_duplicates_within_batch_go_to_nobody_unless_one_holds_it() -> None:
    both = {"1": "x@appleid.example.com", "2": "x@appleid.example.com"}
    result = mapping.assign(candidates=both, current={}, held_elsewhere=[], domains=DOMAINS)
    assert result.assigned == {"1": None, "2": None}
    assert set(result.problems) == {"1", "2"}
    result = mapping.assign(
        candidates=both, current={"2": "x@appleid.example.com"}, held_elsewhere=[], domains=DOMAINS
    )
    assert result.assigned == {"1": None, "2": "x@appleid.example.com"}
    assert set(result.problems) == {"1"}


def test_invalid_address_is_reported() -> None:
    result = mapping.assign(
        candidates={"1": "a b@appleid.example.com"}, current={}, held_elsewhere=[], domains=DOMAINS
    )
    assert result.assigned == {"1": None}
    assert "not a valid address" in result.problems["1"]


@pytest.mark.parametrize("bad", ["", "exa mple.com", "-x.com", "com", "a..b.com"])
def test_normalise_domain_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="not a valid domain"):
        mapping.normalise_domain(bad)


def test_normalise_domain() -> None:
    assert mapping.normalise_domain(" AppleID.Example.COM. ") == "appleid.example.com"
