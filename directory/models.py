"""Directory models."""
