from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from learnflow import hooks

        from . import avatars, demo, selectors, services, uploads

        hooks.user_data_exporters.register("account", selectors.user_export)
        hooks.user_data_exporters.register("notifications", selectors.notifications_export)
        hooks.user_data_exporters.register("uploads", uploads.uploads_export)
        hooks.demo_seeders.register("notifications", demo.seed_notifications)
        hooks.public_stats_providers.register("account", selectors.public_stats)
        hooks.upload_limits.register("avatar", services.avatar_upload_limit)
        hooks.stored_object_owners.register(avatars.PREFIX, avatars.objects_in_use)
        hooks.stored_object_owners.register(uploads.PREFIX, uploads.objects_in_use)
