"""The weekly challenges (the SPA's contract): the week, join and leave, stats and the leaderboard."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import users_with_visible_stats
from challenges import achievements, selectors, services
from challenges.filters import AchievementFilter
from challenges.models import Achievement, WeeklyChallenge
from challenges.weeks import current_week
from learnflow.filters import FilterBackend
from learnflow.openapi import errors
from learnflow.routers import UUID_REGEX

from .serializers import (
    AchievementProgressSerializer,
    AchievementSerializer,
    ChallengeStatsSerializer,
    LeaderSerializer,
    LeftSerializer,
    UnlockedAchievementSerializer,
    WeeklyChallengeSerializer,
)


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
            if item["id"] == instance_id:
                return item
        return None

    cache_reads = None  # what the authentication read with the token's user (cache_prefetch_keys)

    def cache_prefetch_keys(self, user_id) -> list[str]:
        return selectors.week_cache_keys(week=current_week()) if self.action == "week" else []

    @extend_schema(responses=WeeklyChallengeSerializer(many=True))
    @action(detail=False, methods=["get"])
    def week(self, request):
        """This week's challenges (created on first need) with the caller's progress."""
        # The items are built in the selector in the shape WeeklyChallengeSerializer documents.
        items = services.week_challenges_ensured(user=request.user, week=current_week(), reads=self.cache_reads)
        return Response(items)

    @errors(409)
    @extend_schema(request=None, responses=WeeklyChallengeSerializer)
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        instance = self.get_object()
        services.challenge_join(user=request.user, weekly_challenge=instance)
        return Response(self._week_item(instance.pk))

    @errors(409)
    @extend_schema(request=None, responses={200: LeftSerializer})
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


class AchievementViewSet(viewsets.GenericViewSet):
    """Achievement definitions, the caller's unlocked ones and their progress toward each."""

    serializer_class = AchievementSerializer
    filter_backends = [FilterBackend]
    filterset_class = AchievementFilter
    pagination_class = None

    def get_queryset(self):
        return Achievement.objects.filter(is_active=True)

    @extend_schema(responses=AchievementSerializer(many=True))
    def list(self, request):
        """Every active achievement (``?category=`` for one category)."""
        return Response(AchievementSerializer(self.filter_queryset(self.get_queryset()), many=True).data)

    @extend_schema(responses=UnlockedAchievementSerializer(many=True))
    @action(detail=False, methods=["get"])
    def me(self, request):
        rows = selectors.achievements_unlocked(user=request.user)
        return Response(UnlockedAchievementSerializer(rows, many=True).data)

    @extend_schema(responses=AchievementProgressSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="me/progress")
    def progress(self, request):
        rows = achievements.achievements_progress(user=request.user)
        return Response(AchievementProgressSerializer(rows, many=True).data)


class UserAchievementsView(APIView):
    """A user's unlocked achievements, the latest first, as their ``profile_visibility`` allows: 404
    when hidden from the caller or unknown (the owner always sees their own)."""

    @extend_schema(responses=UnlockedAchievementSerializer(many=True))
    def get(self, request, user_id):
        owner = get_object_or_404(users_with_visible_stats(viewer=request.user), pk=user_id)
        return Response(UnlockedAchievementSerializer(selectors.achievements_unlocked(user=owner), many=True).data)
