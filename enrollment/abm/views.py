"""Protocol view of Automated Device Enrollment: Setup Assistant posts the device's MachineInfo
to the profile's URL and gets the signed enrollment profile."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from enrollment.abm import services
from enrollment.services.core import EnrollmentError
from mdm_server.cache_control import never_cache

PROFILE_CONTENT_TYPE = "application/x-apple-aspen-config"


@csrf_exempt
@never_cache
@require_POST
def enroll(request: HttpRequest, profile_id: UUID) -> HttpResponse:
    try:
        profile = services.enroll_ade_device(profile_id=str(profile_id), body=request.body)
    except EnrollmentError as exc:
        return HttpResponse(
            exc.message, status=exc.status, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse(profile, content_type=PROFILE_CONTENT_TYPE)
