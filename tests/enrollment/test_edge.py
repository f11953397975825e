"""The WSGI edge (mdm_server/edge.py) answers what Django answers, byte for byte.

Each request goes once through the edge in front of Django's WSGI handler and once through
Django's handler alone, from the same environ; status line, headers (in order, cookies
included) and body must be equal, and the edge must have answered (Django's handler not called)
or handed the request over (called), as each case says. Expires (the second of the answer) and
the CSRF secret and mask (random) are fixed for the comparison.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import OperationalError
from django.test import override_settings

from enrollment import services
from mdm_server.edge import Edge
from mdm_server.pki import services as pki
from tests.simulator import enrollment_flow as flow

# Django's WSGI handler ends each request with close_old_connections, which closes a connection
# left inside a transaction: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)

Answer = tuple[str, list[tuple[str, str]], bytes]
WELL_KNOWN = "/.well-known/com.apple.remotemanagement"
HOST = "testserver"


class CountingApp:
    """Django's WSGI handler, counting the requests handed to it."""

    def __init__(self) -> None:
        self.django = get_wsgi_application()
        self.calls = 0

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        self.calls += 1
        return self.django(environ, start_response)


def _environ(
    method: str, path: str, query: str = "", body: bytes = b"", **headers: str
) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": HOST,
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": HOST,
        "HTTP_USER_AGENT": flow.USER_AGENT,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body or method == "POST":
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in headers.items():
        environ[name] = value
    environ["_body"] = body
    return environ


def _call(app: Any, environ: dict[str, Any]) -> Answer:
    environ = dict(environ)
    environ["wsgi.input"] = io.BytesIO(environ.pop("_body"))
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        started[:] = [status, headers]

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return started[0], list(started[1]), body


@pytest.fixture
def fixed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same Expires (the answer's and the CSRF cookie's) and CSRF secrets on both paths."""
    for module in ("mdm_server.cache_control", "django.http.response"):
        monkeypatch.setattr(f"{module}.http_date", lambda *a: "Mon, 07 Dec 2026 20:00:00 GMT")
    monkeypatch.setattr("django.middleware.csrf._get_new_csrf_string", lambda: "s" * 32)


def _both(environ: dict[str, Any], *, answered: bool) -> Answer:
    """The edge's answer, after checking it is Django's and who gave it."""
    django_app = CountingApp()
    edge = Edge(django_app)
    via_edge = _call(edge, environ)
    assert django_app.calls == (0 if answered else 1), (
        "answered at the edge" if not answered else "handed over"
    )
    via_django = _call(CountingApp().django, environ)
    assert via_edge == via_django
    return via_edge


@pytest.fixture
def slug(org: dict[str, Any]) -> str:
    return services.default_configuration().slug


def _identifier() -> str:
    return "alice@example.com"


# --- service discovery -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        urlencode({"user-identifier": "alice@example.com", "model-family": "iPhone"}),
        urlencode({"user-identifier": "alice@example.com", "model-family": "Mac"}),
        urlencode({"user-identifier": "ALICE@Example.com"}),
        "",  # a redirect that dropped the query string: the default configuration
        "user-identifier=x&user-identifier=alice%40example.com&extra=1",  # the last one counts
    ],
)
def test_discovery_is_answered_at_the_edge_as_django_answers_it(
    org: dict[str, Any], fixed: None, query: str
) -> None:
    status, headers, body = _both(_environ("GET", WELL_KNOWN, query), answered=True)
    assert status == "200 OK"
    names = [name for name, _ in headers]
    assert names == [
        "Content-Type",
        "Cache-Control",
        "X-Frame-Options",
        "Content-Length",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
    ]
    assert b'"BaseURL"' in body


def _logged(app: Any, environ: dict[str, Any]) -> tuple[Answer, list[tuple[str, str, str]]]:
    """The answer and the log records of one request (INFO and up, every logger)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    # Attached after the WSGI handler was made: django.setup() configures logging anew.
    root = logging.getLogger()
    handler, level = Keep(logging.INFO), root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        answer = _call(app, environ)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    return answer, [(r.name, r.levelname, r.getMessage()) for r in records]


def test_a_refused_discovery_is_answered_and_logged_as_django_does(
    org: dict[str, Any], fixed: None
) -> None:
    environ = _environ("GET", WELL_KNOWN, urlencode({"user-identifier": "m@elsewhere.example"}))
    django_app = CountingApp()
    (status, _, _), edge_lines = _logged(Edge(django_app), environ)
    assert django_app.calls == 0
    _, django_lines = _logged(CountingApp().django, environ)
    assert status == "403 Forbidden"
    assert edge_lines == django_lines
    assert edge_lines == [
        ("enrollment.views", "INFO", "service discovery refused: unknown domain elsewhere.example"),
        ("django.request", "WARNING", f"Forbidden: {WELL_KNOWN}"),
    ]
    _both(environ, answered=True)


