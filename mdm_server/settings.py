"""The one settings module. Every value comes from the environment (see README, "Configuration").

With no configuration at all the server runs embedded: SQLite in the data directory, Celery tasks
run eagerly in-process and the cache is local memory. Production sets DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from mdm_server.env import (
    EnvError,
    env_bool,
    env_int,
    env_list,
    env_optional,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = env_bool("MDM_PRODUCTION", False)
DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(env_str("MDM_DATA_DIR", str(BASE_DIR / "var"))).resolve()


def _embedded_secret_key() -> str:
    """Generate the secret key once and keep it in the data directory (embedded mode only)."""
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
    except OSError as exc:
        raise EnvError("MDM_DATA_DIR", f"cannot write {path}: {exc.strerror}") from None
    return key


if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
else:
    SECRET_KEY = env_optional("SECRET_KEY") or _embedded_secret_key()
if len(SECRET_KEY) < 32:
    raise EnvError("SECRET_KEY", "must be at least 32 characters long")

# Key for private keys and secrets stored in the database. Derived from SECRET_KEY unless set,
# so a database dump alone never reveals a key. To rotate: put the old value in
# MDM_ENCRYPTION_KEY_PREVIOUS (it still decrypts), the new one in MDM_ENCRYPTION_KEY, then run
# `manage.py rotate_encryption_key` and drop the previous key.
ENCRYPTION_KEY = env_optional("MDM_ENCRYPTION_KEY") or SECRET_KEY
ENCRYPTION_KEYS_PREVIOUS = env_list("MDM_ENCRYPTION_KEY_PREVIOUS", [])

_public_url = env_url(
    "MDM_PUBLIC_URL",
    "http://127.0.0.1:8000",
    schemes=("https",) if PRODUCTION else ("https", "http"),
)
assert _public_url is not None  # noqa: S101 - env_url has a default
PUBLIC_URL: str = _public_url.rstrip("/")
_public_host = urlsplit(PUBLIC_URL).hostname or "localhost"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [_public_host, "localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [PUBLIC_URL])

# --- database ----------------------------------------------------------------------------------
_default_db = f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
_database_url = env_str("DATABASE_URL", _default_db)
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except Exception as exc:  # dj_database_url raises several types for bad URLs
    raise EnvError("DATABASE_URL", f"cannot be parsed: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if _database_url == _default_db:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that asks the socket instead of the server.
    DATABASES["default"]["ENGINE"] = "mdm_server.postgresql"
    # A persistent connection is checked before its first use in each request: after a database
    # restart it is stale, and the request would fail on it instead of reconnecting.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # An unreachable database host fails a request within seconds (then 503), not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
else:
    raise EnvError("DATABASE_URL", "only postgres:// and sqlite:// are supported")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, Celery, cache ------------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", None, schemes=("redis", "rediss", "unix"))
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL
# Without a broker, tasks run in-process so that `manage.py runserver` works on a bare machine.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", REDIS_URL is None)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "mdm"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message a killed worker had taken (acks_late) goes to another worker after this long. The
# push tasks' time limits are below it, so a running push is never handed out twice; a directory
# import may run longer, and claims its run, so a second delivery finds it taken and returns.
# The push outbox does not even wait for it (APNS_OUTBOX_RECLAIM_SECONDS).
#
# A Redis that does not answer (stopped, packets dropped) must cost a request at most this long,
# and then nothing while `mdm_server.redis_client` backs off: the connect and each command of
# the server's own client, of Celery's publish and of the cache give up after it (without
# `socket_timeout` a publish would wait for ever), and connecting to the broker gives up after
# it too instead of retrying for the default 4 s. Workers poll with BRPOP for 1 s, under it.
REDIS_TIMEOUT_SECONDS = 2.0
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 120,
    "socket_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT_SECONDS
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "mdm_server.redis_client.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- applications ----------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "mdm_server.apps.CoreConfig",
    "mdm_server.pki.apps.PkiConfig",
    "enrollment.apps.EnrollmentConfig",
    "devices.apps.DevicesConfig",
    "devices.managed_apps.apps.ManagedAppsConfig",
    "profiles.apps.ProfilesConfig",
    "profiles.declarations.apps.DeclarationsConfig",
    "directory.apps.DirectoryConfig",
    "apns.apps.ApnsConfig",
    # After profiles: its first-TokenUpdate receiver queues DeviceConfigured after their installs.
    "enrollment.abm.apps.AbmConfig",
]

MIDDLEWARE = [
    # Device protocol paths (mdm_server.device_stack.DEVICE_PATH) go through MDM_DEVICE_MIDDLEWARE.
    "mdm_server.device_stack.DeviceStackMiddleware",
    # Before anything can read the body (on both stacks).
    "mdm_server.content_length.ContentLengthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "mdm_server.unavailable.ServiceUnavailableMiddleware",
    "mdm_server.security_headers.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "mdm_server.signin.SignInGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]
# The middleware of MIDDLEWARE that act on a device's request or response, in the same order:
# the Content-Length check, security headers, the 503 of an unreachable backing service, the
# host check. The console's (sessions, CSRF, users, OTP, the sign-in gate, messages, static
# files, axes) have nothing to do for a device and are skipped there (mdm_server.device_stack).
MDM_DEVICE_MIDDLEWARE = [
    "mdm_server.content_length.ContentLengthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "mdm_server.unavailable.ServiceUnavailableMiddleware",
    "mdm_server.security_headers.ContentSecurityPolicyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# The middleware of MIDDLEWARE the web sheet's sign-in pages need (the forms a device shows a
# person before it enrolls: mdm_server.device_stack.WEB_SHEET_PATH), in the same order: the
# device's, with the session (an Entra ID sign-in waits in it), CSRF and the user. The
# console's static files, second factor, sign-in gate, messages and axes (whose lockouts are
# the console's sign-ins; the web sheet counts its failures itself) have nothing to do there.
MDM_WEB_SHEET_MIDDLEWARE = [
    "mdm_server.content_length.ContentLengthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "mdm_server.unavailable.ServiceUnavailableMiddleware",
    "mdm_server.security_headers.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mdm_server.urls"
WSGI_APPLICATION = "mdm_server.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mdm_server.console.console_context",
            ],
            # {{ value|when }}: every page shows times one way (relative, absolute, zone).
            "builtins": ["mdm_server.templatetags.console_time"],
        },
    }
]

# Console accounts sign in with their own password, or — when an LDAP source allows it — with
# their directory password (the console account still decides the role).
# django-axes comes first: a locked-out account or address is refused before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "directory.backends.DirectoryConsoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Console (and admin site) sign-in throttling: failures are counted per account and, separately,
# per source address, in the database (no Redis needed); a success clears the account's count.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env_int("MDM_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("MDM_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_RESET_ON_SUCCESS = True
# A successful local-account password check is remembered this long in the process (a keyed hash,
# directory.services.signin); 0 checks the PBKDF2 hash on every sign-in.
MDM_LOCAL_PASSWORD_CACHE_SECONDS = env_int(
    "MDM_LOCAL_PASSWORD_CACHE_SECONDS", 300, minimum=0, maximum=3600
)
AXES_USERNAME_CALLABLE = "mdm_server.signin.username_of"
AXES_CLIENT_IP_CALLABLE = "mdm_server.signin.client_ip"
AXES_LOCKOUT_CALLABLE = "mdm_server.signin.lockout_response"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = env_str("MDM_TOTP_ISSUER", "MDM server")
LOGIN_URL = "/console/login/"
LOGIN_REDIRECT_URL = "/console/"
LOGOUT_REDIRECT_URL = "/console/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "mdm_server" / "static"]
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves the console's CSS and htmx from the app itself, under runserver and granian
# alike (no separate web server needed); without collectstatic it serves the source folders.
WHITENOISE_USE_FINDERS = True
try:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # collectstatic's target; may stay empty
except OSError as exc:
    raise EnvError("MDM_DATA_DIR", f"cannot create {STATIC_ROOT}: {exc.strerror}") from None
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_SECURE = PUBLIC_URL.startswith("https://") and PRODUCTION
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
# Security headers (SecurityMiddleware): HSTS on HTTPS answers in production (browsers then refuse
# plain HTTP to this host for that long; not for subdomains, which may be other servers),
# nosniff, and no Referer to other sites.
# A channel with declarations whose last status report is older than this is flagged stale.
DDM_STATUS_STALE_HOURS = env_int("MDM_DDM_STATUS_STALE_HOURS", 24, minimum=1)
SECURE_HSTS_SECONDS = env_int("MDM_HSTS_SECONDS", 31536000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy of the console and the enrollment pages (mdm_server/security_headers.py).
# No form-action: signing in ends in redirects to Microsoft or to the device's own URL scheme.
MDM_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)
MDM_CONTENT_SECURITY_POLICY_PATHS = ("/console/", "/enroll/")

# --- device protocol -------------------------------------------------------------------------------
# Largest request body accepted from a device (an InstalledApplicationList of a busy Mac is a few
# hundred KB). Django answers a larger body with 400 before any view runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MDM_MAX_REQUEST_BYTES", 4 * 1024 * 1024, minimum=65536)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# Largest multipart body (an uploaded profile, token, certificate or asset's data with its form),
# on any path: a larger one is a 413 before anything reads it (Django would spool its files to
# disk, signed in or not). Never below the limit above.
MDM_MAX_UPLOAD_BYTES = env_int(
    "MDM_MAX_UPLOAD_BYTES", 32 * 1024 * 1024, minimum=DATA_UPLOAD_MAX_MEMORY_SIZE
)
# mTLS terminated at a reverse proxy: the proxy forwards the client certificate (URL-encoded PEM)
# in this header, and it is believed only from these addresses (IPs or CIDR networks).
MDM_CLIENT_CERT_HEADER = env_str("MDM_CLIENT_CERT_HEADER", "X-Client-Cert")
MDM_TRUSTED_PROXIES = env_list("MDM_TRUSTED_PROXIES", [])
# What one enrolled device can make the server keep. User channels per device channel (a Mac's
# users with an MDM user channel, a lab Mac's directory users among them; every row of the
# current enrollment counts, ended ones too): a TokenUpdate of one more is refused with 403. A TokenUpdate that changes nothing (same token, push magic, unlock token,
# AwaitingConfiguration) is logged at most once in this many minutes; its first and every
# change are always logged. Other repeated check-ins the device log would record (a refusal, a
# GetBootstrapToken) within that window add to the count of the row already there.
MDM_MAX_USER_CHANNELS = env_int("MDM_MAX_USER_CHANNELS", 64, minimum=1, maximum=1000)
MDM_TOKEN_UPDATE_LOG_MINUTES = env_int(
    "MDM_TOKEN_UPDATE_LOG_MINUTES", 60, minimum=1, maximum=7 * 24 * 60
)
# Idle polls and results answered before Django's request cycle (devices/connect_shortcut.py).
MDM_CONNECT_SHORTCUT = env_bool("MDM_CONNECT_SHORTCUT", True)
# Device requests of views marked @answerable (discovery, SCEP's GetCACaps and GetCACert, the
# enrollment's 401 challenge, the sign-in page) run without Django's request cycle around them
# (mdm_server/edge.py).
MDM_EDGE = env_bool("MDM_EDGE", True)
# PEM file of an external CA whose certificates are accepted as device identities.
MDM_EXTERNAL_CA_FILE = env_optional("MDM_EXTERNAL_CA_FILE")
# Legacy: read single-DES SCEP envelopes (56-bit key; README "Device identities").
MDM_SCEP_ALLOW_DES = env_bool("MDM_SCEP_ALLOW_DES", False)
# Risky: accept an Automated Device Enrollment whose MachineInfo is not signed by Apple's device
# CA (anyone who knows a serial number enrolls as that company device; README "Apple Business
# Manager").
MDM_ADE_ACCEPT_UNSIGNED_MACHINE_INFO = env_bool("MDM_ADE_ACCEPT_UNSIGNED_MACHINE_INFO", False)

# --- Apps and Books (managed app licences) -----------------------------------------------------
APPS_BOOKS_URL = env_str("APPS_BOOKS_URL", "https://vpp.itunes.apple.com/mdm/v2/")
APPS_BOOKS_TIMEOUT = env_int("APPS_BOOKS_TIMEOUT", 15, minimum=1, maximum=120)

# --- APNs --------------------------------------------------------------------------------------------
APNS_HOST = env_str("APNS_HOST", "api.push.apple.com")
APNS_PORT = env_int("APNS_PORT", 443, minimum=1, maximum=65535)
APNS_CA_FILE = env_optional("APNS_CA_FILE")
APNS_CONNECTIONS = env_int("APNS_CONNECTIONS", 4, minimum=1, maximum=64)
APNS_STREAMS_PER_CONNECTION = env_int("APNS_STREAMS_PER_CONNECTION", 100, minimum=1, maximum=1000)
APNS_STREAMS = env_int("APNS_STREAMS", 400, minimum=1, maximum=10000)
# Re-push enrollments with pending commands that have been silent this long (Celery beat).
APNS_REPUSH_AFTER_HOURS = env_int("APNS_REPUSH_AFTER_HOURS", 4, minimum=1)
APNS_SILENT_AFTER_DAYS = env_int("APNS_SILENT_AFTER_DAYS", 1, minimum=1)
# The push outbox: Celery beat drains it this often (pushes a worker could not be asked for,
# retries after their backoff), and takes again what a worker took this long ago without
# reporting back (a pushing worker refreshes its claim every quarter of it).
APNS_OUTBOX_SWEEP_SECONDS = env_int("APNS_OUTBOX_SWEEP_SECONDS", 10, minimum=1, maximum=3600)
APNS_OUTBOX_RECLAIM_SECONDS = env_int("APNS_OUTBOX_RECLAIM_SECONDS", 20, minimum=4, maximum=600)
# A push handed to APNs by a worker that died before the answer: pushed again (a new push, not
# part of its batch) this long after it was handed over, unless the device has connected since.
APNS_UNKNOWN_REPUSH_MINUTES = env_int("APNS_UNKNOWN_REPUSH_MINUTES", 5, minimum=1, maximum=1440)

# --- REST API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mdm_server.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["mdm_server.permissions.ConsoleRolePermission"],
    "DEFAULT_PARSER_CLASSES": [
        "mdm_server.api_parsers.JSONParser",  # bounded: deep nesting, NaN, NUL are a 400
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["mdm_server.api_filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "mdm_server.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "mdm_server.api_errors.exception_handler",
}
# The API docs page works offline: Swagger UI's files come from drf-spectacular-sidecar.
SPECTACULAR_SETTINGS = {
    "TITLE": "MDM server API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name get these names, not a hash suffix that changes with
    # their values (and breaks generated clients).
    "ENUM_NAME_OVERRIDES": {
        "EnrollmentTypeEnum": "mdm_server.apple.EnrollmentType.choices",
        "DeviceStatusEnum": "devices.models.Enrollment.Status",
        "DirectoryGroupKindEnum": "directory.models.DirectoryGroup.Kind",
        # Profiles and declaration sets are assigned to the same three kinds of target.
        "AssignmentKindEnum": "profiles.models.Assignment.Kind",
        "AppAssignmentScopeEnum": "devices.managed_apps.models.AppAssignment.Scope",
        "ScopeEnum": "profiles.models.Profile.Scope",  # its name before app assignments came
    },
}

# --- first administrator (setup command) -------------------------------------------------------------
MDM_ADMIN_USERNAME = env_str("MDM_ADMIN_USERNAME", "admin")
MDM_ADMIN_PASSWORD = env_optional("MDM_ADMIN_PASSWORD")
MDM_ADMIN_EMAIL = env_str("MDM_ADMIN_EMAIL", "admin@localhost")

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "mdm@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "filters": {"first_challenge": {"()": "enrollment.log_filters.FirstChallenge"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Not the 401 that begins every account-driven enrollment (Apple's protocol).
        "django.request": {"filters": ["first_challenge"]},
    },
}
