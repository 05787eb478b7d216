"""Challenges: the points ledger, weekly challenges with server-derived progress, and the weekly reset."""
