"""Directory write path: sources, users, groups, Managed Apple IDs, invitations, imports, syncs.

Imports are all-or-nothing per run: records are collected from the directory first (progress is
written to the ImportRun as pages arrive), then applied in one transaction.
"""

from directory.services.common import (
    INVITATION_LIFETIME,
    LOCAL_SOURCE_NAME,
    MAX_IMPORT_USERS,
    MAX_SELECTION,
    Actor,
    DirectoryError,
    InvitationError,
)
from directory.services.imports import (
    Collected,
    SearchHit,
    execute_import_run,
    search_directory,
    start_import,
    start_sync,
    sync_all_sources,
)
from directory.services.invitations import (
    create_invitation,
    find_invitation,
    invitation_url,
    redeem_invitation,
)
from directory.services.signin import (
    check_local_password,
    upsert_signed_in_user,
)
from directory.services.sources import (
    EDITABLE_SOURCE_FIELDS,
    SECRET_FIELDS,
    STALE_RUN_AFTER,
    SourceInvalid,
    delete_source,
    entra_config,
    ldap_config,
    local_source,
    local_source_exists,
    save_source,
    source_problems,
    test_source,
)
from directory.services.users import (
    DEFAULT_SETTINGS,
    EnrollmentSettings,
    add_managed_apple_id_domain,
    create_local_user,
    delete_group,
    enrollment_settings_for,
    managed_apple_id_domains,
    recompute_managed_apple_id,
    remove_managed_apple_id_domain,
    save_group,
    set_group_members,
    update_user,
)

__all__ = [
    "DEFAULT_SETTINGS",
    "EDITABLE_SOURCE_FIELDS",
    "INVITATION_LIFETIME",
    "LOCAL_SOURCE_NAME",
    "MAX_IMPORT_USERS",
    "MAX_SELECTION",
    "SECRET_FIELDS",
    "STALE_RUN_AFTER",
    "Actor",
    "Collected",
    "DirectoryError",
    "EnrollmentSettings",
    "InvitationError",
    "SearchHit",
    "SourceInvalid",
    "add_managed_apple_id_domain",
    "check_local_password",
    "create_invitation",
    "create_local_user",
    "delete_group",
    "delete_source",
    "enrollment_settings_for",
    "entra_config",
    "execute_import_run",
    "find_invitation",
    "invitation_url",
    "ldap_config",
    "local_source",
    "local_source_exists",
    "managed_apple_id_domains",
    "recompute_managed_apple_id",
    "redeem_invitation",
    "remove_managed_apple_id_domain",
    "save_group",
    "save_source",
    "search_directory",
    "set_group_members",
    "source_problems",
    "start_import",
    "start_sync",
    "sync_all_sources",
    "test_source",
    "update_user",
    "upsert_signed_in_user",
]
