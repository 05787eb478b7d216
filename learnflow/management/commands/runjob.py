from django.core.management.base import BaseCommand, CommandError

from learnflow.celery import app
from learnflow.schedules import PERIODIC_JOBS, periodic_job_get


class Command(BaseCommand):
    help = "Run one periodic job once, in this process (jobs are idempotent), or list them with --list."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="the job's name, as --list shows it")
        parser.add_argument("--list", action="store_true", help="list every periodic job and its schedule")

    def handle(self, *args, name=None, list=False, **options):
        if list or not name:
            width = max(len(job.name) for job in PERIODIC_JOBS)
            for job in PERIODIC_JOBS:
                self.stdout.write(f"{job.name:<{width}}  {job.when:<28}  {job.description}")
            return
        try:
            job = periodic_job_get(name)
        except KeyError:
            raise CommandError(f"No periodic job named {name!r}; see runjob --list.") from None
        app.loader.import_default_modules()
        result = app.tasks[job.task].apply()
        if result.failed():
            raise CommandError(f"{job.name} failed: {result.result!r}")
        self.stdout.write(self.style.SUCCESS(f"{job.name}: {result.result}"))
