"""Every throttle of the API guards a business limit, so every one counts atomically."""

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.settings import api_settings

from learnflow.throttling import AtomicRateThrottle


def api_views(patterns=None):
    """Every DRF view class of the URLconf, with the viewset actions it routes (``None`` for an APIView)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from api_views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
            actions = getattr(pattern.callback, "actions", None)
            yield pattern.callback.cls, sorted(set(actions.values())) if actions else [None]


def throttles_of(view_class, action):
    view = view_class()
    view.action = action
    view.kwargs = {}
    return view.get_throttles()


def test_no_default_throttle_bypasses_the_atomic_count():
    assert all(issubclass(throttle, AtomicRateThrottle) for throttle in api_settings.DEFAULT_THROTTLE_CLASSES)


def test_every_throttle_of_the_api_counts_atomically():
    # given
    views = list(api_views())
    # when
    found = {
        (view_class.__name__, action, type(throttle).__name__): isinstance(throttle, AtomicRateThrottle)
        for view_class, actions in views
        for action in actions
        for throttle in throttles_of(view_class, action)
    }
    # then: the throttled views are found, and none counts with DRF's read-modify-write history
    assert {name for name, _, _ in found} >= {"LoginView", "RegisterView", "GroupViewSet", "GoalProgressViewSet"}
    assert [key for key, atomic in found.items() if not atomic] == []
