"""The weekly challenges (the SPA's contract): the week, join and leave, stats and the leaderboard."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from challenges import selectors, services
from challenges.models import WeeklyChallenge
from challenges.weeks import current_week
from learnflow.routers import UUID_REGEX

from .serializers import ChallengeStatsSerializer, LeaderSerializer, LeftSerializer, WeeklyChallengeSerializer


class ChallengeViewSet(viewsets.GenericViewSet):
    serializer_class = WeeklyChallengeSerializer
    lookup_value_regex = UUID_REGEX
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        return WeeklyChallenge.objects.select_related("challenge")

    def _week_item(self, instance_id):
        week = instance_id and get_object_or_404(WeeklyChallenge, pk=instance_id).week_start
        for item in selectors.week_challenges(user=self.request.user, week=week):
            if item.pk == instance_id:
                return item
        return None

    @extend_schema(responses=WeeklyChallengeSerializer(many=True))
    @action(detail=False, methods=["get"])
    def week(self, request):
        """This week's challenges (created on first need) with the caller's progress."""
        week = current_week()
        services.weekly_challenges_ensure(week=week)
        items = selectors.week_challenges(user=request.user, week=week)
        return Response(WeeklyChallengeSerializer(items, many=True).data)

    @extend_schema(request=None, responses=WeeklyChallengeSerializer)
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        instance = self.get_object()
        services.challenge_join(user=request.user, weekly_challenge=instance)
        return Response(WeeklyChallengeSerializer(self._week_item(instance.pk)).data)

    @extend_schema(request=None, responses=LeftSerializer)
    @action(detail=True, methods=["delete"])
    def leave(self, request, pk=None):
        services.challenge_leave(user=request.user, weekly_challenge=self.get_object())
        return Response({"message": "Successfully left challenge"})

    @extend_schema(responses=ChallengeStatsSerializer)
    @action(detail=False, methods=["get"])
    def stats(self, request):
        return Response(ChallengeStatsSerializer(selectors.challenge_stats(user=request.user)).data)

    @extend_schema(responses=LeaderSerializer(many=True))
    @action(detail=False, methods=["get"])
    def leaders(self, request):
        return Response(LeaderSerializer(selectors.weekly_leaderboard(user=request.user), many=True).data)
