from django.urls import path

from profiles import console

urlpatterns = [
    path("", console.profile_list, name="profiles-list"),
    path("new/", console.profile_create, name="profiles-create"),
    path("upload/", console.profile_upload, name="profiles-upload"),
    path("<int:pk>/", console.profile_detail, name="profiles-detail"),
    path("<int:pk>/edit/", console.profile_edit, name="profiles-edit"),
    path("<int:pk>/replace/", console.profile_replace, name="profiles-replace"),
    path("<int:pk>/ue-mode/", console.profile_ue_mode, name="profiles-ue-mode"),
    path("<int:pk>/assign/", console.profile_assign, name="profiles-assign"),
    path("<int:pk>/device-search/", console.device_picker, name="profiles-device-picker"),
    path(
        "<int:pk>/assignments/<int:assignment_pk>/delete/",
        console.assignment_delete,
        name="profiles-unassign",
    ),
    path("<int:pk>/delete/", console.profile_delete, name="profiles-delete"),
    path("<int:pk>/download/", console.profile_download, name="profiles-download"),
]