@pytest.mark.parametrize("method", ["HEAD", "POST", "PUT"])
def test_discovery_other_methods_get_djangos_405(
    org: dict[str, Any], fixed: None, method: str
) -> None:
    status, headers, _ = _both(_environ(method, WELL_KNOWN), answered=True)
    assert status == "405 Method Not Allowed"
    assert ("Allow", "GET") in headers


def test_hsts_and_plain_http_follow_the_settings(org: dict[str, Any], fixed: None) -> None:
    with override_settings(SECURE_HSTS_SECONDS=3600):
        _, headers, _ = _both(_environ("GET", WELL_KNOWN), answered=True)
        assert ("Strict-Transport-Security", "max-age=3600") in headers
        _, headers, _ = _both(
            _environ("GET", WELL_KNOWN, **{"wsgi.url_scheme": "http", "SERVER_PORT": "80"}),
            answered=True,
        )
        assert "Strict-Transport-Security" not in dict(headers)


@pytest.mark.parametrize(
    "environ",
    [
        # A host not in ALLOWED_HOSTS: Django's 400.
        _environ("GET", WELL_KNOWN, HTTP_HOST="evil.example"),
        # Framing Django refuses (mdm_server/content_length.py).
        _environ("GET", WELL_KNOWN, CONTENT_LENGTH="x1"),
        # More digits than int() reads: the edge raised, and granian sent a bare 500.
        _environ("GET", WELL_KNOWN, CONTENT_LENGTH="9" * 5000),
        _environ("GET", WELL_KNOWN, HTTP_TRANSFER_ENCODING="chunked"),
        # Not a route: Django's 404.
        _environ("GET", WELL_KNOWN + "x"),
    ],
)
def test_what_django_refuses_is_handed_over(
    org: dict[str, Any], fixed: None, environ: dict[str, Any]
) -> None:
    status, _, _ = _both(environ, answered=False)
    assert not status.startswith("2")


def test_a_body_only_a_post_reads_is_left_to_django(org: dict[str, Any], fixed: None) -> None:
    """Django never reads a GET's body; the edge read up to the limit of it before anything
    else (a body sent slowly held one of the worker's threads)."""
    read: list[int] = []

    class Recording(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            read.append(-1 if size is None else size)
            return super().read(size)

    environ = _environ("GET", WELL_KNOWN, body=b"x" * 100)
    environ["CONTENT_LENGTH"] = "100"
    started: list[str] = []
    chunks = Edge(CountingApp())(
        {**environ, "wsgi.input": Recording(environ["_body"])},
        lambda status, headers, *_: started.append(status),
    )
    b"".join(chunks)
    getattr(chunks, "close", lambda: None)()
    assert started[0].startswith("200") and read == []
    _both(environ, answered=False)


def test_a_browser_on_a_device_path_gets_the_whole_stack(org: dict[str, Any], fixed: None) -> None:
    _both(
        _environ("GET", WELL_KNOWN, HTTP_ACCEPT="text/html,application/xhtml+xml"), answered=False
    )


def test_an_unreachable_database_is_djangos_503(
    org: dict[str, Any], fixed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(services, "discover", down)
    status, headers, _ = _both(
        _environ("GET", WELL_KNOWN, urlencode({"user-identifier": "alice@example.com"})),
        answered=False,
    )
    assert status == "503 Service Unavailable"
    assert ("Retry-After", "30") in headers


def test_without_the_edge_setting_wsgi_has_no_edge() -> None:
    import importlib

    import mdm_server.wsgi

    with override_settings(MDM_EDGE=False, MDM_CONNECT_SHORTCUT=False):
        module = importlib.reload(mdm_server.wsgi)
        assert not isinstance(module.application, Edge)
    module = importlib.reload(mdm_server.wsgi)
    assert isinstance(module.application.app, Edge)  # under the connect shortcut


# --- SCEP --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "operation=GetCACert",
        "operation=GetCACert&message=MDM%20CA",
        "operation=GetCACaps",
        "operation=GetCACaps&message=x",
    ],
)
def test_scep_reads_are_answered_at_the_edge(server_pki: Any, fixed: None, query: str) -> None:
    status, headers, body = _both(_environ("GET", "/scep", query), answered=True)
    assert status == "200 OK"
    assert ("Cache-Control", "max-age=0, no-cache, no-store, must-revalidate, private") in headers
    if "GetCACert" in query:
        assert body == pki.active_identity("ca").certificate.public_bytes(
            __import__(
                "cryptography.hazmat.primitives.serialization"
            ).hazmat.primitives.serialization.Encoding.DER
        )


