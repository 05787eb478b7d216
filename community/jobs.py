"""Celery tasks of community."""

from celery import shared_task

from .services import invitations_expire


@shared_task(name="community.expire_invitations")
def expire_invitations() -> int:
    return invitations_expire()
