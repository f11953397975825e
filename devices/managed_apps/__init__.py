"""Managed apps: Apps and Books licences, the app catalogue, assignments and install status."""
