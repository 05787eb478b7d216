"""``/health/``: whether the database, the cache and the broker answer."""

import logging
import time
import uuid

from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    """Through the ``strict`` cache: the ``default`` one hides a Redis that is down (learnflow.cache)."""
    cache = caches["strict"]
    key, value = f"health:{uuid.uuid4().hex}", "ok"
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return what was written")
    cache.delete(key)


def _check_broker() -> None:
    from learnflow.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@require_GET
def health(request):
    """200 when every dependency answers, 503 (naming the failing ones) otherwise."""
    report, healthy = {}, True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "down", reported not raised
            logger.warning("health check %s failed: %s", name, exc)
            report[name] = {"status": "down", "error": exc.__class__.__name__}
            healthy = False
        else:
            report[name] = {"status": "up", "ms": round((time.perf_counter() - started) * 1000, 1)}
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": report}, status=200 if healthy else 503)
