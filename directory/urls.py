"""Public directory routes: the page an invitation link opens."""

from django.urls import path

from directory import views

urlpatterns = [
    path("directory/invitation/<str:token>/", views.invitation, name="directory-invitation"),
]
