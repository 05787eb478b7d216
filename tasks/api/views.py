"""Tasks, goals, progress and summaries. Every queryset starts from the caller's own rows, so
another user's task, goal or entry is a 404."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from learnflow.filters import FilterBackend, SearchFilter
from learnflow.routers import UUID_REGEX
from learnflow.throttling import TierRateThrottle
from learnflow.views import CompiledListMixin, OwnedQuerysetMixin
from tasks import selectors, services
from tasks.filters import GoalFilter, TaskFilter
from tasks.models import Goal, Progress, Task
from tasks.summaries import summary_cache_keys, summary_get

from .serializers import (
    GoalSerializer,
    MonthlySummarySerializer,
    ProgressSerializer,
    TaskSerializer,
    WeeklySummarySerializer,
)


class TaskViewSet(CompiledListMixin, OwnedQuerysetMixin, viewsets.ModelViewSet):
    """The caller's tasks. ``PUT`` accepts a partial body (the SPA sends ``{"completed": true}``)."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    filter_backends = [FilterBackend, SearchFilter]
    search_fields = ("title", "description")
    lookup_value_regex = UUID_REGEX

    owned_model = Task

    def owned_queryset(self, user):
        return selectors.task_list(user=user)

    @staticmethod
    def compiled_list_query(*, user):
        return selectors.task_list(user=user).values(*TaskSerializer.Meta.fields)

    def perform_create(self, serializer):
        serializer.instance = services.task_create(user=self.request.user, **serializer.validated_data)

    def update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer):
        serializer.instance = services.task_update(task=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.task_delete(task=instance)


class GoalViewSet(CompiledListMixin, OwnedQuerysetMixin, viewsets.ModelViewSet):
    """The caller's goals, addressed by their number: ``/api/goals/1``."""

    serializer_class = GoalSerializer
    filterset_class = GoalFilter
    filter_backends = [FilterBackend]
    lookup_field = "number"
    lookup_value_regex = r"\d+"

    owned_model = Goal

    def owned_queryset(self, user):
        return selectors.goal_list(user=user)

    @staticmethod
    def compiled_list_query(*, user):
        return selectors.goal_list(user=user).values(*GoalSerializer.ROW_FIELDS)

    def perform_create(self, serializer):
        goal = services.goal_create(user=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=goal.pk)

    def perform_update(self, serializer):
        services.goal_update(goal=serializer.instance, data=serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_destroy(self, instance):
        services.goal_delete(goal=instance)


class GoalProgressViewSet(
    OwnedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Progress of one of the caller's goals: ``/api/goals/<n>/progress/<m>``. Logging progress is
    throttled by tier (free 10/day, premium 1000/day by default)."""

    serializer_class = ProgressSerializer
    filter_backends = []
    lookup_field = "number"
    tier_throttle_scope = "progress"

    def get_throttles(self):
        return [TierRateThrottle()] if self.action == "create" else []

    def check_permissions(self, request):
        super().check_permissions(request)
        # An unknown goal is a 404 before the throttle counts the request against the day's logging.
        if request.user.is_authenticated and not getattr(self, "swagger_fake_view", False):
            self.get_goal()

    def get_goal(self) -> Goal:
        if not hasattr(self, "_goal"):
            self._goal = get_object_or_404(
                Goal.objects.filter(user=self.request.user), number=self.kwargs["goal_number"]
            )
        return self._goal

    owned_model = Progress

    def owned_queryset(self, user):
        return Progress.objects.filter(goal=self.get_goal()).select_related("goal")

    def perform_create(self, serializer):
        serializer.instance = services.progress_create(goal=self.get_goal(), **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.progress_update(entry=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.progress_delete(entry=instance)


class ProgressListView(OwnedQuerysetMixin, generics.ListAPIView):
    """Every progress entry of the caller's goals (and nobody else's)."""

    serializer_class = ProgressSerializer
    filter_backends = []

    owned_model = Progress

    def owned_queryset(self, user):
        return selectors.progress_list(user=user).order_by("-created_at")


class SummaryView(APIView):
    """Hours logged per local week (Monday) or month, for all goals or goal ``<n>``; cached and
    refreshed by every change to progress."""

    period = "weekly"
    cache_reads = None  # what the authentication read with the token's user (cache_prefetch_keys)

    def goal_number(self) -> int | None:
        number = self.kwargs.get("goal_number")
        return None if number is None else int(number)

    def cache_prefetch_keys(self, user_id) -> list[str]:
        return summary_cache_keys(user_id=user_id, period=self.period, goal_number=self.goal_number())

    def get(self, request, goal_number=None):
        data = summary_get(
            user=request.user, period=self.period, goal_number=self.goal_number(), reads=self.cache_reads
        )
        if data is None:
            raise NotFound
        return Response(data)


def _summary_schema(period: str, *, per_goal: bool):
    serializer = WeeklySummarySerializer if period == "weekly" else MonthlySummarySerializer
    operation_id = f"summary_{period}_goal" if per_goal else f"summary_{period}"
    return extend_schema_view(get=extend_schema(operation_id=operation_id, responses=serializer(many=True)))


@_summary_schema("weekly", per_goal=False)
class WeeklySummaryView(SummaryView):
    period = "weekly"


@_summary_schema("weekly", per_goal=True)
class WeeklyGoalSummaryView(SummaryView):
    period = "weekly"


@_summary_schema("monthly", per_goal=False)
class MonthlySummaryView(SummaryView):
    period = "monthly"


@_summary_schema("monthly", per_goal=True)
class MonthlyGoalSummaryView(SummaryView):
    period = "monthly"
