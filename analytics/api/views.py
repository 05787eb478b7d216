"""Stats, analytics, streaks, leaderboards and weekly reviews of the caller's own study; other users'
streaks as their profile visibility allows; a group's stats for its members."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import CachedUserJWTAuthentication
from accounts.selectors import users_with_visible_stats
from analytics import activity, dashboard, leaderboards, reports, selectors, services, streaks
from analytics.models import FocusTotal, WeeklyReview
from community.models import Group
from community.selectors import group_of_member
from focus.api.serializers import FocusSessionSerializer
from learnflow.dates import date_param, month_param
from learnflow.openapi import errors
from learnflow.routers import UUID_REGEX
from learnflow.throttling import TierRateThrottle
from learnflow.timeutils import local_today, user_zone
from learnflow.views import OwnedQuerysetMixin

from .serializers import (
    ActivityOverviewSerializer,
    ActivityRangeSerializer,
    CalendarSerializer,
    ComprehensiveAnalyticsSerializer,
    DailyAnalyticsSerializer,
    DashboardRoomSerializer,
    DashboardSerializer,
    DateRangeSerializer,
    FocusLeaderSerializer,
    GroupStatsSerializer,
    MonthlyAnalyticsSerializer,
    MyStreaksSerializer,
    PublicStreakSerializer,
    StatsSerializer,
    StreakStatsSerializer,
    TimeByGroupSerializer,
    TodaySummarySerializer,
    WeeklyAnalyticsSerializer,
    WeeklyReviewNowSerializer,
    WeeklyReviewSerializer,
    WeekSummarySerializer,
)


class StatsView(APIView):
    """Totals over completed focus sessions and manual logs (breaks excluded)."""

    @extend_schema(responses=StatsSerializer)
    def get(self, request):
        return Response(StatsSerializer(selectors.study_stats(user=request.user)).data)


class DashboardView(APIView):
    """Your home screen in one request: you, today against your goal, streaks, tasks due, this week's
    challenges, unread counts, the latest weekly review and your weekly rank."""

    cache_reads = None  # what the authentication read with the token's user (cache_prefetch_keys)

    def cache_prefetch_keys(self, user_id) -> list[str]:
        return dashboard.cache_keys()

    @extend_schema(responses=DashboardSerializer)
    def get(self, request):
        data = dashboard.dashboard(user=request.user, reads=self.cache_reads)
        today = data["today"]
        if today["active_timer"] is not None:
            today["active_timer"] = FocusSessionSerializer(today["active_timer"]).data
        if today["room"] is not None:
            today["room"] = DashboardRoomSerializer(today["room"]).data
        return Response(data)


class TimeByGroupView(APIView):
    """Your counted study time per group (completed focus sessions and manual logs), between two
    local dates inclusive (all time by default)."""

    @extend_schema(parameters=[DateRangeSerializer], responses=TimeByGroupSerializer)
    def get(self, request):
        params = DateRangeSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(TimeByGroupSerializer(selectors.time_by_group(user=request.user, **params.validated_data)).data)


def _local_today(request):
    return local_today(user_zone(request.user))


class DailyAnalyticsView(APIView):
    """One local day of your study (completed focus sessions, timed or logged): totals, by topic, by
    hour of the local clock, first and last session. A future day is a day without study."""

    @extend_schema(
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, description="your local day; today by default")],
        responses=DailyAnalyticsSerializer,
    )
    def get(self, request):
        day = date_param(request, "date", default=_local_today(request))
        return Response(DailyAnalyticsSerializer(reports.day_report(user=request.user, day=day)).data)


class WeeklyAnalyticsView(APIView):
    """One local week (Monday to Sunday) of your study, day by day, against the week before."""

    @extend_schema(
        parameters=[
            OpenApiParameter("week_start", OpenApiTypes.DATE, description="any day of the week; this week by default")
        ],
        responses=WeeklyAnalyticsSerializer,
    )
    def get(self, request):
        day = date_param(request, "week_start", default=_local_today(request))
        return Response(WeeklyAnalyticsSerializer(reports.week_report(user=request.user, day=day)).data)


class MonthlyAnalyticsView(APIView):
    """One local calendar month of your study, day by day, with its best day and best week."""

    @extend_schema(
        parameters=[OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM, this local month by default")],
        responses=MonthlyAnalyticsSerializer,
    )
    def get(self, request):
        first = month_param(request, "month", default=_local_today(request).replace(day=1))
        return Response(MonthlyAnalyticsSerializer(reports.month_report(user=request.user, first=first)).data)


class ComprehensiveAnalyticsView(APIView):
    """All your study: totals, session lengths, most productive hour and weekday, consistency, this
    week and month, top topics and your study streak."""

    @extend_schema(responses=ComprehensiveAnalyticsSerializer)
    def get(self, request):
        return Response(ComprehensiveAnalyticsSerializer(reports.all_time_report(user=request.user)).data)


class TodaySummaryView(APIView):
    """Today against yesterday (your local days), with your daily focus goal."""

    @extend_schema(responses=TodaySummarySerializer)
    def get(self, request):
        return Response(TodaySummarySerializer(reports.today_summary(user=request.user)).data)


class WeekSummaryView(APIView):
    """This week so far against the same days of last week, and this week's consistency."""

    @extend_schema(responses=WeekSummarySerializer)
    def get(self, request):
        return Response(WeekSummarySerializer(reports.week_summary(user=request.user)).data)


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


