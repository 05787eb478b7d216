"""The community app (built in its own issue)."""
