"""The one hub through which lower apps tell higher ones what happened.

A lower app's service calls a function here; higher apps subscribe their handlers in their
``AppConfig.ready()``, so the whole list of listeners is visible there and nothing hides in signal
receivers scattered through modules. Lower apps never import higher ones.

Events:

* ``activity`` — ``user``, ``kind`` (e.g. ``task_completed``), ``obj``, ``occurred_at``: something
  the user did that challenges, achievements or streaks may count. Delivered after commit.
* ``timezone_changed`` — ``user``, ``old``, ``new``: delivered inside the caller's transaction, so
  data kept in local wall-clock terms moves with the user atomically.

Read-your-writes: an ``activity`` handler brings the acting user's own derived rows (streak,
challenge progress, points, achievements) up to date in the request that made the change, with
``refresh_or_queue``, so the user's next read already shows it. What only others read is left to a
job (``enqueue``). Handlers run in subscription order, i.e. the order of ``INSTALLED_APPS``
(challenges, then analytics); each app's handler orders its own refreshes.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from django.db import DatabaseError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

ACTIVITY = "activity"
TIMEZONE_CHANGED = "timezone_changed"

_handlers: dict[str, list[Callable[..., None]]] = defaultdict(list)

#: Options of the Celery tasks that repair what ``refresh_or_queue`` could not do in the request: a
#: database error (a deadlock, a lost connection, the database restarting) is retried with backoff.
REPAIR_JOB_OPTIONS = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "max_retries": 8,
}


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


def refresh_or_queue(refresh: Callable[[], object], job, *args) -> None:
    """Run ``refresh()`` now, in the request, so the acting user reads its result next; if it fails,
    log it and queue ``job(*args)`` (a Celery task doing the same work, retried on database errors).

    A handler calls this after commit: the user's write is saved and the answer to it is a success,
    so a failing refresh must neither fail the request nor undo anything. Refreshes recompute from
    the saved activity and award through unique rows, so running one again (the job after a partial
    refresh, a retry, a parallel request) adds nothing twice."""
    try:
        refresh()
    except Exception:
        logger.exception("refresh in the request failed; queueing %s%r", job.name, args)
        enqueue(job, *args)


def enqueue(job, *args) -> None:
    """Queue ``job(*args)`` from a handler, after commit, through the outbox (``learnflow.outbox``): a
    broker that is down delays the job until the relay publishes it, and never fails the request."""
    from .outbox import outbox_enqueue

    try:
        outbox_enqueue(job, *args)
    except Exception:
        logger.exception("could not queue %s%r; the nightly repairs heal what it would have done", job.name, args)
