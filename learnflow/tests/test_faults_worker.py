"""A worker killed mid-job (SIGKILL, as the OOM killer or a lost machine does): the job was not
acknowledged (acks late), so the broker delivers it again after the visibility timeout, and its
effect happens once. Real worker processes on a private Redis broker and the test's database."""

import os
import signal

import psycopg
import pytest

from accounts.choices import DataExportStatus
from accounts.models import DataExport
from learnflow.celery import app
from learnflow.testing import _database_url, client_for, wait_for, worker_process

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def blocked_on_a_lock(connection, table: str) -> bool:
    return bool(
        connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
            [f"%{table}%"],
        ).fetchone()[0]
    )


def test_a_job_whose_worker_is_killed_mid_job_is_redelivered_and_takes_effect_once(user, private_redis, tmp_path):
    # given: an export requested through the API (its job published to the broker), and its row locked
    # by another transaction, so the job the first worker takes is held mid-way
    response = client_for(user).post("/api/users/me/export")
    assert response.status_code == 202, response.content
    export = DataExport.objects.get(user=user)
    env = {"CELERY_BROKER_URL": private_redis.url(), "CELERY_VISIBILITY_TIMEOUT": "2"}
    with psycopg.connect(_database_url(), autocommit=False) as holder, psycopg.connect(_database_url()) as observer:
        observer.autocommit = True
        holder.execute("SELECT 1 FROM accounts_dataexport WHERE id = %s FOR UPDATE", [export.pk])
        with worker_process(tmp_path / "first.log", **env) as first:
            assert wait_for(lambda: blocked_on_a_lock(observer, "accounts_dataexport"), 30), first.log()
            # when: the worker is killed mid-job, parent and child, without a chance to acknowledge
            os.killpg(first.process.pid, signal.SIGKILL)
            first.process.wait()
        holder.rollback()
    export.refresh_from_db()
    assert export.status == DataExportStatus.PENDING
    # then: a new worker gets the job again and builds the export
    with worker_process(tmp_path / "second.log", **env) as second:
        assert wait_for(lambda: DataExport.objects.get(pk=export.pk).status == DataExportStatus.READY, 40), second.log()
        export.refresh_from_db()
        assert export.document["account"]["username"] == user.username
        # and a further delivery of the same job (an acknowledgement lost after the work) changes nothing
        app.send_task("accounts.build_data_export", args=[str(export.pk)])
        assert wait_for(lambda: second.log().count("succeeded in") == 2, 30), second.log()
        runs = [line for line in second.log().splitlines() if "succeeded in" in line]
        assert runs[-1].endswith(": None"), runs  # the second run found nothing pending
    again = DataExport.objects.get(pk=export.pk)
    assert (again.status, again.finished_at, again.document) == (export.status, export.finished_at, export.document)
