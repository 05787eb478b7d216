"""Shapes of the focus-room API; the WebSocket sends the same timer and participant shapes."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import UserSummarySerializer
from community.models import Group
from focus.rooms import selectors
from focus.rooms.choices import ParticipantStatus, Phase, PhaseOutcome, TimerStatus
from focus.rooms.models import Room, RoomPhase
from learnflow import dates
from learnflow.dates import ModelSerializer


class TimerSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TimerStatus.choices)
    phase = serializers.ChoiceField(
        choices=Phase.choices, help_text="the running or paused phase, or the one that ended"
    )
    phase_index = serializers.IntegerField(help_text="phases begun since the last reset, from 0")
    cycle = serializers.IntegerField(help_text="work phases finished since the last reset")
    next_phase = serializers.ChoiceField(choices=Phase.choices, help_text="what a start begins")
    phase_started_at = dates.DateTimeField(allow_null=True)
    phase_ends_at = dates.DateTimeField(allow_null=True, help_text="null unless running")
    phase_seconds = serializers.IntegerField(
        help_text="running or paused: the phase's full length; otherwise that of what a start begins"
    )
    remaining_seconds = serializers.IntegerField(
        help_text="running: until phase_ends_at by the server's clock; paused: frozen; otherwise what a start runs"
    )
    server_time = dates.DateTimeField()
    seq = serializers.IntegerField(help_text="the room's live event number this state follows")


class ParticipantSerializer(serializers.Serializer):
    user = UserSummarySerializer()
    status = serializers.ChoiceField(choices=ParticipantStatus.choices)
    joined_at = dates.DateTimeField()
    present = serializers.BooleanField(help_text="a sign of life within the presence window")
    connected = serializers.BooleanField(help_text="present with an open WebSocket")
    is_host = serializers.BooleanField()


class ParticipantStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ParticipantStatus.choices)


@extend_schema_field(OpenApiTypes.UUID)
class RoomGroupField(serializers.PrimaryKeyRelatedField):
    """One of the caller's active groups; any other id reads as nonexistent, as the services say it."""

    default_error_messages = {"does_not_exist": "No such group.", "incorrect_type": "No such group."}

    def get_queryset(self):
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return Group.objects.none()
        return Group.objects.filter(pk__in=selectors.member_group_ids(request.user))


class RoomSerializer(ModelSerializer):
    host = UserSummarySerializer(read_only=True, allow_null=True)
    group = RoomGroupField(required=False, allow_null=True, help_text="one of your groups: a group room")
    participant_count = serializers.IntegerField(read_only=True)
    is_participant = serializers.BooleanField(read_only=True)
    is_host = serializers.SerializerMethodField()
    timer = serializers.SerializerMethodField()

    class Meta:
        model = Room
        fields = (
            "id", "name", "description", "work_minutes", "break_minutes", "long_break_minutes", "long_break_every",
            "auto_start_break", "auto_start_work", "participants_control", "visibility", "group", "host",
            "max_participants", "participant_count", "is_participant", "is_host", "is_active", "timer",
            "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = ("id", "host", "is_active", "created_at", "updated_at")

    def get_is_host(self, room) -> bool:
        request = self.context.get("request")
        return bool(request and room.host_id == request.user.pk)

    @extend_schema_field(TimerSerializer)
    def get_timer(self, room):
        return TimerSerializer(selectors.timer_state(room)).data

    def validate(self, attrs):
        if self.instance is not None:
            for field in ("group", "visibility"):
                if field in attrs and attrs[field] != getattr(self.instance, field):
                    raise serializers.ValidationError({field: ["A room's group and visibility are set when it opens."]})
        return attrs


class CreditSerializer(serializers.Serializer):
    user = UserSummarySerializer()
    minutes = serializers.IntegerField(source="duration_minutes")
    status = serializers.CharField(help_text="completed: present for the whole phase (less the grace)")


class RoomPhaseSerializer(ModelSerializer):
    outcome = serializers.ChoiceField(choices=PhaseOutcome.choices)
    credited = CreditSerializer(source="sessions", many=True, read_only=True)

    class Meta:
        model = RoomPhase
        fields = (
            "number", "phase", "phase_index", "started_at", "ended_at", "planned_seconds", "running_seconds",
            "outcome", "credited",
        )  # fmt: skip
        read_only_fields = fields
