"""The tasks app (built in its own issue)."""
