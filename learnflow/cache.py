"""What LearnFlow does when the cache (Redis) is down.

The rule, per use (README, "When a dependency fails"):

* **Reads** (``cache.get``) of the ``default`` cache answer "not cached" and the caller computes from
  the database; **writes** (``set``/``add``) are dropped. django-redis's ``IGNORE_EXCEPTIONS`` does
  this, so no request fails because Redis does.
* **Throttles** let the request through: a limit that cannot be counted is not enforced
  (``learnflow.throttling``); refusing every request would turn a cache outage into an API outage.
* **Invalidations** must not be lost, or a stale value would be served once Redis is back with its
  data: ``cache_invalidate`` deletes through the ``strict`` cache (the same Redis, raising), and a
  delete that fails is queued through the outbox as the ``learnflow.cache_invalidate`` job, retried
  until Redis answers.
"""

import logging
from collections.abc import Iterable

from django.core.cache import cache, caches

logger = logging.getLogger(__name__)


def cache_delete_strict(keys: list[str]) -> None:
    """Delete ``keys`` from the cache, raising if the cache does not answer."""
    caches["strict"].delete_many(keys)


def cache_invalidate(keys: Iterable[str]) -> None:
    """Delete ``keys`` now; if the cache is down, record the deletion to be retried (never raises
    for the cache). Call it after commit (``transaction.on_commit``), as an invalidation of data that
    the transaction changed."""
    from .jobs import cache_invalidate as invalidate_job
    from .outbox import outbox_enqueue

    keys = list(keys)
    try:
        cache_delete_strict(keys)
    except Exception as exc:  # noqa: BLE001 - whatever the cache raised, the deletion is retried
        logger.warning("cache invalidation of %s failed (%s); queued for a retry", keys, exc)
        outbox_enqueue(invalidate_job, keys)


class CacheReads:
    """Cache reads of one request. ``CacheReads()`` reads the cache when asked; ``CacheReads(found,
    keys)`` holds what was already read for ``keys`` (with the token's user, in the same round trip:
    ``accounts.authentication``) and reads the cache only for keys beyond those."""

    def __init__(self, found: dict | None = None, keys: Iterable[str] = ()):
        self.found = found or {}
        self.keys = frozenset(keys)

    def get_many(self, keys: list[str]) -> dict:
        """The values of ``keys`` that the cache holds (one round trip at most)."""
        if self.keys.issuperset(keys):
            return {key: self.found[key] for key in keys if key in self.found}
        return cache.get_many(keys)
