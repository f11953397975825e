"""Enrollment writes. Every change of enrollment state goes through a function of this package;
the protocol views, the portal, the console, the REST API and the devices hooks call them.
"""

from enrollment.services.core import *  # noqa: F403
from enrollment.services.hooks import (
    bind_session,
    bind_session_statement,
    check_bearer,
    end_sessions,
    purge_sessions,
    resolve_enrollment,
    session_context_sql,
)
from enrollment.services.oauth import (
    OAuthError,
    check_oauth_client,
    issue_oauth_code,
    oauth_authorize,
    oauth_token,
)
from enrollment.services.organisation import (
    AbmError,
    SelfTest,
    delete_configuration,
    delete_discovery_registration,
    fetch_discovery_registration,
    register_discovery_url,
    registered_discovery_url,
    save_configuration,
    save_settings,
    self_test,
    well_known_url,
)
from enrollment.services.portal import (
    PortalDecision,
    decide_portal_enrollment,
    download_portal_profile,
    start_portal_enrollment,
)
from enrollment.services.reenrollment import (
    ReenrollmentError,
    email_link,
    issue_link,
    replace_on_completion,
    resolve_link,
)

__all__ = [
    "AbmError",
    "OAuthError",
    "PortalDecision",
    "ReenrollmentError",
    "SelfTest",
    "bind_session",
    "bind_session_statement",
    "check_bearer",
    "check_oauth_client",
    "decide_portal_enrollment",
    "delete_configuration",
    "delete_discovery_registration",
    "download_portal_profile",
    "email_link",
    "end_sessions",
    "fetch_discovery_registration",
    "issue_link",
    "issue_oauth_code",
    "oauth_authorize",
    "oauth_token",
    "purge_sessions",
    "register_discovery_url",
    "registered_discovery_url",
    "replace_on_completion",
    "resolve_enrollment",
    "resolve_link",
    "save_configuration",
    "save_settings",
    "self_test",
    "session_context_sql",
    "start_portal_enrollment",
    "well_known_url",
]