class MyStreaksView(APIView):
    @extend_schema(responses=MyStreaksSerializer)
    def get(self, request):
        return Response(_my_streaks(request.user))


def _my_streaks(user) -> dict:
    data = {**streaks.study_streak(user=user), "shutdown": streaks.shutdown_streak_summary(user=user)}
    return MyStreaksSerializer(data).data


class StreakUpdateView(APIView):
    """Recompute the caller's study streak from their sessions now and answer it (as
    ``GET /api/streaks/me``). Idempotent: streaks are also recomputed after every session and nightly."""

    @extend_schema(request=None, responses=MyStreaksSerializer)
    def post(self, request):
        streaks.streak_refresh(user=request.user)
        return Response(_my_streaks(request.user))


def _stats_owner(request, user_id):
    """The user whose streak the caller asks for: 404 when there is no such active user, and when
    their ``profile_visibility`` hides their stats from the caller (the same answer, so a hidden
    streak looks like no user at all; the owner always sees their own)."""
    return get_object_or_404(users_with_visible_stats(viewer=request.user), pk=user_id)


def _calendar(request, owner):
    """The owner's study calendar of ``?month=``, on the owner's local days (this month of theirs by
    default)."""
    first = month_param(request, "month", default=local_today(user_zone(owner)).replace(day=1))
    days = streaks.study_calendar(user=owner, year=first.year, month=first.month)
    return Response(CalendarSerializer({"month": f"{first:%Y-%m}", "days": days}).data)


MONTH_PARAMETER = OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM, this local month by default")


class MyCalendarView(APIView):
    @extend_schema(parameters=[MONTH_PARAMETER], responses=CalendarSerializer)
    def get(self, request):
        return _calendar(request, request.user)


class UserCalendarView(APIView):
    """A user's study calendar, on their local days, as their ``profile_visibility`` allows (404
    when hidden or unknown)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM, the owner's local month by default")
        ],
        responses=CalendarSerializer,
    )
    def get(self, request, user_id):
        return _calendar(request, _stats_owner(request, user_id))


class MyStreakStatsView(APIView):
    @extend_schema(responses=StreakStatsSerializer)
    def get(self, request):
        return Response(StreakStatsSerializer(streaks.streak_stats(user=request.user)).data)


class UserStreakStatsView(APIView):
    """A user's streak stats as their ``profile_visibility`` allows (404 when hidden or unknown)."""

    @extend_schema(responses=StreakStatsSerializer)
    def get(self, request, user_id):
        return Response(StreakStatsSerializer(streaks.streak_stats(user=_stats_owner(request, user_id))).data)


class PublicStreakView(APIView):
    """Another user's study streak, as their ``profile_visibility`` allows (404 when hidden or unknown)."""

    @extend_schema(responses=PublicStreakSerializer)
    def get(self, request, user_id):
        return Response(PublicStreakSerializer(streaks.study_streak(user=_stats_owner(request, user_id))).data)


class GroupStatsView(APIView):
    """A group's study and library, for its members: in a public group an outsider gets 403, in a
    private one 404 (as the group's chat and library). The group's sessions are those its current
    members put in it (see ``analytics.selectors.group_stats``)."""

    @errors(403)
    @extend_schema(responses=GroupStatsSerializer)
    def get(self, request, group_id):
        group = group_of_member(user=request.user, group_id=group_id)
        return Response(GroupStatsSerializer(selectors.group_stats(group=group)).data)


PERIOD_PARAMETER = OpenApiParameter(
    "period", OpenApiTypes.STR, enum=list(FocusTotal.Period.values), description="default weekly"
)


def _period(request) -> str:
    period = request.query_params.get("period", FocusTotal.Period.WEEKLY)
    if period not in FocusTotal.Period.values:
        raise ValidationError({"period": [f"Choose one of: {', '.join(FocusTotal.Period.values)}."]})
    return period


class GlobalLeaderboardView(APIView):
    """Everyone ranked by verified focus time: ``?period=weekly`` (default), ``monthly`` or ``all_time``."""

    @extend_schema(
        parameters=[PERIOD_PARAMETER],
        responses=FocusLeaderSerializer(many=True),
    )
    def get(self, request):
        rows = leaderboards.global_leaderboard(user=request.user, period=_period(request))
        return Response(FocusLeaderSerializer(rows, many=True).data)


class GroupLeaderboardView(APIView):
    """A group's members ranked by verified focus time (members only; anyone else gets 404)."""

    @extend_schema(
        parameters=[PERIOD_PARAMETER],
        responses=FocusLeaderSerializer(many=True),
    )
    def get(self, request, group_id):
        group = get_object_or_404(Group, pk=group_id, is_active=True, memberships__user=request.user)
        rows = leaderboards.global_leaderboard(user=request.user, period=_period(request), group=group)
        return Response(FocusLeaderSerializer(rows, many=True).data)


class ActivityView(APIView):
    """Staff only: the whole product's activity per day over a range of site-calendar days (active
    users, verified focus minutes, challenge joins and completions, registrations), sessions by the
    hour of each user's local clock, and the top topics. Kept 60 seconds per range. The admin's
    Activity page calls it with the admin's session cookie; an access token works too."""

    authentication_classes = [CachedUserJWTAuthentication, SessionAuthentication]
    permission_classes = [IsAdminUser]

    @extend_schema(parameters=[ActivityRangeSerializer], responses=ActivityOverviewSerializer)
    @errors(403)
    def get(self, request):
        params = ActivityRangeSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(ActivityOverviewSerializer(activity.activity_overview_cached(**params.validated_data)).data)
