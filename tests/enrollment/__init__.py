"""Tests of the enrollment app."""
