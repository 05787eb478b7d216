from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "challenges"

    def ready(self) -> None:
        from learnflow import events, hooks

        from . import achievements, demo, handlers, selectors, services

        events.subscribe(events.ACTIVITY, handlers.on_activity)
        hooks.default_installers.register("challenges", services.challenges_install_defaults)
        hooks.default_installers.register("achievements", achievements.achievements_install_defaults)
        for name, metric in achievements.METRICS.items():
            hooks.achievement_metrics.register(name, metric)
        for name, metric in achievements.METRICS_MANY.items():
            hooks.achievement_metrics_many.register(name, metric)
        hooks.demo_seeders.register("challenges", demo.seed_challenges)
        hooks.user_data_exporters.register("points", selectors.points_export)
        hooks.public_stats_providers.register("achievements", selectors.public_stats)
        hooks.user_data_exporters.register("achievements", selectors.achievements_export)
        hooks.user_deletion_handlers.register("weekly results", services.weekly_results_close_up)
        hooks.user_deletion_handlers.register("week's joined counts", services.week_changed_for_deletion)
