"""The analytics app (built in its own issue)."""
