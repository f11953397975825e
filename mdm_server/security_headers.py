"""Content-Security-Policy for the pages people see: the console and the enrollment pages.

Scripts and style sheets come only from this server (htmx and the console's CSS are static
files; no page has an inline script). Inline style *attributes* stay allowed: progress bars set
their width with one, and an attribute can style only its own element (style sheets, which could
read the page with selectors, still come only from this server). The rest of the security headers
(HSTS, nosniff, Referrer-Policy) are Django's SecurityMiddleware, configured in settings.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.deprecation import MiddlewareMixin

HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    # A MiddlewareMixin, so that the WSGI edge (mdm_server/edge.py) calls the same hook.
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self.policy = settings.MDM_CONTENT_SECURITY_POLICY
        self.prefixes = tuple(settings.MDM_CONTENT_SECURITY_POLICY_PATHS)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if (
            self.policy
            and request.path.startswith(self.prefixes)
            and HEADER not in response
            and response.get("Content-Type", "").startswith("text/html")
        ):
            response[HEADER] = self.policy
        return response
