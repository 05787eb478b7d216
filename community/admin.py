from django.contrib import admin
from django.db import models

from . import chat, resources
from .models import (
    Comment,
    CommentLike,
    Conversation,
    Group,
    GroupMessage,
    Invitation,
    Membership,
    Message,
    Post,
    PostLike,
    Resource,
    ResourceProgress,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("joined_at",)


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("group_name", "group_type", "visibility", "max_members", "is_active", "created_at")
    list_filter = ("group_type", "visibility", "is_active")
    search_fields = ("group_name", "description")
    raw_id_fields = ("creator",)
    readonly_fields = ("id", "invite_code", "created_at", "updated_at")
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("group", "invitee", "inviter", "status", "created_at", "expires_at")
    list_filter = ("status",)
    search_fields = ("group__group_name", "invitee__username")
    raw_id_fields = ("group", "invitee", "inviter")
    readonly_fields = ("id", "created_at", "updated_at", "responded_at")


def flag_action(name: str, field: str, value: bool, *, description: str, done: str):
    """An admin action that sets a boolean flag on the selected rows and says how many changed."""

    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        modeladmin.message_user(request, f"{done}: {queryset.update(**{field: value})}.")

    action.__name__ = name
    return action


class HideMixin:
    actions = (
        flag_action("hide", "is_hidden", True, description="Hide the selected items", done="Hidden"),
        flag_action("restore", "is_hidden", False, description="Restore the selected items", done="Restored"),
    )


@admin.register(Post)
class PostAdmin(HideMixin, admin.ModelAdmin):
    list_display = ("title", "author", "category", "likes", "comment_count", "is_hidden", "is_deleted", "created_at")
    list_filter = ("category", "is_hidden", "is_deleted")
    search_fields = ("title", "content", "author__username")
    list_select_related = ("author",)
    raw_id_fields = ("author",)
    readonly_fields = ("id", "likes", "comment_count", "is_deleted", "created_at", "updated_at")


@admin.register(Comment)
class CommentAdmin(HideMixin, admin.ModelAdmin):
    list_display = ("__str__", "author", "likes", "is_hidden", "is_deleted", "created_at")
    list_filter = ("is_hidden", "is_deleted")
    search_fields = ("content", "author__username")
    list_select_related = ("author",)
    raw_id_fields = ("author", "post", "parent")
    readonly_fields = ("id", "likes", "is_deleted", "created_at", "updated_at")


@admin.register(GroupMessage)
class GroupMessageAdmin(admin.ModelAdmin):
    """Staff read, hide (``is_deleted``) and delete chat messages; deleting one here deletes its
    image for good, as the sender's delete does."""

    list_display = ("group", "sender", "message_type", "created_at", "edited_at", "is_deleted")
    list_filter = ("message_type", "is_deleted")
    search_fields = ("content", "sender__username", "group__group_name")
    list_select_related = ("group", "sender")
    raw_id_fields = ("group", "sender", "reply_to")
    readonly_fields = ("id", "message_type", "upload", "created_at", "updated_at", "edited_at")

    def delete_model(self, request, obj):
        chat.group_messages_delete_rows(GroupMessage.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        chat.group_messages_delete_rows(queryset)


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    """Staff delete and restore exactly the selected rows; a folder's contents are not touched.
    Deleting deletes the rows' uploaded files for good, as the API does, so a resource whose file
    went cannot be restored."""

    list_display = ("title", "resource_type", "group", "uploaded_by", "parent_folder", "is_deleted", "created_at")
    list_filter = ("resource_type", "is_deleted")
    search_fields = ("title", "description", "url", "uploaded_by__username", "group__group_name")
    list_select_related = ("group", "uploaded_by", "parent_folder")
    raw_id_fields = ("uploaded_by", "group", "parent_folder")
    readonly_fields = ("id", "upload", "is_deleted", "created_at", "updated_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ("soft_delete", "restore")

    @admin.action(description="Delete the selected rows softly (and their uploaded files)")
    def soft_delete(self, request, queryset):
        self.message_user(request, f"Deleted: {resources.resources_delete_rows(queryset)}.")

    @admin.action(description="Restore the selected rows")
    def restore(self, request, queryset):
        restored, left = resources.resources_restore_rows(queryset)
        note = f" Not restored, their uploaded file is gone: {left}." if left else ""
        self.message_user(request, f"Restored: {restored}.{note}")


@admin.register(ResourceProgress)
class ResourceProgressAdmin(admin.ModelAdmin):
    list_display = ("user", "resource", "status", "progress_percentage", "started_at", "completed_at", "updated_at")
    list_filter = ("status",)
    search_fields = ("user__username", "resource__title")
    list_select_related = ("user", "resource")
    raw_id_fields = ("user", "resource")
    readonly_fields = ("id", "started_at", "completed_at", "created_at", "updated_at")


class NoAddMixin:
    """Rows that only the API creates."""

    def has_add_permission(self, request, obj=None):
        return False


class LikeAdmin(NoAddMixin, admin.ModelAdmin):
    """Like rows are read-only here: the counters move with them only through the API."""

    def has_delete_permission(self, request, obj=None):
        return False


class MessageInline(NoAddMixin, admin.TabularInline):
    model = Message
    extra = 0
    fields = ("sender", "content", "read_at", "created_at")
    readonly_fields = fields
    can_delete = False
    ordering = ("-created_at",)


@admin.register(Conversation)
class ConversationAdmin(NoAddMixin, admin.ModelAdmin):
    """1:1 conversations for support and moderation; they and their messages come only from the API."""

    list_display = ("__str__", "user_a", "user_b", "last_message_at", "created_at")
    search_fields = ("user_a__username", "user_b__username")
    list_select_related = ("user_a", "user_b")
    raw_id_fields = ("user_a", "user_b")
    readonly_fields = ("id", "user_a", "user_b", "last_message_at", "created_at", "updated_at")
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(NoAddMixin, admin.ModelAdmin):
    list_display = ("sender", "conversation", "created_at", "read_at")
    search_fields = ("content", "sender__username")
    list_select_related = ("sender", "conversation")
    raw_id_fields = ("sender", "conversation")
    readonly_fields = ("id", "conversation", "sender", "content", "read_at", "created_at", "updated_at")


@admin.register(PostLike)
class PostLikeAdmin(LikeAdmin):
    list_display = ("user", "post", "created_at")
    search_fields = ("user__username", "post__title")
    list_select_related = ("user", "post")
    readonly_fields = ("user", "post", "created_at")


@admin.register(CommentLike)
class CommentLikeAdmin(LikeAdmin):
    list_display = ("user", "comment", "created_at")
    search_fields = ("user__username",)
    list_select_related = ("user", "comment")
    readonly_fields = ("user", "comment", "created_at")
