from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "challenges"

    def ready(self) -> None:
        from learnflow import events, hooks

        from . import handlers, selectors, services

        events.subscribe(events.ACTIVITY, handlers.on_activity)
        hooks.default_installers.register("challenges", services.challenges_install_defaults)
        hooks.user_data_exporters.register("points", selectors.points_export)
