"""Stats and weekly reviews of the caller's own study."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics import selectors, services
from analytics.models import WeeklyReview
from learnflow.routers import UUID_REGEX
from learnflow.throttling import TierRateThrottle
from learnflow.views import OwnedQuerysetMixin

from .serializers import StatsSerializer, WeeklyReviewNowSerializer, WeeklyReviewSerializer


class StatsView(APIView):
    """Totals over completed focus sessions and manual logs (breaks excluded)."""

    @extend_schema(responses=StatsSerializer)
    def get(self, request):
        return Response(StatsSerializer(selectors.study_stats(user=request.user)).data)


class WeeklyReviewNowView(APIView):
    """An AI review of the last 7 days: summary, patterns and recommendations. Throttled by tier
    (``ai`` scope); a slow or failing AI answers with the offline writer's review."""

    throttle_classes = [TierRateThrottle]
    tier_throttle_scope = "ai"

    @extend_schema(request=None, responses=WeeklyReviewNowSerializer)
    def post(self, request):
        return Response(WeeklyReviewNowSerializer(services.weekly_review_now(user=request.user)).data)


class WeeklyReviewViewSet(
    OwnedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Stored reviews of past weeks, newest first."""

    serializer_class = WeeklyReviewSerializer
    lookup_value_regex = UUID_REGEX
    filter_backends = []

    owned_model = WeeklyReview

    def owned_queryset(self, user):
        return WeeklyReview.objects.filter(user=user)
