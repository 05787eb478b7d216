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
