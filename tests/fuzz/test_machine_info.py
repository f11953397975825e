"""Fuzzing MachineInfo, the body of an account-driven enrollment's first POST: mutations of a
signed one, random unsigned plists, at the pure parser and through the enrollment view."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from enrollment import machine_info, services
from tests.fuzz import strategies as fz
from tests.fuzz.conftest import assert_refused_or_served
from tests.simulator import enrollment_flow

SIGNED = enrollment_flow.machine_info_body(enrollment_flow.throwaway_apple_identity())


def _unsigned(fields: dict[str, Any], binary: bool) -> bytes:
    return fz.encode({"PRODUCT": "iPhone17,2", "VERSION": "22C152", **fields}, binary)


BODIES = st.one_of(
    st.builds(lambda steps: (SIGNED, steps), fz.mutations()),
    st.builds(lambda f, b: (_unsigned(f, b), []), fz.message_fields(), st.booleans()),
    st.builds(lambda v, b: (fz.encode(v, b), []), fz.plist_values(), st.booleans()),
)


@given(body=BODIES)
def test_the_parser_raises_only_its_own_error(
    mutate: Callable[[bytes, Any], bytes], body: tuple[bytes, list[tuple[str, int, int]]]
) -> None:
    data = mutate(*body) if body[1] else body[0]
    try:
        info = machine_info.parse_machine_info(data)
    except machine_info.MachineInfoError as exc:
        assert str(exc)
    else:
        # What is kept of it is strict JSON (it goes into a JSONField).
        json.dumps(info.stored(byod=True), allow_nan=False)


@pytest.mark.django_db
@given(body=BODIES, bearer=st.sampled_from([None, "Bearer nope", "Bearer ", "Basic x"]))
def test_the_enrollment_post(
    server_pki: object,
    fuzz_client: Client,
    mutate: Callable[[bytes, Any], bytes],
    body: tuple[bytes, list[tuple[str, int, int]]],
    bearer: str | None,
) -> None:
    config = services.default_configuration()
    data = mutate(*body) if body[1] else body[0]
    headers = {"HTTP_AUTHORIZATION": bearer} if bearer else {}
    response = fuzz_client.post(
        f"/enroll/account/{config.slug}/byod",
        data=data,
        content_type="application/pkcs7-signature",
        **headers,
    )
    # A 401 here is Apple's sign-in challenge: no body, the WWW-Authenticate header says it all.
    if response.status_code == 401:
        assert response["WWW-Authenticate"].startswith("Bearer method=")
    else:
        assert_refused_or_served(response)
