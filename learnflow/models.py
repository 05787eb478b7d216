"""Model pieces every app shares."""

import uuid

from django.db import models


class TimeStampedModel(models.Model):
    """Rows carry when they were created and last changed; changes are audit data, never input."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class UUIDModel(TimeStampedModel):
    """Objects the API exposes are addressed by a UUID, never by a guessable sequence."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class OutboxJob(models.Model):
    """A Celery job recorded in the same transaction as the write that asks for it (a transactional
    outbox): the write and the promise of its job commit together or not at all. After commit the job
    is published at once and marked sent; one whose publishing failed (the broker down) stays pending
    and the ``outbox_relay`` job publishes it once the broker is back. Jobs may therefore run twice
    (published, then the mark lost), so every job is idempotent."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    eta = models.DateTimeField(null=True, blank=True, help_text="Not to run before this time.")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Failed attempts to publish it.")
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(sent_at__isnull=True), name="outbox_pending_idx"),
            models.Index(fields=["sent_at"], condition=models.Q(sent_at__isnull=False), name="outbox_sent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)!r}"
