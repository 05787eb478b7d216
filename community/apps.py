from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"

    def ready(self) -> None:
        from learnflow import hooks

        from . import forum

        hooks.achievement_metrics.register("community_posts", forum.community_posts_count)
