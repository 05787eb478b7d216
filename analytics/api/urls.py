from django.urls import re_path

from learnflow.routers import UUID_REGEX, OptionalSlashRouter, api_path

from .views import (
    ActivityView,
    ComprehensiveAnalyticsView,
    DailyAnalyticsView,
    DashboardView,
    GlobalLeaderboardView,
    GroupLeaderboardView,
    GroupStatsView,
    MonthlyAnalyticsView,
    MyCalendarView,
    MyStreakStatsView,
    MyStreaksView,
    PublicStreakView,
    StatsView,
    StreakUpdateView,
    TimeByGroupView,
    TodaySummaryView,
    UserCalendarView,
    UserStreakStatsView,
    WeeklyAnalyticsView,
    WeeklyReviewNowView,
    WeeklyReviewViewSet,
    WeekSummaryView,
)

router = OptionalSlashRouter()
router.register("weekly-reviews", WeeklyReviewViewSet, basename="weekly-review")

urlpatterns = [
    api_path("admin/activity", ActivityView.as_view(), name="admin-activity"),
    api_path("stats", StatsView.as_view(), name="stats"),
    api_path("dashboard", DashboardView.as_view(), name="dashboard"),
    api_path("weekly-review", WeeklyReviewNowView.as_view(), name="weekly-review-now"),
    api_path("study-sessions/analytics/daily", DailyAnalyticsView.as_view(), name="analytics-daily"),
    api_path("study-sessions/analytics/weekly", WeeklyAnalyticsView.as_view(), name="analytics-weekly"),
    api_path("study-sessions/analytics/monthly", MonthlyAnalyticsView.as_view(), name="analytics-monthly"),
    api_path("study-sessions/analytics/comprehensive", ComprehensiveAnalyticsView.as_view(), name="analytics-all-time"),
    api_path("study-sessions/analytics/by-group", TimeByGroupView.as_view(), name="analytics-by-group"),
    api_path("study-sessions/summary/today", TodaySummaryView.as_view(), name="summary-today"),
    api_path("study-sessions/summary/week", WeekSummaryView.as_view(), name="summary-week"),
    api_path("study-sessions/leaderboards/global", GlobalLeaderboardView.as_view(), name="leaderboard-global"),
    re_path(
        rf"^study-sessions/leaderboards/group/(?P<group_id>{UUID_REGEX})/?$",
        GroupLeaderboardView.as_view(),
        name="leaderboard-group",
    ),
    api_path("streaks/me", MyStreaksView.as_view(), name="streaks-me"),
    api_path("streaks/update", StreakUpdateView.as_view(), name="streaks-update"),
    api_path("streaks/calendar/me", MyCalendarView.as_view(), name="streaks-calendar-me"),
    api_path("streaks/stats/me", MyStreakStatsView.as_view(), name="streaks-stats-me"),
    re_path(rf"^streaks/calendar/(?P<user_id>{UUID_REGEX})/?$", UserCalendarView.as_view(), name="streaks-calendar"),
    re_path(rf"^streaks/stats/(?P<user_id>{UUID_REGEX})/?$", UserStreakStatsView.as_view(), name="streaks-stats"),
    re_path(rf"^streaks/(?P<user_id>{UUID_REGEX})/?$", PublicStreakView.as_view(), name="streaks-public"),
    re_path(rf"^groups/(?P<group_id>{UUID_REGEX})/stats/?$", GroupStatsView.as_view(), name="group-stats"),
]
