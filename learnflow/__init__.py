"""The LearnFlow project: settings, root URLs, the Celery app and pieces every app shares."""

from .celery import app as celery_app

__all__ = ("celery_app",)
