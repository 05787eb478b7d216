from django.contrib import admin
from django.db import transaction

from .choices import SummaryStatus
from .models import ShutdownReflection, StudySession
from .rooms import admin as rooms_admin  # noqa: F401  (registers the rooms' admin)


@admin.register(StudySession)
class StudySessionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "session_type", "status", "source", "verified", "duration_seconds", "started_at")
    list_filter = ("session_type", "status", "source", "verified", "ai_summary_status", "started_at")
    search_fields = ("topic", "notes", "user__username", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user", "task", "group")
    readonly_fields = (
        "id", "started_at", "ended_at", "duration_seconds", "verified", "source", "ai_summary", "ai_summary_status",
        "created_at", "updated_at",
    )  # fmt: skip
    date_hierarchy = "started_at"
    actions = ("retry_summary",)

    @admin.action(description="Retry the AI summary of the selected sessions whose summary failed")
    def retry_summary(self, request, queryset):
        """A summary that failed after its retries (the AI provider down) is asked for again; sessions
        without notes or with a summary pending or ready are left as they are."""
        from .services import study_session_request_summary

        retried = 0
        with transaction.atomic():
            for session in queryset.filter(ai_summary_status=SummaryStatus.FAILED).exclude(notes=""):
                study_session_request_summary(session=session)
                retried += 1
        self.message_user(request, f"{retried} summaries queued again.")


@admin.register(ShutdownReflection)
class ShutdownReflectionAdmin(admin.ModelAdmin):
    list_display = ("user", "local_date", "productivity_rating", "created_at")
    list_filter = ("productivity_rating", "local_date")
    search_fields = ("reflection_note", "user__username", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("id", "local_date", "created_at", "updated_at")
    date_hierarchy = "local_date"
