"""Console routes for the directory, mounted at /console/directory/."""

from django.urls import path

from directory import console

urlpatterns = [
    path("", console.overview, name="directory-overview"),
    path("sources/new/", console.source_create, name="directory-source-create"),
    path("sources/<int:pk>/", console.source_detail, name="directory-source"),
    path("sources/<int:pk>/test/", console.source_test, name="directory-source-test"),
    path("sources/<int:pk>/sync/", console.source_sync, name="directory-source-sync"),
    path("sources/<int:pk>/delete/", console.source_delete, name="directory-source-delete"),
    path("sources/<int:pk>/import/", console.source_import, name="directory-source-import"),
    path(
        "sources/<int:pk>/test-sign-in/",
        console.source_test_sign_in,
        name="directory-source-test-sign-in",
    ),
    path("entra/callback/", console.entra_callback, name="directory-entra-callback"),
    path("runs/<int:pk>/", console.run_detail, name="directory-run"),
    path("runs/<int:pk>/progress/", console.run_progress, name="directory-run-progress"),
    path("users/", console.user_list, name="directory-users"),
    path("users/new/", console.user_create, name="directory-user-create"),
    path("users/<int:pk>/", console.user_detail, name="directory-user"),
    path("users/<int:pk>/invite/", console.user_invite, name="directory-user-invite"),
    path("users/<int:pk>/recompute/", console.user_recompute, name="directory-user-recompute"),
    path("groups/", console.group_list, name="directory-groups"),
    path("groups/<int:pk>/", console.group_detail, name="directory-group"),
    path("domains/", console.domain_list, name="directory-domains"),
]
