from django.contrib import admin

from .models import WeeklyReview


@admin.register(WeeklyReview)
class WeeklyReviewAdmin(admin.ModelAdmin):
    list_display = ("user", "week_start", "generated_by", "created_at")
    list_filter = ("generated_by", "week_start")
    search_fields = ("user__username", "user__email", "weekly_summary")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("id", "created_at", "updated_at")
    date_hierarchy = "week_start"
