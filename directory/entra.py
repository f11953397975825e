"""Microsoft Entra ID through msal (sign-in, client credentials) and Microsoft Graph (users, groups).

No Django imports: callers pass an EntraConfig. One factory builds the msal app so tests (and
on-premises proxies) can point the authority, Graph URL and trusted CA somewhere else.
"""

from __future__ import annotations

import tempfile
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
import msal
import requests

MAX_PAGES = 500  # a runaway nextLink loop must end


class EntraError(Exception):
    """An Entra ID or Graph call failed. ``code``: unreachable, denied, invalid, not_configured."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class EntraConfig:
    """One tenant's app registration; secrets already decrypted."""

    tenant_id: str
    client_id: str
    client_secret: str = ""
    client_certificate_pem: str = ""
    client_key_pem: str = ""
    authority_host: str = "https://login.microsoftonline.com"
    graph_url: str = "https://graph.microsoft.com"
    ca_pem: str = ""
    timeout: int = 10

    @property
    def authority(self) -> str:
        return f"{self.authority_host.rstrip('/')}/{self.tenant_id}"

    @property
    def graph_base(self) -> str:
        return self.graph_url.rstrip("/")


def validate_https_url(value: str, what: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise EntraError("invalid", f"{what} must be an https:// URL.")
    return value.strip().rstrip("/")


class _TimeoutSession(requests.Session):
    """requests has no session-wide timeout; msal calls without one, so add it here."""

    def __init__(self, timeout: int) -> None:
        super().__init__()
        self._timeout = timeout

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self._timeout)
        return super().request(*args, **kwargs)


_CA_FILES: dict[str, str] = {}


def _ca_file(pem: str) -> str:
    """requests wants a path; keep one file per distinct PEM for the process lifetime."""
    path = _CA_FILES.get(pem)
    if path is None or not Path(path).exists():
        handle = tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False)  # noqa: SIM115
        with handle:
            handle.write(pem)
        path = _CA_FILES[pem] = handle.name
    return path


def http_session(config: EntraConfig) -> requests.Session:
    """HTTP session for msal and Graph. With an extra CA, environment CA bundles are ignored:
    requests lets REQUESTS_CA_BUNDLE override a session's ``verify``."""
    session = _TimeoutSession(config.timeout)
    if config.ca_pem.strip():
        session.trust_env = False
        session.verify = _ca_file(config.ca_pem)
    return session


def build_app(
    config: EntraConfig, *, http_client: requests.Session | None = None
) -> msal.ConfidentialClientApplication:
    """The one factory for msal apps (authority host and tenant from the config)."""
    if not config.tenant_id or not config.client_id:
        raise EntraError("not_configured", "The Entra ID tenant and client ID are required.")
    credential: Any
    if config.client_secret:
        credential = config.client_secret
    elif config.client_certificate_pem and config.client_key_pem:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes

        cert = x509.load_pem_x509_certificate(config.client_certificate_pem.encode())
        credential = {
            "private_key": config.client_key_pem,
            "thumbprint": cert.fingerprint(hashes.SHA1()).hex(),  # noqa: S303 - Entra's x5t
            "public_certificate": config.client_certificate_pem,
        }
    else:
        raise EntraError("not_configured", "Entra ID needs a client secret or a certificate.")
    try:
        return msal.ConfidentialClientApplication(
            config.client_id,
            client_credential=credential,
            authority=config.authority,
            # Instance discovery would ask login.microsoftonline.com about the host; the
            # authority is configured explicitly, so there is nothing to discover.
            instance_discovery=False,
            http_client=http_client or http_session(config),
            timeout=config.timeout,
        )
    except (ValueError, requests.RequestException) as exc:
        raise _network_error(exc) from None


def _network_error(exc: Exception) -> EntraError:
    if isinstance(exc, requests.exceptions.SSLError):
        return EntraError("unreachable", f"TLS with Entra ID failed: {exc.__class__.__name__}.")
    if isinstance(exc, requests.RequestException):
        return EntraError("unreachable", "Entra ID cannot be reached; check the network.")
    return EntraError("invalid", f"The Entra ID configuration is not usable: {exc}")


