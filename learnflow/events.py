"""The one hub through which lower apps tell higher ones what happened.

A lower app's service calls a function here; higher apps subscribe their handlers in their
``AppConfig.ready()``, so the whole list of listeners is visible there and nothing hides in signal
receivers scattered through modules. Lower apps never import higher ones.

Events:

* ``activity`` — ``user``, ``kind`` (e.g. ``task_completed``), ``obj``, ``occurred_at``: something
  the user did that challenges, achievements or streaks may count. Delivered after commit.
* ``timezone_changed`` — ``user``, ``old``, ``new``: delivered inside the caller's transaction, so
  data kept in local wall-clock terms moves with the user atomically.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

ACTIVITY = "activity"
TIMEZONE_CHANGED = "timezone_changed"

_handlers: dict[str, list[Callable[..., None]]] = defaultdict(list)


def subscribe(event: str, handler: Callable[..., None]) -> None:
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def emit(event: str, **payload) -> None:
    for handler in list(_handlers[event]):
        handler(**payload)


def activity_recorded(*, user, kind: str, obj=None, occurred_at: datetime | None = None) -> None:
    """Announce a user's activity once the current transaction commits (never for a rollback)."""
    occurred_at = occurred_at or timezone.now()
    transaction.on_commit(lambda: emit(ACTIVITY, user=user, kind=kind, obj=obj, occurred_at=occurred_at))


def timezone_changed(*, user, old: str, new: str) -> None:
    emit(TIMEZONE_CHANGED, user=user, old=old, new=new)
