from django.apps import AppConfig


class FocusConfig(AppConfig):
    name = "focus"

    def ready(self) -> None:
        from learnflow import hooks

        from . import demo, selectors
        from .rooms import selectors as room_selectors
        from .rooms import services as room_services

        hooks.user_data_exporters.register("study_sessions", selectors.study_sessions_export)
        hooks.user_data_exporters.register("shutdown_reflections", selectors.shutdown_reflections_export)
        hooks.user_data_exporters.register("rooms", room_selectors.rooms_export)
        hooks.user_deletion_handlers.register("room seat", room_services.room_leave_for_deletion)
        hooks.demo_seeders.register("study sessions", demo.seed_sessions)
        hooks.public_stats_providers.register("study", selectors.public_stats)
