"""The focus timer (the SPA's contract) and the study-session log. Querysets start from the
caller's own sessions, so another user's session is a 404."""

from datetime import date

from django.http import JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from focus import selectors, services, shutdown
from focus.filters import StudySessionFilter
from focus.models import StudySession
from learnflow.dates import date_param
from learnflow.filters import FilterBackend, SearchFilter
from learnflow.openapi import errors
from learnflow.routers import UUID_REGEX
from learnflow.timeutils import local_today, user_zone
from learnflow.views import OwnedQuerysetMixin

from .serializers import (
    FocusDaySummarySerializer,
    FocusSessionEndSerializer,
    FocusSessionSerializer,
    FocusSessionStartSerializer,
    FocusWeekSummarySerializer,
    ShutdownReflectionSerializer,
    ShutdownSummarySerializer,
    StudySessionLogSerializer,
    StudySessionSerializer,
)


def _date_param(request, name: str) -> date:
    """A ``YYYY-MM-DD`` query parameter (see ``learnflow.dates``); the user's local today when absent."""
    return date_param(request, name, default=local_today(user_zone(request.user)))


class FocusSessionViewSet(OwnedQuerysetMixin, viewsets.GenericViewSet):
    """Start, complete and stop the server-timed focus timer."""

    serializer_class = FocusSessionSerializer
    lookup_value_regex = UUID_REGEX

    owned_model = StudySession

    def owned_queryset(self, user):
        return selectors.study_session_list(user=user)

    @errors(409)
    @extend_schema(request=FocusSessionStartSerializer, responses={201: FocusSessionSerializer})
    @action(detail=False, methods=["post"], serializer_class=FocusSessionStartSerializer)
    def start(self, request):
        serializer = FocusSessionStartSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        session = services.focus_session_start(user=request.user, **serializer.validated_data)
        return Response(FocusSessionSerializer(session).data, status=status.HTTP_201_CREATED)

    def _end(self, request, *, complete: bool):
        serializer = FocusSessionEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = services.focus_session_end(
            session=self.get_object(), complete=complete, notes=serializer.validated_data.get("notes")
        )
        return Response(FocusSessionSerializer(session).data)

    @errors(409)
    @extend_schema(request=FocusSessionEndSerializer, responses=FocusSessionSerializer)
    @action(detail=True, methods=["post"], serializer_class=FocusSessionEndSerializer)
    def complete(self, request, pk=None):
        return self._end(request, complete=True)

    @errors(409)
    @extend_schema(request=FocusSessionEndSerializer, responses=FocusSessionSerializer)
    @action(detail=True, methods=["post"], serializer_class=FocusSessionEndSerializer)
    def stop(self, request, pk=None):
        return self._end(request, complete=False)


class CurrentSessionView(APIView):
    """The caller's active session, or ``null``."""

    @extend_schema(
        responses={
            # The active session, or null (OpenAPI 3.0 spells "null" as a nullable enum of null).
            200: {
                "oneOf": [
                    {"$ref": "#/components/schemas/FocusSession"},
                    {"type": "object", "nullable": True, "enum": [None]},
                ]
            },
        }
    )
    def get(self, request):
        session = selectors.focus_session_current(user=request.user)
        if session is None:
            # DRF renders None as an empty body; the contract expects the JSON literal null.
            return JsonResponse(None, safe=False)
        return Response(FocusSessionSerializer(session).data)


class DailySummaryView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, description="your local day; today by default")],
        responses=FocusDaySummarySerializer,
    )
    def get(self, request):
        summary = selectors.focus_day_summary(user=request.user, day=_date_param(request, "date"))
        return Response(FocusDaySummarySerializer(summary).data)


class WeeklySummaryView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("week_start", OpenApiTypes.DATE, description="any day of the week; this week by default")
        ],
        responses=FocusWeekSummarySerializer,
    )
    def get(self, request):
        summary = selectors.focus_week_summary(user=request.user, day=_date_param(request, "week_start"))
        return Response(FocusWeekSummarySerializer(summary).data)


class StudySessionViewSet(
    OwnedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Every session of the caller, timed or logged by hand; ``POST`` logs one by hand (unverified)."""

    serializer_class = StudySessionSerializer
    filterset_class = StudySessionFilter
    filter_backends = [FilterBackend, SearchFilter, OrderingFilter]
    search_fields = ("topic", "notes")
    ordering_fields = ("started_at", "duration_seconds", "created_at")
    lookup_value_regex = UUID_REGEX

    owned_model = StudySession

    def owned_queryset(self, user):
        return selectors.study_session_list(user=user)

    @extend_schema(request=StudySessionLogSerializer, responses={201: StudySessionSerializer})
    def create(self, request):
        serializer = StudySessionLogSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        session = services.study_session_log(user=request.user, **serializer.validated_data)
        return Response(StudySessionSerializer(session).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer):
        serializer.instance = services.study_session_update(session=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.study_session_delete(session=instance)


class ShutdownSummaryView(APIView):
    """Today's shutdown summary, on the caller's local day."""

    @extend_schema(responses=ShutdownSummarySerializer)
    def get(self, request):
        return Response(ShutdownSummarySerializer(shutdown.shutdown_summary(user=request.user)).data)


class ShutdownReflectionView(APIView):
    @extend_schema(request=ShutdownReflectionSerializer, responses={201: ShutdownReflectionSerializer})
    def post(self, request):
        serializer = ShutdownReflectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reflection = shutdown.shutdown_reflect(user=request.user, **serializer.validated_data)
        return Response(ShutdownReflectionSerializer(reflection).data, status=status.HTTP_201_CREATED)


class ShutdownHistoryView(APIView):
    """The caller's reflections, newest first: ``?limit=`` (default 30, at most 100)."""

    @extend_schema(
        parameters=[OpenApiParameter("limit", OpenApiTypes.INT, description="1-100, default 30")],
        responses=ShutdownReflectionSerializer(many=True),
    )
    def get(self, request):
        raw = request.query_params.get("limit", "30")
        try:
            limit = int(raw)
        except ValueError:
            raise ValidationError({"limit": ["Enter a whole number from 1 to 100."]}) from None
        if limit < 1:
            raise ValidationError({"limit": ["Enter a whole number from 1 to 100."]})
        history = shutdown.shutdown_history(user=request.user, limit=min(limit, 100))
        return Response(ShutdownReflectionSerializer(history, many=True).data)
