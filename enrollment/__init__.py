"""Enrollment: service discovery, account-driven and portal enrollment, enrollment profiles."""
