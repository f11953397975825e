"""Django admin registrations for the directory (read-mostly; secrets are never shown)."""

from __future__ import annotations

from django.contrib import admin

from directory.models import (
    DirectoryGroup,
    DirectoryUser,
    IdentitySource,
    ImportRun,
    Invitation,
    ManagedAppleIdDomain,
)


@admin.register(IdentitySource)
class IdentitySourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "enabled", "apple_id_mapping", "last_synced_at"]
    list_filter = ["kind", "enabled"]
    # Encrypted fields are not editable; change secrets in the console or the API.
    exclude = ["bind_password_encrypted", "client_secret_encrypted", "client_key_encrypted"]


@admin.register(DirectoryUser)
class DirectoryUserAdmin(admin.ModelAdmin):
    list_display = ["username", "email", "source", "enabled", "managed_apple_id_problem"]
    list_filter = ["source", "enabled"]
    search_fields = ["username", "email", "upn", "display_name"]
    exclude = ["password"]
    filter_horizontal = ["groups"]


@admin.register(DirectoryGroup)
class DirectoryGroupAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "source",
        "apple_enrollment_type",
        "default_ownership",
        "priority",
    ]
    list_filter = ["kind", "apple_enrollment_type"]


@admin.register(ManagedAppleIdDomain)
class ManagedAppleIdDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "enabled"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "user", "expires_at", "used_at", "created_by"]
    exclude = ["token_hash"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "source",
        "kind",
        "status",
        "found",
        "created",
        "updated",
        "disabled",
        "created_at",
    ]
    list_filter = ["status", "kind"]
