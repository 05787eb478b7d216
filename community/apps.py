from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"

    def ready(self) -> None:
        from learnflow import hooks

        from . import chat, demo, forum, messaging, resources, selectors, services

        hooks.achievement_metrics.register("community_posts", forum.community_posts_count)
        hooks.achievement_metrics_many.register("community_posts", forum.community_posts_counts)
        hooks.user_data_exporters.register("groups", selectors.memberships_export)
        hooks.user_data_exporters.register("invitations", selectors.invitations_export)
        hooks.user_data_exporters.register("forum", selectors.forum_export)
        hooks.user_data_exporters.register("messages", selectors.messages_export)
        hooks.user_data_exporters.register("resources", selectors.resources_export)
        hooks.user_deletion_handlers.register("groups", services.groups_leave_for_deletion)
        hooks.user_deletion_handlers.register("forum likes", forum.likes_withdraw)
        hooks.user_deletion_handlers.register("conversations", messaging.conversations_delete_for_deletion)
        hooks.demo_seeders.register("groups", demo.seed_groups)
        hooks.demo_seeders.register("forum", demo.seed_forum)
        hooks.demo_seeders.register("resources", demo.seed_resources)
        hooks.profile_audiences.register("group members", selectors.profile_audience)
        hooks.upload_limits.register("resource", resources.upload_limit)
        hooks.upload_limits.register("group chat image", chat.upload_limit)
