from django.apps import AppConfig


class ApnsConfig(AppConfig):
    name = "apns"
    verbose_name = "Push notifications (APNs)"
