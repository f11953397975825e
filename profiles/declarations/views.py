"""Device protocol: the configuration profile of a `legacy` declaration (its ProfileURL), and
the data of the assets the server hosts (their `Reference.DataURL`).

A ProfileURL is made for one channel and one version of the profile and signed by the server; it
stops working when the profile changes, the channel is unenrolled or no longer gets the
declaration. Asset data is fetched with MDM authentication (`Authentication` `Type` `MDM`: the
device's identity certificate, as at check-in) and given only to a device that is given the asset.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from devices import identity
from mdm_server.pki.certificates import CertificateError
from profiles import services as profile_services
from profiles.declarations import services
from profiles.declarations.asset_data import asset_data_for


def _text(reason: str, status: int) -> HttpResponse:
    return HttpResponse(reason, status=status, content_type="text/plain; charset=utf-8")


@require_http_methods(["GET"])
def legacy_profile(request: HttpRequest, value: str) -> HttpResponse:
    found = services.verify_legacy_url(value)
    if found is None:
        return _text("this profile link is not valid (or no longer) for any device", 404)
    _, profile = found
    try:
        data = profile_services.signed_profile(profile)
    except CertificateError as exc:
        return _text(f"the profile cannot be signed: {exc}", 503)
    response = HttpResponse(data, content_type="application/x-apple-aspen-config")
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET"])
def asset_data(request: HttpRequest, pk: int, sha256: str) -> HttpResponse:
    try:
        device = identity.identify(request)
    except identity.IdentityError as exc:
        return _text(str(exc), 403)
    hosted = asset_data_for(device.fingerprint, pk, sha256)
    if hosted is None:
        # The same answer whether the asset exists or not: a device learns nothing of others'.
        return _text("no such asset data for this device", 404)
    response = HttpResponse(hosted.data, content_type=hosted.content_type)
    response["Cache-Control"] = "no-store"
    return response
