from django.contrib import admin

from .models import FocusTotal, Streak, WeeklyReview
from .streaks import streak_refresh


@admin.register(WeeklyReview)
class WeeklyReviewAdmin(admin.ModelAdmin):
    list_display = ("user", "week_start", "generated_by", "created_at")
    list_filter = ("generated_by", "week_start")
    search_fields = ("user__username", "user__email", "weekly_summary")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("id", "created_at", "updated_at")
    date_hierarchy = "week_start"


@admin.register(Streak)
class StreakAdmin(admin.ModelAdmin):
    list_display = ("user", "current_streak", "longest_streak", "last_active_date", "updated_at")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "current_streak",
        "longest_streak",
        "last_active_date",
        "streak_start_date",
        "updated_at",
    )
    actions = ("recompute",)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Recompute the selected streaks from the sessions")
    def recompute(self, request, queryset):
        for streak in queryset.select_related("user"):
            streak_refresh(user=streak.user)
        self.message_user(request, f"Recomputed {queryset.count()} streak(s).")


@admin.register(FocusTotal)
class FocusTotalAdmin(admin.ModelAdmin):
    """Derived from the sessions (``runjob recompute_focus_totals``): read-only here."""

    list_display = ("user", "period", "period_start", "seconds", "sessions", "updated_at")
    list_filter = ("period", "period_start")
    search_fields = ("user__username",)
    list_select_related = ("user",)
    readonly_fields = ("user", "period", "period_start", "seconds", "sessions", "updated_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
