from django.urls import path

from profiles.declarations import views

urlpatterns = [
    path(
        "mdm/declarations/profile/<str:value>",
        views.legacy_profile,
        name="declarations-legacy-profile",
    ),
    path(
        "mdm/declarations/asset/<int:pk>/<str:sha256>",
        views.asset_data,
        name="declarations-asset-data",
    ),
]
