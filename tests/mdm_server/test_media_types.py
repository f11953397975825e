"""Content-Type values compared by type and subtype (mdm_server/media_types.py)."""

from __future__ import annotations

import pytest

from mdm_server import media_types

APPLE = "application/x-apple-aspen-mdm"


@pytest.mark.parametrize(
    "value",
    [
        APPLE,
        "application/x-apple-aspen-mdm; charset=UTF-8",
        "application/x-apple-aspen-mdm;charset=utf-8",
        "Application/X-Apple-Aspen-MDM",
        "  application/x-apple-aspen-mdm  ; charset=UTF-8 ; q=1",
        "APPLICATION/X-APPLE-ASPEN-MDM;",
    ],
)
def test_parameters_case_and_spaces_do_not_change_the_type(value: str) -> None:
    assert media_types.essence(value) == APPLE
    assert media_types.is_one_of(value, APPLE, "application/x-apple-aspen-mdm-checkin")


@pytest.mark.parametrize(
    "value",
    [
        "application/x-apple-aspen-mdm-checkin",
        "application/x-apple-aspen-mdmx",
        "text/plain; x=application/x-apple-aspen-mdm",
        "application/x-apple-aspen",
        "application/xml",
    ],
)
def test_other_types_are_other_types(value: str) -> None:
    assert not media_types.is_one_of(value, APPLE)


@pytest.mark.parametrize("value", [None, "", "   ", " ; charset=UTF-8"])
def test_an_absent_or_empty_header_has_no_type(value: str | None) -> None:
    assert media_types.essence(value) == ""
    assert not media_types.is_one_of(value, APPLE)