def begin_auth_code_flow(
    app: msal.ConfidentialClientApplication, *, redirect_uri: str, login_hint: str = ""
) -> dict[str, Any]:
    """Start the authorization-code flow (state, nonce and PKCE are generated by msal)."""
    try:
        with warnings.catch_warnings():
            # msal recommends response_mode=form_post. We use the query mode: the flow lives in
            # the web session, and a SameSite=Lax session cookie is not sent on a cross-site
            # POST, so form_post would lose it. state, nonce and PKCE still bind the response.
            warnings.filterwarnings("ignore", message="response_mode='form_post'")
            return dict(
                app.initiate_auth_code_flow(
                    [], redirect_uri=redirect_uri, login_hint=login_hint or None
                )
            )
    except (ValueError, requests.RequestException) as exc:
        raise _network_error(exc) from None


def finish_auth_code_flow(
    app: msal.ConfidentialClientApplication,
    *,
    flow: Mapping[str, Any],
    params: Mapping[str, str],
    config: EntraConfig,
    http_client: requests.Session | None = None,
) -> dict[str, Any]:
    """Redeem the code; msal checks state and nonce, we check the id_token (signature, issuer,
    audience, lifetime: msal does not). Returns the id_token claims."""
    if params.get("error"):
        message = params.get("error_description") or params["error"]
        raise EntraError("denied", f"Microsoft sign-in was not completed: {message}")
    try:
        result = app.acquire_token_by_auth_code_flow(dict(flow), dict(params))
    except (ValueError, RuntimeError) as exc:
        # msal raises ValueError for a state mismatch and RuntimeError for a nonce mismatch.
        raise EntraError(
            "invalid", f"The sign-in response does not match this session ({exc})."
        ) from None
    except requests.RequestException as exc:
        raise _network_error(exc) from None
    if "error" in result:
        raise EntraError("denied", str(result.get("error_description") or result["error"]))
    if not result.get("id_token"):
        raise EntraError("invalid", "The token response has no ID token.")
    claims = validate_id_token(
        str(result["id_token"]), config, http_client=http_client or http_session(config)
    )
    if not claims.get("oid") or not claims.get("tid"):
        raise EntraError("invalid", "The ID token has no oid/tid claims.")
    return dict(claims)


ID_TOKEN_LEEWAY_SECONDS = 120  # clock skew allowed on exp, nbf and iat
JWKS_REFRESH_SECONDS = 300  # an unknown key id refetches the keys at most this often
_jwks_cache: dict[str, tuple[float, dict[str, Any]]] = {}  # jwks_uri -> (fetched at, keys)


def _get_json(session: requests.Session, url: str) -> dict[str, Any]:
    try:
        response = session.get(url)
        response.raise_for_status()
        body = response.json()
    except requests.RequestException as exc:
        raise _network_error(exc) from None
    except ValueError:
        raise EntraError("invalid", f"{url} did not answer JSON.") from None
    if not isinstance(body, dict):
        raise EntraError("invalid", f"{url} did not answer a JSON object.")
    return body


def _signing_key(session: requests.Session, jwks_uri: str, kid: str) -> Any:
    """The authority's published key with this key id (keys are refetched when it rotates)."""
    fetched_at, jwks = _jwks_cache.get(jwks_uri, (0.0, {}))
    for attempt in range(2):
        for entry in jwks.get("keys", []):
            if isinstance(entry, dict) and entry.get("kid") == kid:
                try:
                    return jwt.PyJWK(entry).key
                except jwt.PyJWTError as exc:
                    raise EntraError("invalid", f"Published key {kid} is unusable: {exc}") from None
        if attempt or (time.monotonic() - fetched_at < JWKS_REFRESH_SECONDS and jwks):
            break
        jwks = _get_json(session, jwks_uri)
        fetched_at = time.monotonic()
        _jwks_cache[jwks_uri] = (fetched_at, jwks)
    raise EntraError("invalid", f"The ID token is signed with a key ({kid}) not published.")


