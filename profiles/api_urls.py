from django.urls import path

from profiles import api

urlpatterns = [
    path("profiles/", api.ProfileListApi.as_view(), name="api-profiles"),
    path("profiles/upload/", api.ProfileUploadApi.as_view(), name="api-profile-upload"),
    path("profiles/catalogue/", api.CatalogueApi.as_view(), name="api-profile-catalogue"),
    path("profiles/<int:pk>/", api.ProfileDetailApi.as_view(), name="api-profile"),
    path("profiles/<int:pk>/upload/", api.ProfileReplaceApi.as_view(), name="api-profile-replace"),
    path(
        "profiles/<int:pk>/ue-report/",
        api.ProfileUserEnrollmentReportApi.as_view(),
        name="api-profile-ue-report",
    ),
    path(
        "profiles/<int:pk>/mobileconfig/",
        api.ProfileDownloadApi.as_view(),
        name="api-profile-download",
    ),
    path(
        "profiles/<int:pk>/assignments/",
        api.AssignmentListApi.as_view(),
        name="api-profile-assignments",
    ),
    path(
        "profiles/<int:pk>/assignments/<int:assignment_pk>/",
        api.AssignmentDetailApi.as_view(),
        name="api-profile-assignment",
    ),
    path(
        "profiles/<int:pk>/deliveries/",
        api.DeliveryListApi.as_view(),
        name="api-profile-deliveries",
    ),
]
