"""Throttles shared by every app.

Every LearnFlow throttle guards a business limit (progress per day, AI reviews, login attempts,
registrations, group joins), so every one counts atomically: parallel requests can never get more
than the limit through. DRF's own throttles read the request history, decide in Python and write it
back, so requests arriving together all read the same history and all pass.
"""

import contextlib

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, SimpleRateThrottle


class AtomicRateThrottle(SimpleRateThrottle):
    """At most ``num_requests`` requests per key in each calendar window of the rate's period
    (UTC second, minute, hour or day), counted with one atomic increment, so parallel requests are
    admitted exactly up to the limit. A refused request does not count, and its ``Retry-After`` is the
    time left until the window ends. Calendar windows keep the count to one integer (at most 2N pass
    in one period straddling a boundary, as with any fixed window).

    The counter is a cache entry: ``add`` (create if absent) then ``incr``, both atomic on Redis
    (``SET NX`` and ``INCRBY``) and on the local-memory cache of the embedded default (a lock).
    """

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = (window + 1) * self.duration
        key = f"{key}:{window}"
        count = self._count(key)
        if count is None or count <= self.num_requests:
            return True
        with contextlib.suppress(ValueError):
            self.cache.decr(key)
        return False

    def _count(self, key: str) -> int | None:
        """The key's count including this request, or ``None`` when the cache is down (django-redis
        ignores its connection errors: ``add`` and ``incr`` answer ``None``); the request is then let
        through, since a limit that cannot be counted is not enforced (``learnflow.cache``). The entry
        outlives its window, so it cannot expire between ``add`` and ``incr``; a local-memory cache
        may still cull it, and then it starts over."""
        timeout = int(self.window_end - self.now) + 1
        while True:
            self.cache.add(key, 0, timeout)
            with contextlib.suppress(ValueError):
                return self.cache.incr(key)

    def wait(self):
        return max(self.window_end - self.now, 1)


class AtomicAnonRateThrottle(AnonRateThrottle, AtomicRateThrottle):
    """Anonymous requests counted per client IP (see ``NUM_PROXIES``)."""


class AtomicScopedRateThrottle(ScopedRateThrottle, AtomicRateThrottle):
    """A view's ``throttle_scope``, counted per user (per client IP for anonymous requests)."""


class TierRateThrottle(AtomicRateThrottle):
    """Limits a view's ``tier_throttle_scope`` per user, at the rate of the user's tier.

    Rates come from ``settings.LEARNFLOW_TIER_THROTTLE_RATES[scope][tier]`` (the LearnFlow seed:
    progress logging 10/day free, 1000/day premium). The count is kept per user and scope, not per
    tier, so an upgrade raises the ceiling without resetting what was already used.
    """

    def __init__(self):
        # The rate depends on the request's user, so it is resolved in allow_request.
        pass

    def allow_request(self, request, view):
        self.scope = getattr(view, "tier_throttle_scope", None)
        if not self.scope or not request.user or not request.user.is_authenticated:
            return True
        self.rate = settings.LEARNFLOW_TIER_THROTTLE_RATES[self.scope][request.user.tier]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": f"tier_{self.scope}", "ident": request.user.pk}
