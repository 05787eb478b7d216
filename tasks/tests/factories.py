"""Factories for tasks, goals and progress. Goals and progress go through their services, so numbers
come from the same counters the API uses (and a later API-created goal continues the sequence)."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from tasks import services
from tasks.choices import GoalCategory, Priority
from tasks.models import Goal, Progress, Task


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    user = factory.SubFactory(UserFactory)
    title = factory.Faker("sentence", nb_words=4)
    description = ""
    priority = Priority.MEDIUM
    tags = factory.LazyFunction(list)
    completed = False
    completed_at = factory.LazyAttribute(lambda task: timezone.now() if task.completed else None)
    #: An hour before it was completed (or before now): a task planned, then done, as rewards expect.
    created_at = factory.LazyAttribute(lambda task: (task.completed_at or timezone.now()) - timedelta(hours=1))

    @classmethod
    def _create(cls, model_class, *args, created_at=None, **kwargs):
        task = super()._create(model_class, *args, **kwargs)
        model_class.objects.filter(pk=task.pk).update(created_at=created_at)
        task.created_at = created_at
        return task


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    user = factory.SubFactory(UserFactory)
    goal_name = factory.Faker("sentence", nb_words=3)
    category = GoalCategory.PRIMARY
    deadline = None
    is_complete = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.goal_create(**kwargs)


class ProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Progress

    goal = factory.SubFactory(GoalFactory)
    progress = factory.Faker("sentence", nb_words=5)
    logged_hours = timedelta(hours=1)
    total_hours = timedelta(hours=2)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.progress_create(**kwargs)
