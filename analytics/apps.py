from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self) -> None:
        from learnflow import hooks

        from . import selectors

        hooks.user_data_exporters.register("weekly_reviews", selectors.weekly_reviews_export)
