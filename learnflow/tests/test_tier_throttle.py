"""TierRateThrottle: a per-user count whose ceiling comes from the user's tier."""

from datetime import UTC, datetime

import pytest
import time_machine
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from accounts.choices import Tier
from accounts.tests.factories import UserFactory
from learnflow.throttling import TierRateThrottle

pytestmark = pytest.mark.django_db


class ProgressView(APIView):
    tier_throttle_scope = "progress"
    throttle_classes = [TierRateThrottle]

    def post(self, request):
        return Response({"ok": True})


class UnscopedView(APIView):
    throttle_classes = [TierRateThrottle]

    def post(self, request):
        return Response({"ok": True})


@pytest.fixture(autouse=True)
def tier_rates(settings):
    settings.LEARNFLOW_TIER_THROTTLE_RATES = {"progress": {"free": "2/day", "premium": "5/day"}}


def call(user, view=ProgressView):
    request = APIRequestFactory().post("/progress/", {}, format="json")
    force_authenticate(request, user=user)
    return view.as_view()(request)


def statuses(user, times: int) -> list[int]:
    return [call(user).status_code for _ in range(times)]


def test_free_user_gets_the_free_rate_then_429_with_retry_after():
    # given
    user = UserFactory(tier=Tier.FREE)
    # when
    allowed = statuses(user, 2)
    blocked = call(user)
    # then
    assert allowed == [200, 200]
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 24 * 60 * 60
    assert "throttled" in str(blocked.data["detail"])


def test_premium_user_gets_the_premium_rate():
    # given
    user = UserFactory(tier=Tier.PREMIUM)
    # when
    result = statuses(user, 6)
    # then
    assert result == [200] * 5 + [429]


def test_the_count_is_per_user():
    # given
    exhausted, fresh = UserFactory(tier=Tier.FREE), UserFactory(tier=Tier.FREE)
    statuses(exhausted, 2)
    # when
    result = statuses(fresh, 3)
    # then
    assert call(exhausted).status_code == 429
    assert result == [200, 200, 429]


def test_an_upgraded_user_keeps_the_count_but_gets_the_higher_ceiling():
    # given
    user = UserFactory(tier=Tier.FREE)
    assert statuses(user, 3) == [200, 200, 429]
    # when
    user.tier = Tier.PREMIUM
    user.save(update_fields=["tier"])
    result = statuses(user, 4)
    # then
    assert result == [200, 200, 200, 429]


def test_a_view_without_a_tier_scope_is_not_limited():
    # given
    user = UserFactory(tier=Tier.FREE)
    # when
    result = [call(user, view=UnscopedView).status_code for _ in range(4)]
    # then
    assert result == [200] * 4


def test_anonymous_requests_are_left_to_the_permission_classes():
    # given
    class OpenProgressView(ProgressView):
        permission_classes = []
        authentication_classes = []

    factory = APIRequestFactory()
    # when
    result = [OpenProgressView.as_view()(factory.post("/progress/", {}, format="json")).status_code for _ in range(3)]
    # then
    assert result == [200] * 3


def test_the_allowance_renews_at_utc_midnight_where_retry_after_points():
    # given: a free user who used the day's allowance at 18:00 UTC
    user = UserFactory(tier=Tier.FREE)
    with time_machine.travel(datetime(2030, 1, 1, 18, 0, tzinfo=UTC), tick=False):
        assert statuses(user, 2) == [200, 200]
        # when
        blocked = call(user)
    with time_machine.travel(datetime(2030, 1, 2, 0, 0, 1, tzinfo=UTC), tick=False):
        next_day = statuses(user, 3)
    # then
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) == 6 * 60 * 60
    assert next_day == [200, 200, 429]
