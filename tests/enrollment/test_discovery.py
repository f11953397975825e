"""Service discovery: the pure document builder and the well-known endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from enrollment import discovery, services
from enrollment.models import EnrollmentConfiguration, EnrollmentSettings
from tests.enrollment.conftest import DOMAIN

WELL_KNOWN = "/.well-known/com.apple.remotemanagement"


def test_split_user_identifier_uses_the_last_at() -> None:
    ident = discovery.split_user_identifier('"odd@name"@Example.COM')
    assert ident.local_part == '"odd@name"'
    assert ident.domain == "example.com"
    for bad in ("", "nobody", "a@", "@example.com", "a@localhost"):
        with pytest.raises(discovery.DiscoveryRejected, match="as name@domain"):
            discovery.split_user_identifier(bad)


def test_version_for_family() -> None:
    versions = {"Mac": "mdm-adde", "iPad": "bogus"}
    assert (
        discovery.version_for_family("Mac", family_versions=versions, default_version="mdm-byod")
        == "mdm-adde"
    )
    assert (
        discovery.version_for_family("iPhone", family_versions=versions, default_version="mdm-byod")
        == "mdm-byod"
    )
    assert (
        discovery.version_for_family("iPad", family_versions=versions, default_version="mdm-byod")
        == "mdm-byod"
    )


def test_document_and_failure_body() -> None:
    doc = discovery.build_service_discovery(
        base_url="https://mdm.example.com/x", version="mdm-byod"
    )
    assert doc == {"Servers": [{"Version": "mdm-byod", "BaseURL": "https://mdm.example.com/x"}]}
    with pytest.raises(ValueError, match="Version"):
        discovery.build_service_discovery(base_url="https://x", version="mdm-other")
    body = discovery.build_well_known_failed("Shown", "logged")
    assert body == {
        "code": "com.apple.well-known.failed",
        "description": "logged",
        "message": "Shown",
    }


def test_challenges_use_apples_comma_form_and_round_trip() -> None:
    web = discovery.web_challenge("https://mdm.example.com/auth")
    assert web == 'Bearer method="apple-as-web", url="https://mdm.example.com/auth"'
    assert discovery.parse_challenge(web) == {
        "method": "apple-as-web",
        "url": "https://mdm.example.com/auth",
    }
    oauth = discovery.oauth2_challenge(
        authorization_url="https://a",
        token_url="https://t",
        redirect_url="apple-remotemanagement-user-login:/r",
        client_id="C",
        scope="MDM",
    )
    params = discovery.parse_challenge(oauth)
    assert (
        params["method"] == "apple-oauth2"
        and params["client-id"] == "C"
        and params["scope"] == "MDM"
    )
    assert discovery.parse_challenge('Basic realm="x"') == {}
    assert discovery.parse_challenge('Bearer method=apple-as-web url="u"') == {
        "method": "apple-as-web",
        "url": "u",
    }


def test_redirect_rule_keeps_the_query_string() -> None:
    rules = discovery.redirect_rule(mdm_well_known_url="https://mdm.example.com/enroll/discovery/x")
    assert "$args" in rules["nginx"] and "QSA" in rules["apache"]


@pytest.mark.django_db
def test_well_known_answers_with_json(org: dict[str, Any], client: Any) -> None:
    response = client.get(
        WELL_KNOWN, {"user-identifier": f"alice@{DOMAIN}", "model-family": "iPhone"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    server = response.json()["Servers"][0]
    assert server["Version"] == "mdm-byod"
    assert server["BaseURL"].startswith("http://127.0.0.1:8000/enroll/account/")
    assert server["BaseURL"].endswith("/byod")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("identifier", "fragment"),
    [
        ("alice@unknown.example", "not a domain"),
        ("garbage", "name@domain"),
    ],
)
def test_well_known_refusals(
    org: dict[str, Any], client: Any, identifier: str, fragment: str
) -> None:
    response = client.get(WELL_KNOWN, {"user-identifier": identifier, "model-family": "iPhone"})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "com.apple.well-known.failed"
    assert fragment in body["message"]


@pytest.mark.django_db
def test_a_disabled_account_gets_the_same_answer_as_an_unknown_one(
    org: dict[str, Any], client: Any
) -> None:
    """Discovery is public: it must not tell who has an account here (bob is disabled)."""

    def answer(identifier: str) -> tuple[int, dict[str, str], bytes]:
        response = client.get(WELL_KNOWN, {"user-identifier": identifier, "model-family": "iPhone"})
        return response.status_code, dict(response.headers), response.content

    disabled = answer(f"bob@{DOMAIN}")
    unknown = answer(f"nobody-here@{DOMAIN}")
    assert disabled == unknown
    assert answer(f"BOB@{DOMAIN}") == unknown
    # bob is still refused where it is safe to say so: after his password, at sign-in.


@pytest.mark.django_db
def test_user_enrollment_switched_off(org: dict[str, Any], client: Any) -> None:
    options = EnrollmentSettings.load()
    options.user_enrollment_enabled = False
    options.save()
    response = client.get(
        WELL_KNOWN, {"user-identifier": f"alice@{DOMAIN}", "model-family": "iPhone"}
    )
    assert response.status_code == 403
    assert "switched off" in response.json()["message"]
    # Device Enrollment for Macs is still offered.
    config = services.default_configuration()
    config.family_versions = {"Mac": "mdm-adde"}
    config.save()
    response = client.get(WELL_KNOWN, {"user-identifier": f"alice@{DOMAIN}", "model-family": "Mac"})
    assert response.status_code == 200 and response.json()["Servers"][0]["Version"] == "mdm-adde"


@pytest.mark.django_db
def test_user_outside_the_allowed_groups(org: dict[str, Any], client: Any) -> None:
    config = services.default_configuration()
    config.groups = ["Pilots"]
    config.save()
    response = client.get(
        WELL_KNOWN, {"user-identifier": f"alice@{DOMAIN}", "model-family": "iPhone"}
    )
    assert response.status_code == 403
    assert "not allowed" in response.json()["message"]


@pytest.mark.django_db
def test_redirect_without_query_string_gets_the_default(org: dict[str, Any], client: Any) -> None:
    response = client.get(WELL_KNOWN)
    assert response.status_code == 200
    assert response.json()["Servers"][0]["Version"] == "mdm-byod"


@pytest.mark.django_db
def test_per_configuration_url(org: dict[str, Any], client: Any) -> None:
    macs = EnrollmentConfiguration.objects.create(
        name="Corp Macs", domains=["corp.example.org"], default_version="mdm-adde"
    )
    url = f"/enroll/discovery/{macs.slug}"
    response = client.get(url, {"user-identifier": "x@corp.example.org", "model-family": "Mac"})
    assert response.status_code == 200
    server = response.json()["Servers"][0]
    assert server["Version"] == "mdm-adde" and f"/{macs.slug}/adde" in server["BaseURL"]
    # The main well-known routes that domain to the same configuration.
    main = client.get(WELL_KNOWN, {"user-identifier": "x@corp.example.org", "model-family": "Mac"})
    assert main.json() == response.json()
    # Another domain is not served at this configuration's address.
    other = client.get(url, {"user-identifier": f"alice@{DOMAIN}", "model-family": "Mac"})
    assert other.status_code == 403
    assert client.get("/enroll/discovery/nope").status_code == 404


@pytest.mark.django_db
def test_enroll_post_bad_input(org: dict[str, Any], client: Any) -> None:
    base = services.base_url(services.default_configuration(), "mdm-byod").removeprefix(
        "http://127.0.0.1:8000"
    )
    for body in (b"", b"\x30\x82garbage", b"<plist><dict><key>PRODUCT</key></dict></plist>"):
        response = client.generic("POST", base, body, content_type="application/pkcs7-signature")
        assert response.status_code == 400
    # A well-formed but unsigned body still gets the challenge (Apple's own example is unsigned).
    import plistlib

    plain = plistlib.dumps({"PRODUCT": "iPhone17,2", "VERSION": "22C152"})
    response = client.generic("POST", base, plain, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer method=")
    response = client.generic(
        "POST", base, plain, content_type="application/xml", HTTP_AUTHORIZATION="Bearer nope"
    )
    assert response.status_code == 401 and "WWW-Authenticate" in response
    assert client.generic("POST", base.replace("/byod", "/other"), plain).status_code == 404
    assert client.get(base).status_code == 405
    from enrollment.models import EnrollmentSession

    assert not EnrollmentSession.objects.exists()


@pytest.mark.django_db
def test_machine_info_must_chain_to_the_configured_apple_ca(
    org: dict[str, Any], client: Any
) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding

    from tests.simulator import enrollment_flow as flow

    trusted = flow.throwaway_apple_identity()
    options = EnrollmentSettings.load()
    options.apple_device_ca_pem = trusted.ca.certificate.public_bytes(Encoding.PEM).decode()
    options.save()
    base = services.base_url(services.default_configuration(), "mdm-byod").removeprefix(
        "http://127.0.0.1:8000"
    )
    good = client.generic("POST", base, flow.machine_info_body(trusted))
    assert good.status_code == 401
    stranger = client.generic("POST", base, flow.machine_info_body(flow.throwaway_apple_identity()))
    assert stranger.status_code == 400 and b"trusted Apple device CA" in stranger.content


@pytest.mark.django_db
def test_disabled_domain_is_unknown(org: dict[str, Any], client: Any) -> None:
    from directory.models import ManagedAppleIdDomain

    ManagedAppleIdDomain.objects.filter(domain=DOMAIN).update(enabled=False)
    response = client.get(
        WELL_KNOWN, {"user-identifier": f"alice@{DOMAIN}", "model-family": "iPhone"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "com.apple.well-known.failed"


@pytest.mark.django_db
def test_oauth_bad_requests(org: dict[str, Any], client: Any) -> None:
    config = services.default_configuration()
    authorize = f"/enroll/oauth2/{config.slug}/byod/authorize"
    good = {
        "response_type": "code",
        "client_id": config.oauth_client_id,
        "redirect_uri": services.OAUTH_REDIRECT_URL,
        "state": "s",
    }
    # Not enabled for this configuration yet.
    assert client.get(authorize, good).status_code == 400
    config.sign_in_method = EnrollmentConfiguration.SignIn.OAUTH2
    config.save()
    assert client.get(authorize, good).status_code == 200
    for broken in (
        {"client_id": "x"},
        {"redirect_uri": "https://evil.example/"},
        {"response_type": "token"},
    ):
        response = client.get(authorize, {**good, **broken})
        assert response.status_code == 400
        assert "Location" not in response
    assert client.get(f"/enroll/oauth2/{config.slug}/other/authorize", good).status_code == 404
    token = f"/enroll/oauth2/{config.slug}/token"
    for form in (
        {"grant_type": "password", "client_id": config.oauth_client_id},
        {"grant_type": "authorization_code", "client_id": config.oauth_client_id, "code": "x"},
        {"grant_type": "refresh_token", "client_id": config.oauth_client_id, "refresh_token": "x"},
    ):
        response = client.post(token, form)
        assert response.status_code == 400 and response.json()["error"]
    assert client.get(token).status_code == 405
    assert client.post("/enroll/oauth2/nope/token", {}).status_code == 401


@pytest.mark.django_db
def test_sign_in_page_unknown_addresses(org: dict[str, Any], client: Any) -> None:
    config = services.default_configuration()
    assert client.get(f"/enroll/account/{config.slug}/other/authenticate").status_code == 404
    assert client.get("/enroll/account/nope/byod/authenticate").status_code == 404
    assert (
        client.post("/enroll/account/nope/byod", b"x", content_type="text/plain").status_code == 404
    )


# --- the person's group decides (the portal's priority rules) ---------------------------------


@pytest.mark.parametrize(
    ("family", "group_type", "expected", "by_group"),
    [
        ("iPhone", "device", "mdm-adde", True),
        ("Mac", "user", "mdm-byod", True),  # over the configuration's Mac → mdm-adde
        ("iPad", "", "mdm-byod", False),  # no group setting: the configuration's default
        ("Mac", "", "mdm-adde", False),  # no group setting: the configuration's family choice
        ("AppleTV", "user", "mdm-adde", False),  # a family without User Enrollment
    ],
)
def test_choose_version(family: str, group_type: str, expected: str, by_group: bool) -> None:
    choice = discovery.choose_version(
        family,
        group_type=group_type,
        family_versions={"Mac": "mdm-adde", "AppleTV": "mdm-adde"},
        default_version="mdm-byod",
    )
    assert (choice.version, choice.by_group) == (expected, by_group)
    assert choice.reason


def _group(org: dict[str, Any], enrollment_type: str, ownership: str = "corporate") -> None:
    from directory.models import DirectoryGroup

    group = DirectoryGroup.objects.create(
        name=f"{enrollment_type} devices",
        apple_enrollment_type=enrollment_type,
        default_ownership=ownership,
    )
    org["alice"].groups.add(group)


@pytest.mark.django_db
def test_the_person_s_group_decides_at_discovery(org: dict[str, Any], client: Any) -> None:
    config = services.default_configuration()
    config.family_versions = {"Mac": "mdm-adde"}
    config.save()

    def version(who: str, family: str) -> str:
        response = client.get(WELL_KNOWN, {"user-identifier": who, "model-family": family})
        assert response.status_code == 200
        return str(response.json()["Servers"][0]["Version"])

    _group(org, "device")
    assert version(f"alice@{DOMAIN}", "iPhone") == "mdm-adde"
    assert version(f"carol@{DOMAIN}", "iPhone") == "mdm-byod"  # no group: the configuration's
    org["alice"].groups.clear()
    _group(org, "user", "personal")
    assert version(f"alice@{DOMAIN}", "Mac") == "mdm-byod"
    assert version(f"carol@{DOMAIN}", "Mac") == "mdm-adde"


@pytest.mark.django_db
def test_sign_in_for_another_kind_than_the_group_s_is_refused(
    org: dict[str, Any], transport: Any
) -> None:
    """Discovery answered before the group was set (or before the account was known): the
    sign-in says so, and the next discovery gives the group's kind."""
    from enrollment.models import EnrollmentSession
    from tests.enrollment.conftest import PASSWORD
    from tests.simulator import enrollment_flow as flow

    _group(org, "device")
    url = services.sign_in_url(services.default_configuration(), "mdm-byod")
    with pytest.raises(flow.EnrollmentFlowError) as refused:
        flow.web_sign_in(transport, url, user_identifier=f"alice@{DOMAIN}", password=PASSWORD)
    assert refused.value.status == 403
    assert b"Device Enrollment" in refused.value.body
    assert not EnrollmentSession.objects.exists()
    adde = services.sign_in_url(services.default_configuration(), "mdm-adde")
    assert flow.web_sign_in(transport, adde, user_identifier=f"alice@{DOMAIN}", password=PASSWORD)
    assert EnrollmentSession.objects.get().enrollment_type == "adde"


