"""Enrollment writes. Every change of enrollment state goes through a function of this package;
the protocol views, the portal, the console, the REST API and the devices hooks call them.
"""

from enrollment.services.core import *  # noqa: F403
from enrollment.services.hooks import (
    bind_on_enrolled,
    bind_session,
    check_bearer,
    end_sessions,
    purge_sessions,
    resolve_enrollment,
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
    previous_portal_type,
    start_portal_enrollment,
)

__all__ = [
    "AbmError",
    "OAuthError",
    "PortalDecision",
    "SelfTest",
    "bind_on_enrolled",
    "bind_session",
    "check_bearer",
    "check_oauth_client",
    "decide_portal_enrollment",
    "delete_configuration",
    "delete_discovery_registration",
    "download_portal_profile",
    "end_sessions",
    "fetch_discovery_registration",
    "issue_oauth_code",
    "oauth_authorize",
    "oauth_token",
    "previous_portal_type",
    "purge_sessions",
    "register_discovery_url",
    "registered_discovery_url",
    "resolve_enrollment",
    "save_configuration",
    "save_settings",
    "self_test",
    "start_portal_enrollment",
    "well_known_url",
]
