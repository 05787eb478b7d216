from django.apps import AppConfig


class FocusConfig(AppConfig):
    name = "focus"

    def ready(self) -> None:
        from learnflow import hooks

        from . import demo, selectors

        hooks.user_data_exporters.register("study_sessions", selectors.study_sessions_export)
        hooks.user_data_exporters.register("shutdown_reflections", selectors.shutdown_reflections_export)
        hooks.demo_seeders.register("study sessions", demo.seed_sessions)
        hooks.public_stats_providers.register("study", selectors.public_stats)
