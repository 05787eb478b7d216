"""The challenges app (built in its own issue)."""