# --- the person is looked up only when their groups can decide ----------------------------------


def _discovery_statements(client: Any, who: str, family: str = "iPhone") -> tuple[str, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(WELL_KNOWN, {"user-identifier": who, "model-family": family})
    assert response.status_code == 200
    return str(response.json()["Servers"][0]["Version"]), [q["sql"] for q in captured]


def _warm(client: Any) -> None:
    """The first discovery creates the settings and default configuration rows (which replaces
    the generation); the second loads and keeps what discovery reads."""
    for _ in range(2):
        _discovery_statements(client, f"carol@{DOMAIN}")


@pytest.mark.django_db
@pytest.mark.usefixtures("config_generation")
def test_discovery_looks_nobody_up_when_no_group_decides(org: dict[str, Any], client: Any) -> None:
    """No group with an Apple Enrollment Type and no group restriction: everyone gets the
    configuration's answer, without a statement (once the configuration is kept)."""
    from directory.models import DirectoryGroup

    plain = DirectoryGroup.objects.create(name="Staff")  # a group without a type decides nothing
    org["alice"].groups.add(plain)
    _warm(client)
    assert _discovery_statements(client, f"alice@{DOMAIN}") == ("mdm-byod", [])
    assert _discovery_statements(client, f"nobody-here@{DOMAIN}") == ("mdm-byod", [])

    # A configuration restricted to groups needs the person again.
    config = services.default_configuration()
    config.groups = ["Staff"]
    config.save()
    _discovery_statements(client, f"alice@{DOMAIN}")
    version, statements = _discovery_statements(client, f"alice@{DOMAIN}")
    assert version == "mdm-byod"
    assert [s for s in statements if "directory_directoryuser" in s], statements


@pytest.mark.django_db
@pytest.mark.usefixtures("config_generation")
def test_a_group_given_a_type_is_seen_by_the_next_discovery(
    org: dict[str, Any], client: Any
) -> None:
    """What discovery keeps ("no group has a type") is forgotten as soon as a group gets one,
    however it is saved; and a typed group deleted leaves discovery right."""
    from directory import services as directory
    from directory.models import DirectoryGroup

    group = DirectoryGroup.objects.create(name="Staff")
    org["alice"].groups.add(group)
    _warm(client)
    assert _discovery_statements(client, f"alice@{DOMAIN}") == ("mdm-byod", [])  # kept

    # Through the directory's service (the console and the API use it).
    directory.save_group(
        group=group,
        name="Staff",
        apple_enrollment_type="device",
        default_ownership="corporate",
        priority=1,
        actor=None,
    )
    assert _discovery_statements(client, f"alice@{DOMAIN}")[0] == "mdm-adde"
    assert _discovery_statements(client, f"carol@{DOMAIN}")[0] == "mdm-byod"

    group.delete()
    assert _discovery_statements(client, f"alice@{DOMAIN}")[0] == "mdm-byod"
    _discovery_statements(client, f"alice@{DOMAIN}")
    assert _discovery_statements(client, f"alice@{DOMAIN}")[1] == []

    # A plain save (the admin site's, a directory sync's update_or_create) of a typed group.
    other = DirectoryGroup.objects.create(name="Pilots")
    org["alice"].groups.add(other)
    assert _discovery_statements(client, f"alice@{DOMAIN}")[1] == []
    other.apple_enrollment_type = "device"
    other.save(update_fields=["apple_enrollment_type"])
    assert _discovery_statements(client, f"alice@{DOMAIN}")[0] == "mdm-adde"


@pytest.mark.django_db
@pytest.mark.usefixtures("config_generation")
def test_an_answer_is_built_once_per_generation_domain_and_family(
    org: dict[str, Any], client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a group deciding, the answer is kept (config_cache.Derived): the next discovery
    of the same domain and model family, whoever asks, builds nothing; a configuration change
    is seen by the next one."""
    built: list[str] = []
    real = discovery.build_service_discovery

    def counting(**kwargs: Any) -> dict[str, Any]:
        built.append(kwargs["version"])
        return real(**kwargs)

    monkeypatch.setattr(discovery, "build_service_discovery", counting)
    config = services.default_configuration()
    config.family_versions = {"Mac": "mdm-adde"}
    config.save()
    _warm(client)
    built.clear()
    assert _discovery_statements(client, f"alice@{DOMAIN}") == ("mdm-byod", [])
    assert _discovery_statements(client, f"bob@{DOMAIN.upper()}") == ("mdm-byod", [])
    assert built == []  # carol's answer, kept by _warm
    assert _discovery_statements(client, f"alice@{DOMAIN}", family="Mac")[0] == "mdm-adde"
    assert _discovery_statements(client, f"carol@{DOMAIN}", family="Mac")[0] == "mdm-adde"
    assert built == ["mdm-adde"]

    config.family_versions = {"Mac": "mdm-adde", "iPhone": "mdm-adde"}
    config.save()
    assert _discovery_statements(client, f"alice@{DOMAIN}")[0] == "mdm-adde"
    # Refusals are never kept: the setting switched off is seen at once, and switched on again.
    options = EnrollmentSettings.load()
    options.user_enrollment_enabled = False
    options.save()
    refused = client.get(WELL_KNOWN, {"user-identifier": f"alice@{DOMAIN}", "model-family": "Mac"})
    assert refused.status_code == 200  # a Mac: mdm-adde, not User Enrollment
    config.family_versions = {"Mac": "mdm-adde"}
    config.save()
    refused = client.get(WELL_KNOWN, {"user-identifier": f"alice@{DOMAIN}"})
    assert refused.status_code == 403


@pytest.mark.django_db
@pytest.mark.usefixtures("config_generation")
def test_when_groups_decide_the_person_is_read_for_every_discovery(
    org: dict[str, Any], client: Any
) -> None:
    """A person's groups are not configuration: with a typed group, nothing is kept, and a
    person added to the group (a change the configuration cache does not watch) is seen."""
    from directory.models import DirectoryGroup

    group = DirectoryGroup.objects.create(name="Macs", apple_enrollment_type="device")
    _warm(client)
    assert _discovery_statements(client, f"alice@{DOMAIN}")[0] == "mdm-byod"
    org["alice"].groups.add(group)
    version, statements = _discovery_statements(client, f"alice@{DOMAIN}")
    assert version == "mdm-adde"
    assert [s for s in statements if "directory_directoryuser" in s], statements


@pytest.mark.django_db
def test_the_apple_ca_parsed_once_follows_the_setting(org: dict[str, Any], client: Any) -> None:
    """The configured CA is parsed once per PEM text: a new CA applies at once, and a broken
    one is refused every time."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from tests.simulator import enrollment_flow as flow

    first, second = flow.throwaway_apple_identity(), flow.throwaway_apple_identity()
    base = services.base_url(services.default_configuration(), "mdm-byod").removeprefix(
        "http://127.0.0.1:8000"
    )
    options = EnrollmentSettings.load()
    statuses = []
    for trusted in (first, second, first):
        options.apple_device_ca_pem = trusted.ca.certificate.public_bytes(Encoding.PEM).decode()
        options.save()
        statuses.append(
            [
                client.generic("POST", base, flow.machine_info_body(device)).status_code
                for device in (first, second)
            ]
        )
    assert statuses == [[401, 400], [400, 401], [401, 400]]
    options.apple_device_ca_pem = "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----"
    options.save()
    for _ in range(2):
        response = client.generic("POST", base, flow.machine_info_body(first))
        assert response.status_code == 403 and b"Apple device CA setting" in response.content


@pytest.mark.django_db
@pytest.mark.usefixtures("config_generation")
def test_a_model_family_or_domain_longer_than_any_real_one_is_answered_but_not_kept(
    org: dict[str, Any], client: Any
) -> None:
    """The kept answers are keyed by what the request names: 256 keys of a 400 kB model family
    each were kept for a minute, 100 MB a process."""
    from enrollment.services import core

    _warm(client)
    long_family = "x" * 10_000
    answer = client.get(
        WELL_KNOWN, {"user-identifier": f"alice@{DOMAIN}", "model-family": long_family}
    )
    assert answer.status_code == 200
    kept = core._DISCOVERIES._kept[2]
    assert kept and all(len(key[1]) <= 32 for key in kept), [len(k[1]) for k in kept]
    assert client.get(WELL_KNOWN, {"user-identifier": f"alice@{DOMAIN}", "model-family": "Mac"})
    assert any(key[1] == "Mac" for key in core._DISCOVERIES._kept[2])
