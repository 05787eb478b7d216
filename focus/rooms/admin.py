"""Rooms in the admin: rooms with their seats (and who is present), the timers, the finished phases,
and actions that go through the services like the API does: end the phase now, close the room, take
a participant out. Nothing is deleted here: a deleted seat or phase would skip those rules."""

from django.contrib import admin, messages
from django.utils import timezone

from . import selectors, services
from .models import Room, RoomParticipant, RoomPhase, RoomTimer


class ParticipantInline(admin.TabularInline):
    model = RoomParticipant
    fields = ("user", "status", "joined_at", "last_seen_at", "present", "connections")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True)
    def present(self, participant):
        return selectors.is_present(participant, timezone.now())


@admin.action(description="End the current phase now (credits a work phase so far)")
def end_phase(modeladmin, request, queryset):
    ended = sum(services.timer_end_phase_by_staff(room=room) for room in queryset)
    modeladmin.message_user(request, f"Ended the phase of {ended} room(s).", messages.SUCCESS)


@admin.action(description="Close the selected rooms (everyone is taken out; a running phase is credited)")
def close_rooms(modeladmin, request, queryset):
    rooms = list(queryset.filter(is_active=True))
    for room in rooms:
        services.room_close_by_staff(room=room)
    modeladmin.message_user(request, f"Closed {len(rooms)} room(s).", messages.SUCCESS)


@admin.action(description="Take the selected participants out of their rooms (as if they left)")
def take_out(modeladmin, request, queryset):
    seats = list(queryset.select_related("user", "room"))
    for seat in seats:
        services.room_leave(user=seat.user, room=seat.room)
    modeladmin.message_user(request, f"Took {len(seats)} participant(s) out.", messages.SUCCESS)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "visibility", "group", "host", "timer_status", "timer_phase", "max_participants",
                    "is_active", "created_at")  # fmt: skip
    list_filter = ("is_active", "visibility", "timer_status", "timer_phase")
    search_fields = ("name", "description", "host__username", "group__group_name")
    list_select_related = ("host", "group")
    raw_id_fields = ("host", "group")
    readonly_fields = (
        "id", "timer_status", "timer_phase", "phase_index", "cycle", "phase_started_at", "phase_ends_at",
        "phase_planned_seconds", "paused_remaining_seconds", "phase_pauses", "phases_recorded", "event_seq",
        "created_at", "updated_at",
    )  # fmt: skip
    inlines = [ParticipantInline]
    actions = [end_phase, close_rooms]

    def has_delete_permission(self, request, obj=None):
        return False  # close a room instead: its history and credited sessions stay


@admin.register(RoomTimer)
class RoomTimerAdmin(admin.ModelAdmin):
    list_display = ("name", "timer_status", "timer_phase", "phase_index", "cycle", "phase_ends_at", "remaining")
    list_filter = ("timer_status", "timer_phase")
    search_fields = ("name",)
    fields = ("name", "timer_status", "timer_phase", "phase_index", "cycle", "phase_started_at", "phase_ends_at",
              "remaining", "phase_pauses")  # fmt: skip
    readonly_fields = fields
    actions = [end_phase]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_active=True)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="remaining (s)")
    def remaining(self, room):
        return selectors.timer_state(room)["remaining_seconds"]


@admin.register(RoomParticipant)
class RoomParticipantAdmin(admin.ModelAdmin):
    list_display = ("user", "room", "status", "joined_at", "last_seen_at", "present", "connections")
    list_filter = ("status",)
    search_fields = ("user__username", "room__name")
    list_select_related = ("user", "room")
    readonly_fields = ("room", "user", "joined_at", "last_seen_at", "present_since", "connections")
    actions = [take_out]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # take them out instead: their presence ends and a host hands the room over

    @admin.display(boolean=True)
    def present(self, participant):
        return selectors.is_present(participant, timezone.now())


@admin.register(RoomPhase)
class RoomPhaseAdmin(admin.ModelAdmin):
    list_display = ("room", "number", "phase", "outcome", "started_at", "ended_at", "running_seconds")
    list_filter = ("phase", "outcome")
    search_fields = ("room__name",)
    list_select_related = ("room",)
    readonly_fields = [f.name for f in RoomPhase._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the room's history: what its credited sessions point to

    def has_change_permission(self, request, obj=None):
        return False
