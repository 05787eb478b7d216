from django.contrib import admin

from .models import Group, Invitation, Membership


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
