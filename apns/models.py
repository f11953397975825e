"""Push notifications (APNs) models."""
