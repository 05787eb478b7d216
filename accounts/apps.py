from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from learnflow import hooks

        from . import demo, selectors, services, uploads

        hooks.user_data_exporters.register("account", selectors.user_export)
        hooks.user_data_exporters.register("notifications", selectors.notifications_export)
        hooks.user_data_exporters.register("uploads", uploads.uploads_export)
        hooks.demo_seeders.register("notifications", demo.seed_notifications)
        hooks.public_stats_providers.register("account", selectors.public_stats)
        hooks.upload_limits.register("avatar", services.avatar_upload_limit)
