"""Enrollment models."""
