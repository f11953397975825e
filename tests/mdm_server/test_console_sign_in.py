"""Console sign-in: throttling and lockout (per account, per address), the forced change of a
one-time password, changing one's password, and the TOTP second factor.

TOTP codes come from a small RFC 6238 implementation in this file (an independent oracle), never
from the server's own code.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import struct
import time
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from mdm_server import accounts, api_tokens

pytestmark = pytest.mark.django_db
LIMIT = settings.AXES_FAILURE_LIMIT


def _sign_in(client: Client, username: str, password: str, ip: str = "192.0.2.1") -> Any:
    return client.post(
        "/console/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


# --- throttling and lockout -----------------------------------------------------------------------


def test_an_account_is_locked_after_repeated_failures_from_any_address(admin_user: User) -> None:
    client = Client()
    spellings = [admin_user.username, admin_user.username.upper(), f" {admin_user.username} "]
    for n in range(LIMIT - 1):
        response = _sign_in(client, spellings[n % 3], "wrong", ip=f"192.0.2.{10 + n}")
        assert response.status_code == 200  # the form again, with its error
    # The LIMIT-th failure starts the pause.
    assert _sign_in(client, spellings[0], "wrong", ip="192.0.2.99").status_code == 429
    # Even the right password, from yet another address, is refused while the pause lasts.
    before = time.time()
    locked = _sign_in(client, admin_user.username, "pw-alice-admin", ip="198.51.100.7")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Try again after" in page
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"in {minutes} minutes" in page
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    shown = re.search(r"Try again after (\d\d):(\d\d)", page)
    assert shown is not None
    expected = {
        time.strftime("%H:%M", time.gmtime(t + settings.AXES_COOLOFF_TIME.total_seconds()))
        for t in (before, time.time())
    }
    assert f"{shown[1]}:{shown[2]}" in expected
    assert "_auth_user_id" not in client.session
    from mdm_server.models import AuditEvent

    paused = AuditEvent.objects.filter(action="console.sign_in_paused")
    assert paused.count() == 2  # the attempt that started the pause, and the one during it
    assert {e.details["address"] for e in paused} == {"192.0.2.99", "198.51.100.7"}
    assert {e.details["username"] for e in paused} == {admin_user.username}


def test_an_address_is_locked_after_failures_for_many_accounts(
    admin_user: User, helpdesk_user: User
) -> None:
    client = Client()
    for n in range(LIMIT - 1):
        assert _sign_in(client, f"nobody-{n}", "guess", ip="203.0.113.9").status_code == 200
    assert _sign_in(client, "nobody-else", "guess", ip="203.0.113.9").status_code == 429
    assert _sign_in(client, admin_user.username, "pw-alice-admin", "203.0.113.9").status_code == 429
    # Devices at that address are not affected: the device protocol has no password sign-in.
    caps = client.get("/scep", {"operation": "GetCACaps"}, REMOTE_ADDR="203.0.113.9")
    assert caps.status_code == 200 and b"SCEPStandard" in caps.content
    # The same account from elsewhere is not affected: it was the address that guessed.
    other = Client()
    assert _sign_in(other, admin_user.username, "pw-alice-admin", "203.0.113.10").status_code == 302


def test_a_success_clears_the_accounts_failures(admin_user: User) -> None:
    client = Client()
    for _ in range(LIMIT - 1):
        _sign_in(client, admin_user.username, "wrong", ip="192.0.2.50")
    assert (
        _sign_in(client, admin_user.username, "pw-alice-admin", ip="192.0.2.50").status_code == 302
    )
    client.logout()
    for _ in range(LIMIT - 1):
        _sign_in(client, admin_user.username, "wrong", ip="192.0.2.51")
    assert (
        _sign_in(client, admin_user.username, "pw-alice-admin", ip="192.0.2.51").status_code == 302
    )


def test_api_tokens_are_neither_counted_nor_locked(admin_user: User) -> None:
    from axes.models import AccessAttempt

    key = api_tokens.create_api_token(user=admin_user, actor=None).key
    api = APIClient(REMOTE_ADDR="192.0.2.99")
    api.credentials(HTTP_AUTHORIZATION="Token wrong-key")
    for _ in range(LIMIT + 2):
        assert api.get("/api/v1/devices/").status_code == 401
    assert not AccessAttempt.objects.exists()
    for _ in range(LIMIT):
        _sign_in(Client(), admin_user.username, "wrong", ip="192.0.2.99")
    # The console account is paused; the API token is a separate credential and keeps working.
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/devices/").status_code == 200


def test_a_trusted_proxys_forwarded_address_is_the_one_counted(admin_user: User) -> None:
    client = Client()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(settings, "MDM_TRUSTED_PROXIES", ["10.0.0.2/32"])
        for n in range(LIMIT):
            client.post(
                "/console/login/",
                {"username": f"x{n}", "password": "guess"},
                REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_FOR="203.0.113.66",
            )
        locked = client.post(
            "/console/login/",
            {"username": admin_user.username, "password": "pw-alice-admin"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        )
        assert locked.status_code == 429
        # Another person behind the same proxy still signs in.
        ok = client.post(
            "/console/login/",
            {"username": admin_user.username, "password": "pw-alice-admin"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.67",
        )
        assert ok.status_code == 302


# --- forced password change, and changing one's password -----------------------------------------


def test_the_first_admins_one_time_password_must_be_changed(
    server_pki: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("setup", "--skip-migrate")
    out = capsys.readouterr().out
    one_time = re.search(r"the first sign-in\): (\S+)", out)
    assert one_time is not None
    client = Client()
    assert _sign_in(client, settings.MDM_ADMIN_USERNAME, one_time[1]).status_code == 302
    # Every console page, the admin site and the session API lead to the password page first.
    for url in ("/console/", "/console/devices/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/console/account/password/"), url
    api = client.get("/api/v1/devices/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "sign_in_incomplete"
    page = client.get("/console/account/password/")
    assert page.status_code == 200 and 'id="password-forced"' in page.content.decode()

    weak = client.post(
        "/console/account/password/",
        {"old_password": one_time[1], "new_password1": "short", "new_password2": "short"},
    )
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    assert client.get("/console/").status_code == 302  # still not changed
    new = "a new pass phrase 42"
    done = client.post(
        "/console/account/password/",
        {
            "old_password": one_time[1],
            "new_password1": new,
            "new_password2": new,
            "next": "/console/",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/console/"
    assert client.get("/console/").status_code == 200  # the session survives the change
    client.logout()
    assert _sign_in(client, settings.MDM_ADMIN_USERNAME, one_time[1]).status_code == 200
    assert _sign_in(client, settings.MDM_ADMIN_USERNAME, new).status_code == 302


def test_any_console_user_can_change_their_password(helpdesk_user: User) -> None:
    client = Client()
    _sign_in(client, helpdesk_user.username, "pw-harry-helpdesk")
    assert client.get("/console/").status_code == 200  # no forced change for this account
    wrong = client.post(
        "/console/account/password/",
        {
            "old_password": "nope",
            "new_password1": "x-y-z-1-2-3-4",
            "new_password2": "x-y-z-1-2-3-4",
        },
    )
    assert wrong.status_code == 400
    ok = client.post(
        "/console/account/password/",
        {
            "old_password": "pw-harry-helpdesk",
            "new_password1": "x-y-z-1-2-3-4",
            "new_password2": "x-y-z-1-2-3-4",
            "next": "https://evil.example/",
        },
    )
    assert ok.status_code == 302 and ok["Location"] == "/console/"  # no open redirect
    helpdesk_user.refresh_from_db()
    assert helpdesk_user.check_password("x-y-z-1-2-3-4")


@pytest.mark.parametrize("target", ["x", "console-dashboard", "1e5", "devices/", "./x"])
def test_a_next_that_is_not_a_path_on_this_site_goes_to_the_dashboard(
    helpdesk_user: User, target: str
) -> None:
    """`redirect()` takes a word without '/' or '.' for a URL name: `?next=x` was a
    NoReverseMatch (500); a relative path would be resolved against the page's own URL."""
    client = Client()
    _sign_in(client, helpdesk_user.username, "pw-harry-helpdesk")
    # No second factor: the verify step sends the user straight on.
    response = client.get("/console/account/verify/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/console/"
    changed = client.post(
        "/console/account/password/",
        {
            "old_password": "pw-harry-helpdesk",
            "new_password1": "x-y-z-1-2-3-4",
            "new_password2": "x-y-z-1-2-3-4",
            "next": target,
        },
    )
    assert changed.status_code == 302
    assert changed["Location"] == "/console/"


# --- TOTP -------------------------------------------------------------------------------------------


def rfc6238(key: bytes, at: float, step: int = 30, digits: int = 6) -> str:
    """TOTP (RFC 6238 over RFC 4226 HOTP with HMAC-SHA-1), written out here as the oracle."""
    counter = struct.pack(">Q", int(at // step))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def test_rfc6238_oracle_matches_the_rfcs_test_vector() -> None:
    # RFC 6238 appendix B, SHA-1, T = 59 s, 8 digits.
    assert rfc6238(b"12345678901234567890", 59, digits=8) == "94287082"


def _enroll_totp(client: Client) -> bytes:
    client.post("/console/account/two-factor/", {"action": "start"})
    page = client.get("/console/account/two-factor/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7=]+)<', page)
    uri = re.search(r'id="totp-uri">(otpauth://totp/[^<]+)<', page)
    assert secret is not None and uri is not None
    assert re.search(r'<div id="totp-qr"><svg [^>]*class="segno"><path ', page)  # the QR code
    from base64 import b32decode

    key = b32decode(secret[1])
    done = client.post(
        "/console/account/two-factor/", {"action": "confirm", "token": rfc6238(key, time.time())}
    )
    assert done.status_code == 302
    return key


def wrong_code(key: bytes) -> str:
    """A 6-digit code no step near now produces."""
    near = {rfc6238(key, time.time() + d * 30) for d in range(-3, 4)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def test_a_user_with_an_authenticator_must_enter_a_code_at_sign_in(admin_user: User) -> None:
    client = Client()
    _sign_in(client, admin_user.username, "pw-alice-admin")
    key = _enroll_totp(client)
    client.logout()

    assert _sign_in(client, admin_user.username, "pw-alice-admin").status_code == 302
    gated = client.get("/console/devices/?status=enrolled&platform=iOS")
    assert gated.status_code == 302
    assert gated["Location"] == (
        "/console/account/verify/?next=%2Fconsole%2Fdevices%2F%3Fstatus%3Denrolled%26platform%3DiOS"
    )
    assert client.get("/api/v1/devices/").status_code == 403
    # The code used to confirm the app cannot be replayed: the next step's code is needed.
    ok = client.post(
        "/console/account/verify/",
        {"token": rfc6238(key, time.time() + 30), "next": "/console/devices/"},
    )
    assert ok.status_code == 302 and ok["Location"] == "/console/devices/"
    assert client.get("/console/devices/").status_code == 200
    assert client.get("/api/v1/devices/").status_code == 200

    # A wrong code keeps the gate shut, and django-otp then pauses the device briefly: the
    # next attempt is refused at once, with a message that says so.
    other = Client()
    _sign_in(other, admin_user.username, "pw-alice-admin")
    bad = other.post("/console/account/verify/", {"token": wrong_code(key)})
    assert bad.status_code == 400 and "not right" in bad.content.decode()
    assert other.get("/console/").status_code == 302
    paused = other.post("/console/account/verify/", {"token": rfc6238(key, time.time() + 60)})
    assert paused.status_code == 400 and "wait a few seconds" in paused.content.decode()


def test_requiring_a_second_factor_sends_users_without_one_to_set_it_up(
    admin_client: Client, helpdesk_user: User
) -> None:
    helpdesk = Client()
    _sign_in(helpdesk, helpdesk_user.username, "pw-harry-helpdesk")
    assert helpdesk.get("/console/").status_code == 200
    assert (
        helpdesk.post("/console/settings/security/", {"require_second_factor": "on"}).status_code
        == 403
    )
    assert not accounts.second_factor_required()

    # The administrator turning it on must set up their own app first, like everybody.
    assert (
        admin_client.post(
            "/console/settings/security/", {"require_second_factor": "on"}
        ).status_code
        == 302
    )
    assert accounts.second_factor_required()
    gated = helpdesk.get("/console/")
    assert gated.status_code == 302 and gated["Location"].startswith("/console/account/two-factor/")
    assert (
        'id="two-factor-required"' in helpdesk.get("/console/account/two-factor/").content.decode()
    )
    _enroll_totp(helpdesk)
    assert helpdesk.get("/console/").status_code == 200
    # Removing the only factor is refused while it is required.
    helpdesk.post("/console/account/two-factor/", {"action": "remove"})
    assert accounts.confirmed_totp(helpdesk_user) is not None


def test_two_factor_pages_refuse_bad_input(admin_client: Client) -> None:
    assert admin_client.post("/console/account/two-factor/", {"action": "bogus"}).status_code == 400
    no_setup = admin_client.post(
        "/console/account/two-factor/", {"action": "confirm", "token": "123456"}
    )
    assert no_setup.status_code == 400 and "no set-up is in progress" in no_setup.content.decode()
    admin_client.post("/console/account/two-factor/", {"action": "start"})
    letters = admin_client.post(
        "/console/account/two-factor/", {"action": "confirm", "token": "abc"}
    )
    assert letters.status_code == 400 and "6-digit" in letters.content.decode()


def test_a_password_alone_cannot_replace_or_remove_the_authenticator(admin_user: User) -> None:
    """Someone with only the password must not swap in their own app (or drop the owner's)."""
    owner = Client()
    _sign_in(owner, admin_user.username, "pw-alice-admin")
    key = _enroll_totp(owner)

    thief = Client()
    _sign_in(thief, admin_user.username, "pw-alice-admin")
    for url in ("/console/account/two-factor/", "/console/account/password/"):
        response = thief.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/console/account/verify/"), url
    thief.post("/console/account/two-factor/", {"action": "start"})
    thief.post("/console/account/two-factor/", {"action": "remove"})
    assert accounts.pending_totp(admin_user) is None
    device = accounts.confirmed_totp(admin_user)
    assert device is not None and bytes(device.bin_key) == key
    changed = thief.post(
        "/console/account/password/",
        {
            "old_password": "pw-alice-admin",
            "new_password1": "t-h-i-e-f-1",
            "new_password2": "t-h-i-e-f-1",
        },
    )
    assert changed.status_code == 302 and "/verify/" in changed["Location"]
    admin_user.refresh_from_db()
    assert admin_user.check_password("pw-alice-admin")
    assert thief.get("/console/").status_code == 302