def validate_id_token(
    id_token: str, config: EntraConfig, *, http_client: requests.Session
) -> dict[str, Any]:
    """Check an id_token as OpenID Connect requires: RS256 signature by a key the tenant
    publishes (discovery's jwks_uri), issuer, audience (our client ID), exp/nbf/iat."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as exc:
        raise EntraError("invalid", f"The ID token is not a JWT: {exc}") from None
    if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
        raise EntraError("invalid", "The ID token is not RS256-signed with a key id.")
    discovery = _get_json(http_client, f"{config.authority}/v2.0/.well-known/openid-configuration")
    issuer = str(discovery.get("issuer") or "").replace("{tenantid}", config.tenant_id)
    jwks_uri = str(discovery.get("jwks_uri") or "")
    if not issuer or not jwks_uri.startswith("https://"):
        raise EntraError("invalid", "The authority's OpenID configuration lacks issuer/jwks_uri.")
    key = _signing_key(http_client, jwks_uri, header["kid"])
    try:
        return dict(
            jwt.decode(
                id_token,
                key=key,
                algorithms=["RS256"],
                audience=config.client_id,
                issuer=issuer,
                leeway=ID_TOKEN_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        )
    except jwt.PyJWTError as exc:
        raise EntraError("invalid", f"The ID token does not validate: {exc}") from None


def client_credentials_token(app: msal.ConfidentialClientApplication, graph_base: str) -> str:
    """App-only token for Microsoft Graph."""
    try:
        result = app.acquire_token_for_client(scopes=[f"{graph_base}/.default"])
    except (ValueError, requests.RequestException) as exc:
        raise _network_error(exc) from None
    if "access_token" not in result:
        detail = result.get("error_description") or result.get("error") or "no token"
        raise EntraError("denied", f"Entra ID refused the app credentials: {detail}")
    return str(result["access_token"])


class GraphClient:
    """Minimal Microsoft Graph reader with paging (@odata.nextLink)."""

    def __init__(self, config: EntraConfig, *, http_client: requests.Session | None = None) -> None:
        self.config = config
        self.session = http_client or http_session(config)
        self.app = build_app(config, http_client=self.session)
        self._token: str | None = None

    def _headers(self) -> dict[str, str]:
        if self._token is None:
            self._token = client_credentials_token(self.app, self.config.graph_base)
        return {"Authorization": f"Bearer {self._token}", "ConsistencyLevel": "eventual"}

    def get_all(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        on_page: Callable[[int], None] | None = None,
    ) -> list[dict[str, Any]]:
        url: str | None = f"{self.config.graph_base}/v1.0/{path.lstrip('/')}"
        items: list[dict[str, Any]] = []
        query: Mapping[str, str] | None = params
        for _ in range(MAX_PAGES):
            if url is None:
                return items
            try:
                response = self.session.get(
                    url, headers=self._headers(), params=query, timeout=self.config.timeout
                )
            except requests.RequestException as exc:
                raise _network_error(exc) from None
            if response.status_code in (401, 403):
                raise EntraError(
                    "denied",
                    "Microsoft Graph refused the request; grant the app User.Read.All and "
                    "GroupMember.Read.All (application permissions).",
                )
            if response.status_code == 404:
                raise EntraError("invalid", f"Microsoft Graph: {path} was not found.")
            if response.status_code >= 400:
                raise EntraError("unreachable", f"Microsoft Graph answered {response.status_code}.")
            try:
                body = response.json()
            except ValueError:
                raise EntraError("unreachable", "Microsoft Graph sent a non-JSON answer.") from None
            items.extend(body.get("value", []))
            if on_page is not None:
                on_page(len(items))
            url = body.get("@odata.nextLink")
            query = None  # the nextLink carries the query already
        raise EntraError("unreachable", "Microsoft Graph paging did not end.")

    def users(self, *, on_page: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
        return self.get_all("users", {"$select": USER_SELECT, "$top": "999"}, on_page=on_page)

    def search_users(self, text: str) -> list[dict[str, Any]]:
        flt = _startswith(["displayName", "userPrincipalName", "mail"], text)
        return self.get_all("users", {"$select": USER_SELECT, "$filter": flt, "$top": "50"})

    def user(self, object_id: str) -> dict[str, Any]:
        return self.get_all(
            "users", {"$select": USER_SELECT, "$filter": f"id eq '{odata_quote(object_id)}'"}
        )[0]

    def groups(self, text: str = "") -> list[dict[str, Any]]:
        params = {"$select": "id,displayName", "$top": "999"}
        if text:
            params["$filter"] = _startswith(["displayName"], text)
        return self.get_all("groups", params)

    def group_members(self, group_id: str) -> list[dict[str, Any]]:
        return self.get_all(f"groups/{odata_quote(group_id)}/members", {"$select": USER_SELECT})

    def member_of(self, user_id: str) -> list[dict[str, Any]]:
        return self.get_all(
            f"users/{odata_quote(user_id)}/transitiveMemberOf", {"$select": "id,displayName"}
        )


USER_SELECT = "id,userPrincipalName,mail,displayName,accountEnabled"


def odata_quote(value: str) -> str:
    """OData string literal escaping (a quote is doubled); ids go into paths, so no slashes."""
    return value.replace("'", "''").replace("/", "")


def _startswith(fields: list[str], text: str) -> str:
    return " or ".join(f"startswith({f},'{odata_quote(text)}')" for f in fields)
