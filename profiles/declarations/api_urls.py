from django.urls import path

from profiles.declarations import api

urlpatterns = [
    path("declarations/", api.DeclarationListApi.as_view(), name="api-declarations"),
    path("declarations/<int:pk>/", api.DeclarationDetailApi.as_view(), name="api-declaration"),
    path(
        "declarations/<int:pk>/data/",
        api.DeclarationAssetDataApi.as_view(),
        name="api-declaration-data",
    ),
    path(
        "declarations/<int:pk>/status/",
        api.DeclarationStatusApi.as_view(),
        name="api-declaration-status",
    ),
    path(
        "declarations/devices/<uuid:public_id>/",
        api.DeviceStatusApi.as_view(),
        name="api-declarations-device",
    ),
    path("declaration-sets/", api.SetListApi.as_view(), name="api-declaration-sets"),
    path("declaration-sets/<int:pk>/", api.SetDetailApi.as_view(), name="api-declaration-set"),
    path(
        "declaration-sets/<int:pk>/assignments/",
        api.SetAssignmentListApi.as_view(),
        name="api-declaration-set-assignments",
    ),
    path(
        "declaration-sets/<int:pk>/assignments/<int:assignment_pk>/",
        api.SetAssignmentDetailApi.as_view(),
        name="api-declaration-set-assignment",
    ),
]
