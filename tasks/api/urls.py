from django.urls import re_path

from learnflow.routers import OptionalSlashRouter, api_path

from .views import (
    GoalProgressViewSet,
    GoalViewSet,
    MonthlyGoalSummaryView,
    MonthlySummaryView,
    ProgressListView,
    TaskViewSet,
    WeeklyGoalSummaryView,
    WeeklySummaryView,
)

router = OptionalSlashRouter()
router.register("tasks", TaskViewSet, basename="task")
router.register("goals", GoalViewSet, basename="goal")

progress_list = GoalProgressViewSet.as_view({"get": "list", "post": "create"})
progress_detail = GoalProgressViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"})

urlpatterns = [
    re_path(r"^goals/(?P<goal_number>\d+)/progress/?$", progress_list, name="goal-progress-list"),
    re_path(r"^goals/(?P<goal_number>\d+)/progress/(?P<number>\d+)/?$", progress_detail, name="goal-progress-detail"),
    api_path("progress", ProgressListView.as_view(), name="progress-list"),
    api_path("summary/weekly", WeeklySummaryView.as_view(), name="summary-weekly"),
    re_path(r"^summary/weekly/(?P<goal_number>\d+)/?$", WeeklyGoalSummaryView.as_view(), name="summary-weekly-goal"),
    api_path("summary/monthly", MonthlySummaryView.as_view(), name="summary-monthly"),
    re_path(r"^summary/monthly/(?P<goal_number>\d+)/?$", MonthlyGoalSummaryView.as_view(), name="summary-monthly-goal"),
]