@pytest.mark.parametrize(
    ("method", "query"),
    [
        ("GET", ""),  # no operation: 400
        ("GET", "operation=Nope"),
        ("GET", "operation=PKIOperation&message=AAAA"),  # issues: never at the edge
        ("HEAD", "operation=GetCACert"),  # 405
        ("POST", "operation=GetCACert"),
    ],
)
def test_other_scep_requests_go_to_django(
    server_pki: Any, fixed: None, method: str, query: str
) -> None:
    _both(_environ(method, "/scep", query), answered=False)


# --- the enrollment's first POST: the 401 challenge --------------------------------------------


def _machine_info() -> bytes:
    return flow.machine_info_body(flow.throwaway_apple_identity())


def test_the_challenge_is_answered_at_the_edge_and_not_logged(slug: str, fixed: None) -> None:
    path = f"/enroll/account/{slug}/byod"
    environ = _environ(
        "POST", path, body=_machine_info(), CONTENT_TYPE="application/x-www-form-urlencoded"
    )
    status, headers, reply = _both(environ, answered=True)
    assert status == "401 Unauthorized"
    assert reply == b""
    challenge = flow.parse_challenge(dict(headers)["WWW-Authenticate"])
    assert challenge["method"] == "apple-as-web"
    # Django's default type for the empty 401 is text/html: the enrollment pages' CSP is added.
    assert "Content-Security-Policy" in dict(headers)
    # django.request's "Unauthorized" line is dropped by enrollment.log_filters on both paths;
    # a token that is refused is logged, by Django (the edge hands such requests over).
    django_app = CountingApp()
    _, lines = _logged(Edge(django_app), environ)
    assert (django_app.calls, lines) == (0, [])
    refused = dict(environ, HTTP_AUTHORIZATION="Bearer nope")
    _, lines = _logged(Edge(django_app), refused)
    assert django_app.calls == 1
    assert ("django.request", "WARNING", f"Unauthorized: {path}") in lines


@pytest.mark.parametrize(
    ("kind", "body", "status"),
    [
        ("byod", b"not a CMS message", "400 Bad Request"),
        ("nope", None, "404 Not Found"),
    ],
)
def test_the_challenge_requests_views_refusals_are_answered_as_django_does(
    slug: str, fixed: None, kind: str, body: bytes | None, status: str
) -> None:
    environ = _environ("POST", f"/enroll/account/{slug}/{kind}", body=body or _machine_info())
    assert _both(environ, answered=True)[0] == status


@pytest.mark.parametrize(
    "case",
    ["bearer", "unknown configuration", "get", "chunked", "too large"],
)
def test_other_enroll_requests_go_to_django(slug: str, fixed: None, case: str) -> None:
    body = _machine_info()
    path = f"/enroll/account/{slug}/byod"
    environ = {
        "bearer": _environ("POST", path, body=body, HTTP_AUTHORIZATION="Bearer nope"),
        "unknown configuration": _environ("POST", "/enroll/account/nope/byod", body=body),
        "get": _environ("GET", path),
        "chunked": _environ("POST", path, body=body, HTTP_TRANSFER_ENCODING="chunked"),
        "too large": _environ("POST", path, body=body, CONTENT_LENGTH=str(10**9)),
    }[case]
    if case in ("get",):
        # GET is the view's 405: answered at the edge, as Django answers it.
        _both(environ, answered=True)
        return
    if case in ("chunked", "too large"):
        environ["_body"] = b""
    _both(environ, answered=False)


# --- the web sheet's sign-in page ---------------------------------------------------------------


@pytest.mark.parametrize(
    "cookie",
    [
        None,
        "csrftoken=" + "a" * 32,  # an unmasked secret: kept, sent again
        "csrftoken=" + "b" * 64,  # a masked one (Django before 4.0)
        "csrftoken=bad!",  # invalid: replaced
        "sessionid=nothing; csrftoken=" + "c" * 32,
    ],
)
@pytest.mark.parametrize("query", [urlencode({"user-identifier": "alice@example.com"}), ""])
def test_the_sign_in_page_is_answered_at_the_edge(
    slug: str, fixed: None, cookie: str | None, query: str
) -> None:
    headers = {"HTTP_ACCEPT": "text/html,application/xhtml+xml"}
    if cookie:
        headers["HTTP_COOKIE"] = cookie
    status, out, page = _both(
        _environ("GET", f"/enroll/account/{slug}/byod/authenticate", query, **headers),
        answered=True,
    )
    assert status == "200 OK"
    names = [name for name, _ in out]
    assert "Set-Cookie" in names and "Content-Security-Policy" in names
    assert b"csrfmiddlewaretoken" in page


