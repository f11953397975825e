"""Console routes of Apple Business Manager (mounted at /console/abm/)."""

from django.urls import path

from enrollment.abm import console

app_name = "abm-console"

urlpatterns = [
    path("", console.link_list, name="links"),
    path("<int:pk>/", console.link_detail, name="link"),
    path("<int:pk>/certificate.pem", console.link_certificate, name="certificate"),
    path("<int:pk>/profiles/new/", console.profile_page, name="profile-new"),
    path("<int:pk>/profiles/<int:profile_pk>/", console.profile_page, name="profile"),
]
