from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from learnflow import hooks

        from . import authentication, avatars, demo, selectors, services, uploads
        from .models import User

        # A changed or deleted user leaves the authentication cache when the change commits.
        post_save.connect(authentication.user_saved_or_deleted, sender=User, dispatch_uid="auth-user-cache-save")
        post_delete.connect(authentication.user_saved_or_deleted, sender=User, dispatch_uid="auth-user-cache-delete")

        hooks.user_data_exporters.register("account", selectors.user_export)
        hooks.user_data_exporters.register("notifications", selectors.notifications_export)
        hooks.user_data_exporters.register("uploads", uploads.uploads_export)
        hooks.demo_seeders.register("notifications", demo.seed_notifications)
        hooks.public_stats_providers.register("account", selectors.public_stats)
        hooks.upload_limits.register("avatar", services.avatar_upload_limit)
        hooks.stored_object_owners.register(avatars.PREFIX, avatars.objects_in_use)
        hooks.stored_object_owners.register(uploads.PREFIX, uploads.objects_in_use)
