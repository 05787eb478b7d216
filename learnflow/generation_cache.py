"""Derived data cached under a *generation*: fresh after every committed change, one Redis round trip
on a hit.

A generation is a random token kept under its own key; a change ends it (``generation_end``: the key
is deleted at once and again once the transaction commits, through ``cache_invalidate``, so a failed
delete is retried).
A value is stored as ``(token, value)`` under a fixed key, and both keys are read together in one
``get_many``: the value counts only while it carries the current token. The token is read before
the value is computed, so a value computed from rows read before a change committed carries a
token that the change ends: it is never served after the change (read-your-writes), whatever the
order in which the reads, the commit and the deletion happen. With the cache down every read
computes (``learnflow.cache``).
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction

from .cache import CacheReads, cache_invalidate


def generation_cached(
    *,
    key: str,
    generation_key: str,
    compute: Callable[[], Any],
    timeout: int,
    reads: CacheReads | None = None,
    valid: Callable[[Any], bool] | None = None,
) -> Any:
    """``compute()``'s value, from the cache while the generation under ``generation_key`` that it
    was computed in lasts (and at most ``timeout`` seconds). ``reads``: what the request already read
    (``[generation_key, key]`` read with the token's user costs no round trip more). ``valid``: whether
    a stored value may still be served (e.g. it was computed in the user's current timezone)."""
    found = (reads or CacheReads()).get_many([generation_key, key])
    token, entry = found.get(generation_key), found.get(key)
    if token is not None and entry is not None and entry[0] == token and (valid is None or valid(entry[1])):
        return entry[1]
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(generation_key, token, timeout=None):
            token = cache.get(generation_key) or token
    value = compute()
    cache.set(key, (token, value), timeout=timeout)
    return value


def generation_end(generation_key: str) -> None:
    """End the generation now and again once the current transaction commits: a read between the
    two may compute from rows the transaction has not committed yet, under a generation that the
    second end closes."""
    cache.delete(generation_key)
    transaction.on_commit(lambda: cache_invalidate([generation_key]))
