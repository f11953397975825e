from django.urls import path

from devices import views

urlpatterns = [
    path("mdm/checkin", views.checkin, name="mdm-checkin"),
    path("mdm/connect", views.connect, name="mdm-connect"),
]
