from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self) -> None:
        from learnflow import events, hooks

        from . import admin_views, demo, handlers, selectors, streaks

        events.subscribe(events.ACTIVITY, handlers.on_activity)
        hooks.user_data_exporters.register("weekly_reviews", selectors.weekly_reviews_export)
        hooks.public_stats_providers.register("streaks", streaks.public_stats)
        hooks.admin_pages.register("Activity", admin_views.activity_page)
        hooks.demo_seeders.register("streaks and leaderboard totals", demo.seed_derived)
        hooks.user_data_exporters.register("streak", selectors.streak_export)
        hooks.user_data_exporters.register("focus_totals", selectors.focus_totals_export)
