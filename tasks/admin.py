from django.contrib import admin

from .models import Goal, Progress, Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "user",
        "priority",
        "due_date",
        "completed",
        "reminder_enabled",
        "recurrence",
        "created_at",
    )
    list_filter = ("completed", "priority", "reminder_enabled", ("recurrence", admin.EmptyFieldListFilter), "due_date")
    search_fields = ("title", "description", "user__username", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("id", "completed_at", "reminder_sent_at", "previous", "created_at", "updated_at")
    date_hierarchy = "due_date"


class ProgressInline(admin.TabularInline):
    model = Progress
    extra = 0
    fields = ("number", "progress", "logged_hours", "total_hours", "is_complete", "created_at")
    readonly_fields = ("number", "is_complete", "created_at")

    def has_add_permission(self, request, obj=None):
        # Entries take the goal's next number in tasks.services.progress_create.
        return False


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("goal_name", "user", "number", "category", "deadline", "is_complete", "last_progress_at")
    list_filter = ("category", "is_complete")
    search_fields = ("goal_name", "user__username", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = (
        "number",
        "last_progress_at",
        "last_reminded_at",
        "last_progress_number",
        "created_at",
        "updated_at",
    )
    inlines = [ProgressInline]

    def has_add_permission(self, request):
        # Goals take the user's next number in tasks.services.goal_create (the API), never by hand.
        return False


@admin.register(Progress)
class ProgressAdmin(admin.ModelAdmin):
    list_display = ("goal", "number", "logged_hours", "total_hours", "is_complete", "created_at")
    list_filter = ("is_complete",)
    search_fields = ("progress", "goal__goal_name", "goal__user__username")
    list_select_related = ("goal",)
    raw_id_fields = ("goal",)
    readonly_fields = ("number", "is_complete", "created_at", "updated_at")

    def has_add_permission(self, request):
        return False
