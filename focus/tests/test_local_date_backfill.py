"""Sessions stored before ``local_date`` existed get it from the migration that indexes it: the date
their start showed in their user's timezone."""

import importlib
from datetime import UTC, date, datetime

import pytest
from django.apps import apps

from accounts.tests.factories import UserFactory
from focus.tests.factories import StudySessionFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("focus.migrations.0005_studysession_counted_user_day")


def test_sessions_without_a_local_date_get_their_users_local_date_at_the_start(monkeypatch):
    # given: 23:30 UTC on 17 November is the 18th in Berlin and the 17th in New York
    started = datetime(2026, 11, 17, 23, 30, tzinfo=UTC)
    berlin = StudySessionFactory(user=UserFactory(timezone="Europe/Berlin"), started_at=started, local_date=None)
    new_york = StudySessionFactory(user=UserFactory(timezone="America/New_York"), started_at=started, local_date=None)
    kept = StudySessionFactory(user=berlin.user, started_at=started, local_date=date(2026, 11, 1))
    monkeypatch.setattr(migration, "BATCH", 1)
    # when
    migration.backfill_local_dates(apps, None)
    # then
    for session in (berlin, new_york, kept):
        session.refresh_from_db()
    assert (berlin.local_date, new_york.local_date, kept.local_date) == (
        date(2026, 11, 18),
        date(2026, 11, 17),
        date(2026, 11, 1),
    )
