"""Read-only Django admin views of SCEP challenges and issued certificates (writes go through
services)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from mdm_server.pki.models import IssuedCertificate, ScepChallenge


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(IssuedCertificate)
class IssuedCertificateAdmin(_ReadOnly):
    list_display = ("subject", "reference", "source", "not_after", "revoked_at", "fingerprint")
    list_filter = ("source",)
    search_fields = ("fingerprint", "reference", "subject", "serial")


@admin.register(ScepChallenge)
class ScepChallengeAdmin(_ReadOnly):
    list_display = ("reference", "created_at", "expires_at", "used_at")
    search_fields = ("reference",)
    exclude = ("challenge_hash",)
