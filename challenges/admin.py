import uuid

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path

from accounts.models import User

from .choices import PointsReason
from .models import (
    Achievement,
    Challenge,
    Participation,
    PointsEntry,
    UserAchievement,
    UserPoints,
    WeeklyChallenge,
    WeeklyResult,
)
from .selectors import week_changed
from .services import points_award, points_rebuild, weekly_reset


class WeekChangedMixin:
    """Changes made here show in the week's challenges (``selectors.week_changed``) at once."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        week_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        week_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        week_changed()


@admin.register(Challenge)
class ChallengeAdmin(WeekChangedMixin, admin.ModelAdmin):
    list_display = ("name", "challenge_type", "target_value", "points", "is_active", "is_weekly")
    list_filter = ("challenge_type", "is_active", "is_weekly")
    search_fields = ("name", "description")
    readonly_fields = ("id", "created_at", "updated_at")
    actions = ("run_weekly_reset",)

    @admin.action(description="Run the weekly reset now (safe to repeat)")
    def run_weekly_reset(self, request, queryset):
        self.message_user(request, f"Weekly reset: {weekly_reset()}", messages.SUCCESS)


@admin.register(WeeklyChallenge)
class WeeklyChallengeAdmin(WeekChangedMixin, admin.ModelAdmin):
    list_display = ("challenge", "week_start", "finalized_at")
    list_filter = ("week_start", "challenge")
    list_select_related = ("challenge",)
    readonly_fields = ("id", "finalized_at", "created_at", "updated_at")


@admin.register(Participation)
class ParticipationAdmin(WeekChangedMixin, admin.ModelAdmin):
    list_display = ("user", "weekly_challenge", "progress", "status", "points_earned", "created_at", "completed_at")
    list_filter = ("status", "weekly_challenge__week_start")
    search_fields = ("user__username", "user__email", "weekly_challenge__challenge__name")
    list_select_related = ("user", "weekly_challenge__challenge")
    raw_id_fields = ("user", "weekly_challenge")
    readonly_fields = ("id", "progress", "status", "points_earned", "completed_at", "created_at", "updated_at")


class PointsAdjustmentForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.all(), widget=forms.TextInput, help_text="the user's id")
    points = forms.IntegerField(min_value=1, help_text="how many points")
    revoke = forms.BooleanField(required=False, help_text="take the points away instead of giving them")
    note = forms.CharField(max_length=300, help_text="why (kept in the ledger)")
    # One id per rendered form: a double submit of the same form is one ledger row.
    nonce = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


@admin.register(PointsEntry)
class PointsEntryAdmin(admin.ModelAdmin):
    """The ledger is append-only: staff add awards or revocations (with a reason), never edit rows."""

    list_display = ("user", "points", "reason", "source_type", "source_id", "week_start", "created_at")
    list_filter = ("reason", "week_start")
    search_fields = ("user__username", "user__email", "note", "source_id")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    change_list_template = "admin/challenges/pointsentry/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("adjust/", self.admin_site.admin_view(self.adjust_view), name="challenges_points_adjust"),
            *super().get_urls(),
        ]

    def adjust_view(self, request):
        form = PointsAdjustmentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            revoke = data["revoke"]
            entry = points_award(
                user=data["user"],
                points=-data["points"] if revoke else data["points"],
                reason=PointsReason.STAFF_REVOKE if revoke else PointsReason.STAFF_AWARD,
                source_type="staff",
                source_id=str(data["nonce"]),
                note=data["note"],
            )
            self.message_user(request, f"Ledger entry added: {entry}", messages.SUCCESS)
            return redirect("admin:challenges_pointsentry_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "title": "Award or revoke points"}
        return render(request, "admin/challenges/pointsentry/adjust.html", context)


@admin.register(UserPoints)
class UserPointsAdmin(admin.ModelAdmin):
    list_display = ("user", "total_points", "weekly_points", "week_start", "updated_at")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    readonly_fields = ("user", "total_points", "weekly_points", "week_start", "updated_at")
    actions = ("rebuild",)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Rebuild the selected users' totals from the ledger")
    def rebuild(self, request, queryset):
        count = points_rebuild(user_ids=list(queryset.values_list("user_id", flat=True)))
        self.message_user(request, f"Rebuilt {count} user(s) from the ledger.", messages.SUCCESS)


@admin.register(WeeklyResult)
class WeeklyResultAdmin(admin.ModelAdmin):
    list_display = ("week_start", "rank", "user", "points")
    list_filter = ("week_start",)
    search_fields = ("user__username",)
    list_select_related = ("user",)


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "category", "requirement_type", "requirement_value", "points", "is_active")
    list_filter = ("category", "requirement_type", "is_active")
    search_fields = ("name", "code", "description")


@admin.register(UserAchievement)
class UserAchievementAdmin(admin.ModelAdmin):
    list_display = ("user", "achievement", "unlocked_at")
    list_filter = ("achievement",)
    search_fields = ("user__username", "achievement__name")
    list_select_related = ("user", "achievement")
    readonly_fields = ("user", "achievement", "unlocked_at")

    def has_add_permission(self, request):
        return False
