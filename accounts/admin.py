from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils import timezone

from . import uploads
from .authentication import users_changed
from .models import DataExport, Notification, Upload, User
from .services import user_delete


class LearnFlowUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class LearnFlowUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = LearnFlowUserChangeForm
    add_form = LearnFlowUserCreationForm
    list_display = (
        "username",
        "email",
        "full_name",
        "tier",
        "timezone",
        "onboarding_completed",
        "is_staff",
        "created_at",
    )
    list_filter = ("tier", "is_staff", "is_superuser", "is_active", "onboarding_completed")
    search_fields = ("username", "email", "full_name")
    ordering = ("-created_at",)
    readonly_fields = ("id", "avatar_key", "created_at", "updated_at", "last_login")
    fieldsets = (
        (None, {"fields": ("id", "username", "email", "password")}),
        (
            "Profile",
            {
                "fields": (
                    "full_name",
                    "avatar_source",
                    "avatar_key",
                    "bio",
                    "timezone",
                    "daily_focus_goal_minutes",
                    "preferences",
                )
            },
        ),
        ("Plan", {"fields": ("tier", "onboarding_completed")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Audit", {"fields": ("created_at", "updated_at", "last_login")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),)
    actions = ("make_premium", "make_free")

    def delete_model(self, request, obj):
        """Deleting an account here does what ``DELETE /api/users/me`` does (``user_delete``)."""
        user_delete(user=obj)

    def delete_queryset(self, request, queryset):
        for user in queryset.order_by("pk"):
            user_delete(user=user)

    @admin.action(description="Move selected users to the premium tier")
    def make_premium(self, request, queryset):
        user_ids = list(queryset.values_list("pk", flat=True))
        updated = User.objects.filter(pk__in=user_ids).update(tier="premium", updated_at=timezone.now())
        users_changed(user_ids)  # the API's cached users (QuerySet.update sends no signal)
        self.message_user(request, f"{updated} user(s) are now premium.", messages.SUCCESS)

    @admin.action(description="Move selected users to the free tier")
    def make_free(self, request, queryset):
        user_ids = list(queryset.values_list("pk", flat=True))
        updated = User.objects.filter(pk__in=user_ids).update(tier="free", updated_at=timezone.now())
        users_changed(user_ids)  # the API's cached users (QuerySet.update sends no signal)
        self.message_user(request, f"{updated} user(s) are now free.", messages.SUCCESS)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "kind", "created_at", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("title", "body", "user__username", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("id", "dedupe_key", "created_at")
    date_hierarchy = "created_at"
    actions = ("mark_read",)

    @admin.action(description="Mark selected notifications as read")
    def mark_read(self, request, queryset):
        updated = queryset.filter(read_at__isnull=True).update(read_at=timezone.now())
        self.message_user(request, f"{updated} notification(s) marked read.", messages.SUCCESS)


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    """Read-only: exports are requested by their owners and built by a job; the document is personal
    data, so it is not shown here."""

    list_display = ("user", "status", "created_at", "finished_at", "expires_at")
    list_filter = ("status", "created_at")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    fields = ("id", "user", "status", "created_at", "started_at", "finished_at", "expires_at")
    readonly_fields = fields
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    """Uploaded files, read-only: their owners upload them. Deleting one here deletes its stored
    objects after the commit, and what holds it (a resource) with it."""

    list_display = ("original_name", "user", "purpose", "content_type", "size", "created_at")
    list_filter = ("purpose", "content_type", "created_at")
    search_fields = ("original_name", "object_name", "user__username", "user__email")
    list_select_related = ("user",)
    fields = (
        "id", "user", "purpose", "original_name", "content_type", "size", "object_name", "thumbnail_name", "created_at",
    )  # fmt: skip
    readonly_fields = fields
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        uploads.upload_delete(obj)

    def delete_queryset(self, request, queryset):
        uploads.uploads_delete(uploads=queryset)