def test_the_sign_in_page_of_an_unknown_configuration_is_djangos_404(
    org: dict[str, Any], fixed: None
) -> None:
    status, _, _ = _both(
        _environ("GET", "/enroll/account/nope/byod/authenticate", HTTP_ACCEPT="text/html"),
        answered=False,
    )
    assert status == "404 Not Found"


def test_signing_in_goes_to_django(slug: str, fixed: None) -> None:
    body = urlencode({"identifier": "alice@example.com", "password": "x"}).encode()
    environ = _environ(
        "POST",
        f"/enroll/account/{slug}/byod/authenticate",
        body=body,
        CONTENT_TYPE="application/x-www-form-urlencoded",
    )
    django_app = CountingApp()
    _call(Edge(django_app), environ)
    assert django_app.calls == 1


def test_a_request_handed_over_starts_one_request_cycle(slug: str, fixed: None) -> None:
    """The edge asks the view's `when` before the request cycle: a request it hands over is
    sent Django's request signals once (by Django), one it answers once (by the edge)."""
    sent: list[str] = []

    def started(sender: Any, **kwargs: Any) -> None:
        sent.append("started")

    def finished(sender: Any, **kwargs: Any) -> None:
        sent.append("finished")

    path = f"/enroll/account/{slug}/byod"
    sign_in = urlencode({"identifier": "alice@example.com", "password": "x"}).encode()
    form = "application/x-www-form-urlencoded"
    requests = {
        "profile": (_environ("POST", path, body=_machine_info(), HTTP_AUTHORIZATION="Bearer x"), 1),
        "sign-in": (_environ("POST", f"{path}/authenticate", body=sign_in, CONTENT_TYPE=form), 1),
        "PKIOperation": (_environ("POST", "/scep", "operation=PKIOperation", body=b"x"), 1),
        "challenge": (_environ("POST", path, body=_machine_info()), 0),
    }
    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    try:
        for name, (environ, calls) in requests.items():
            django_app = CountingApp()
            sent.clear()
            _call(Edge(django_app), environ)
            assert (django_app.calls, sent) == (calls, ["started", "finished"]), name
    finally:
        signals.request_started.disconnect(started)
        signals.request_finished.disconnect(finished)


def test_a_whole_enrollment_through_the_deployed_entry_point(org: dict[str, Any]) -> None:
    """Discovery, challenge, sign-in page, GetCACert at the edge; the rest through Django."""
    from mdm_server.wsgi import application
    from tests.simulator import WSGITransport

    enrollment = flow.enroll_account_driven(
        WSGITransport(application),
        f"https://{HOST}",
        user_identifier="alice@example.com",
        password="correct-horse-9",
    )
    assert enrollment.identity_certificate is not None


# --- the profile POST (MachineInfo with the bearer token) ---------------------------------------


def _bearer() -> str:
    """A new access token of alice's, signed in through the web sheet."""
    from tests.simulator.transport import DjangoTestTransport

    url = services.sign_in_url(services.default_configuration(), "mdm-byod")
    return flow.web_sign_in(
        DjangoTestTransport(), url, user_identifier="alice@example.com", password="correct-horse-9"
    )


def _profile_post(slug: str, token: str) -> dict[str, Any]:
    return _environ(
        "POST",
        f"/enroll/account/{slug}/byod",
        body=_machine_info(),
        HTTP_AUTHORIZATION=f"Bearer {token}",
        CONTENT_TYPE="application/x-www-form-urlencoded",  # as iOS 15 labels it
    )


def test_the_profile_post_goes_to_django_and_is_answered_once(slug: str, fixed: None) -> None:
    """The profile POST writes (its token's stamp, its session, its SCEP challenge): a failure
    after its commit must be answered as Django answers it, so the edge never runs it."""
    from enrollment.models import EnrollmentSession, EnrollmentToken
    from mdm_server.pki.models import ScepChallenge

    django_app = CountingApp()
    status, headers, body = _call(Edge(django_app), _profile_post(slug, _bearer()))
    assert django_app.calls == 1
    assert status == "200 OK" and flow.read_profile(body)
    assert ("Content-Type", "application/x-apple-aspen-config") in headers
    session = EnrollmentSession.objects.get()
    assert session.status == EnrollmentSession.Status.PROFILE_ISSUED
    assert EnrollmentToken.objects.filter(profile_issued_at__isnull=False).count() == 1
    assert ScepChallenge.objects.get().reference == session.public_id
