"""Factories for study sessions. The default is an ended, server-timed 30-minute focus session on the
user's local date when it started (as the services store it); the ``active`` and ``manual`` traits
give a running timer and a hand-logged (unverified) session."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from focus.choices import SessionSource, SessionStatus, SessionType
from focus.models import StudySession
from learnflow.timeutils import local_now, user_zone


class StudySessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudySession

    user = factory.SubFactory(UserFactory)
    session_type = SessionType.FOCUS
    topic = factory.Faker("sentence", nb_words=3)
    notes = ""
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    local_date = factory.LazyAttribute(lambda s: local_now(user_zone(s.user), s.started_at).date())
    planned_duration = 30
    duration_seconds = factory.LazyAttribute(lambda s: (s.planned_duration or 30) * 60)
    ended_at = factory.LazyAttribute(lambda s: s.started_at + timedelta(seconds=s.duration_seconds))
    status = SessionStatus.COMPLETED
    source = SessionSource.TIMER
    verified = factory.LazyAttribute(lambda s: s.source == SessionSource.TIMER)

    class Params:
        active = factory.Trait(status=SessionStatus.ACTIVE, duration_seconds=None, ended_at=None)
        manual = factory.Trait(source=SessionSource.MANUAL, planned_duration=None, verified=False)
