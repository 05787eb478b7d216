from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LearnflowConfig(AppConfig):
    name = "learnflow"
    verbose_name = "LearnFlow"

    def ready(self) -> None:
        from . import db, hooks, schedules  # noqa: F401  (db: its connection_created receiver)

        hooks.default_installers.register("periodic schedules", schedules.schedules_install)
        post_migrate.connect(_install_schedules_after_migrate, sender=self)


def _install_schedules_after_migrate(sender, using="default", **kwargs) -> None:
    """A fresh install gets its periodic schedules from ``migrate`` alone."""
    from .schedules import schedules_install

    schedules_install(using=using)
