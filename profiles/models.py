"""Configuration profiles models."""
