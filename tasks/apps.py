from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"

    def ready(self) -> None:
        from learnflow import events, hooks

        from . import demo, selectors, services

        hooks.user_data_exporters.register("tasks", selectors.tasks_export)
        hooks.user_data_exporters.register("goals", selectors.goals_export)
        hooks.demo_seeders.register("tasks", demo.seed_tasks)
        hooks.demo_seeders.register("goals", demo.seed_goals)
        events.subscribe(events.TIMEZONE_CHANGED, services.task_reminders_follow_timezone)
