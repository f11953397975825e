"""Device-facing ABM route: the enrollment URL of a Setup Assistant profile."""

from django.urls import path

from enrollment.abm import views

app_name = "abm"

urlpatterns = [
    path("enroll/ade/<uuid:profile_id>", views.enroll, name="enroll"),
]
