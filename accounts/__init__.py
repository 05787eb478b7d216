"""Accounts: the custom user, JWT auth, profiles, tier throttles and the notifications inbox."""
