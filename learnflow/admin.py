from django.contrib import admin, messages

from .models import OutboxJob
from .outbox import outbox_send


class OutboxStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("pending", "Pending"), ("sent", "Sent")]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(sent_at__isnull=True)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(OutboxJob)
class OutboxJobAdmin(admin.ModelAdmin):
    """Jobs queued by writes: those still pending wait for the broker (the relay publishes them)."""

    list_display = ("id", "task", "args", "created_at", "eta", "sent_at", "attempts", "last_error")
    list_filter = (OutboxStateFilter, "task")
    search_fields = ("task",)
    readonly_fields = ("task", "args", "eta", "created_at", "sent_at", "attempts", "last_error")
    date_hierarchy = "created_at"
    actions = ("publish_now",)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Publish the selected pending jobs now")
    def publish_now(self, request, queryset):
        sent = failed = 0
        for job in queryset.filter(sent_at__isnull=True).order_by("pk"):
            if outbox_send(job):
                sent += 1
            else:
                failed += 1
        self.message_user(request, f"{sent} published, {failed} failed (see their last error).")
        if failed:
            messages.warning(request, "The broker did not accept every job; the relay keeps trying.")
