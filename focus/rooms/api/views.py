"""Focus rooms over REST. Rooms a caller may not see (another group's) are 404; the timer and seats
answer what ``focus.rooms.services`` decides, and every write is broadcast to the room's sockets."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from focus.rooms import selectors, services
from focus.rooms.models import Room
from learnflow.filters import FilterBackend, SearchFilter
from learnflow.openapi import errors
from learnflow.routers import UUID_REGEX
from learnflow.views import OwnedQuerysetMixin

from .filters import RoomFilter
from .serializers import (
    ParticipantSerializer,
    ParticipantStatusSerializer,
    RoomPhaseSerializer,
    RoomSerializer,
    TimerSerializer,
)


class RoomViewSet(
    OwnedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Public rooms and your groups' rooms; ``DELETE`` closes a room (host or group leader/admin)."""

    serializer_class = RoomSerializer
    filterset_class = RoomFilter
    filter_backends = [FilterBackend, SearchFilter, OrderingFilter]
    search_fields = ("name", "description")
    ordering_fields = ("created_at", "name", "participant_count")
    lookup_value_regex = UUID_REGEX
    owned_model = Room
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def owned_queryset(self, user):
        return selectors.rooms_visible(user=user)

    def get_object(self):
        """The room, its timer caught up first: a phase whose time is up has ended for every reader."""
        room = super().get_object()
        if services.room_catch_up_due(room):
            room = super().get_object()
        return room

    def list(self, request, *args, **kwargs):
        services.rooms_catch_up_due(self.filter_queryset(self.get_queryset()))
        return super().list(request, *args, **kwargs)

    @errors(403)
    def perform_create(self, serializer):
        room = services.room_create(user=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=room.pk)

    @errors(403)
    def perform_update(self, serializer):
        services.room_update(user=self.request.user, room=serializer.instance, data=serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)

    @errors(403)
    def perform_destroy(self, instance):
        services.room_close(user=self.request.user, room=instance)

    @errors(409)
    @extend_schema(request=None, responses=ParticipantSerializer)
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        """Take a seat (leaving any other room). Full room, closed room, or your own focus timer running
        while this room's runs: 409. Joining the room you are in changes nothing."""
        room = self.get_object()
        participant = services.room_join(user=request.user, room=room)
        room.refresh_from_db(fields=["host"])
        return Response(ParticipantSerializer(selectors.participant_state(participant, host_id=room.host_id)).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """Leave the room; leaving a room you are not in changes nothing. A leaving host hands over."""
        services.room_leave(user=request.user, room=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @errors(409)
    @extend_schema(request=None, responses=ParticipantSerializer)
    @action(detail=True, methods=["post"])
    def heartbeat(self, request, pk=None):
        """A sign of life for clients without a WebSocket: send one at least every 60 seconds to stay
        present (and credited). Not in the room: 409."""
        room = self.get_object()
        participant = services.presence_signal(user=request.user, room_id=room.pk)
        return Response(ParticipantSerializer(selectors.participant_state(participant, host_id=room.host_id)).data)

    @extend_schema(responses=ParticipantSerializer(many=True))
    @action(detail=True, methods=["get"])
    def participants(self, request, pk=None):
        room = self.get_object()
        now = timezone.now()
        page = self.paginate_queryset(selectors.room_participants(room=room))
        rows = [selectors.participant_state(p, host_id=room.host_id, now=now) for p in page]
        return self.get_paginated_response(ParticipantSerializer(rows, many=True).data)

    @errors(409)
    @extend_schema(request=ParticipantStatusSerializer, responses=ParticipantSerializer)
    @action(detail=True, methods=["patch"], url_path="participants/me", serializer_class=ParticipantStatusSerializer)
    def my_status(self, request, pk=None):
        """Set your status (active / idle). Not in the room: 409."""
        serializer = ParticipantStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        room = self.get_object()
        participant = services.participant_set_status(user=request.user, room=room, **serializer.validated_data)
        return Response(ParticipantSerializer(selectors.participant_state(participant, host_id=room.host_id)).data)

    @extend_schema(responses=RoomPhaseSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """The room's finished phases, newest first, with who was credited for each work phase."""
        page = self.paginate_queryset(selectors.room_history(room=self.get_object()))
        return self.get_paginated_response(RoomPhaseSerializer(page, many=True).data)

    @extend_schema(responses=TimerSerializer)
    @action(detail=True, methods=["get"])
    def timer(self, request, pk=None):
        return Response(TimerSerializer(selectors.timer_state(self.get_object())).data)

    def _act(self, request, name: str):
        room = services.timer_act(user=request.user, room=self.get_object(), action=name)
        return Response(TimerSerializer(selectors.timer_state(room)).data)

    @errors(403, 409)
    @extend_schema(request=None, responses=TimerSerializer)
    @action(detail=True, methods=["post"], url_path="timer/start")
    def timer_start(self, request, pk=None):
        """Start the idle timer, or the next phase of a completed one; on a running timer, nothing."""
        return self._act(request, "start")

    @errors(403, 409)
    @extend_schema(request=None, responses=TimerSerializer)
    @action(detail=True, methods=["post"], url_path="timer/pause")
    def timer_pause(self, request, pk=None):
        """Pause the running phase; on a paused timer, nothing."""
        return self._act(request, "pause")

    @errors(403, 409)
    @extend_schema(request=None, responses=TimerSerializer)
    @action(detail=True, methods=["post"], url_path="timer/resume")
    def timer_resume(self, request, pk=None):
        """Resume the paused phase (its end moves by the pause); on a running timer, nothing."""
        return self._act(request, "resume")

    @errors(403, 409)
    @extend_schema(request=None, responses=TimerSerializer)
    @action(detail=True, methods=["post"], url_path="timer/reset")
    def timer_reset(self, request, pk=None):
        """Back to idle; a work phase under way ends now and credits who was there."""
        return self._act(request, "reset")

    @errors(403, 409)
    @extend_schema(request=None, responses=TimerSerializer)
    @action(detail=True, methods=["post"], url_path="timer/skip")
    def timer_skip(self, request, pk=None):
        """End the running or paused phase now (crediting a work phase so far) and begin the next."""
        return self._act(request, "skip")
