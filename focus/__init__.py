"""The focus app (built in its own issue)."""
