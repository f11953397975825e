"""Routes Apple calls: Apps and Books notifications (mounted at the site root)."""

from django.urls import path

from devices.managed_apps import views

urlpatterns = [
    path(
        "apps-books/notifications/<uuid:notify_id>/",
        views.notification,
        name="apps-books-notify",
    ),
]
