"""Throttles shared by every app."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class TierRateThrottle(SimpleRateThrottle):
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
