import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from learnflow.celery import app
from learnflow.schedules import PERIODIC_JOBS, schedules_install

pytestmark = pytest.mark.django_db


def test_migrate_installs_every_periodic_job():
    installed = dict(PeriodicTask.objects.values_list("name", "task"))
    assert installed == {job.name: job.task for job in PERIODIC_JOBS}


def test_every_periodic_job_names_a_registered_task():
    app.loader.import_default_modules()
    assert {job.task for job in PERIODIC_JOBS} <= set(app.tasks)


def test_installing_again_keeps_what_staff_changed():
    # given: staff paused a job and moved it to another hour
    task = PeriodicTask.objects.get(name="purge_old_notifications")
    task.enabled = False
    task.save()
    task.crontab.hour = "5"
    task.crontab.save()
    # when
    created = schedules_install()
    # then
    assert created == []
    task.refresh_from_db()
    assert task.enabled is False
    assert task.crontab.hour == "5"
    assert PeriodicTask.objects.filter(name="purge_old_notifications").count() == 1


def test_a_deleted_schedule_is_reinstalled_and_dry_run_changes_nothing(capsys):
    PeriodicTask.objects.filter(name="flush_expired_tokens").delete()
    assert schedules_install(dry_run=True) == ["flush_expired_tokens"]
    assert not PeriodicTask.objects.filter(name="flush_expired_tokens").exists()
    call_command("install_defaults")
    assert PeriodicTask.objects.get(name="flush_expired_tokens").crontab.hour == "3"


def test_runjob_lists_jobs(capsys):
    call_command("runjob", "--list")
    out = capsys.readouterr().out
    for job in PERIODIC_JOBS:
        assert job.name in out


def test_runjob_runs_a_job_once(capsys):
    call_command("runjob", "purge_old_notifications")
    assert "purge_old_notifications: 0" in capsys.readouterr().out


def test_runjob_refuses_an_unknown_job():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No periodic job named 'nope'"):
        call_command("runjob", "nope")
