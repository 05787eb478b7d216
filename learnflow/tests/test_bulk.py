"""The bulk writers: COPY fills what Django would, an insert skips the rows a unique constraint
already holds, one statement updates many rows."""

import uuid

import pytest

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from analytics.models import FocusTotal
from learnflow import bulk
from tasks.models import Task

pytestmark = pytest.mark.django_db


def test_copy_rows_fills_defaults_timestamps_and_generated_columns():
    # given
    user = UserFactory()
    # when
    count = bulk.copy_rows(Task, ("id", "user_id", "title", "priority"), [(uuid.uuid4(), user.pk, "Read", "high")])
    # then
    assert count == 1
    task = Task.objects.get(user=user)
    assert (task.title, task.description, task.tags, task.completed, task.priority_rank) == ("Read", "", [], False, 3)
    assert task.created_at is not None


def test_insert_missing_skips_rows_a_unique_constraint_holds():
    # given
    user = UserFactory()
    Notification.objects.create(user=user, title="first", dedupe_key="k1")
    rows = [(user.pk, "again", "k1", {"a": 1}), (user.pk, "new", "k2", {"a": 2}), (user.pk, "plain", None, {})]
    # when
    inserted = bulk.insert_missing(Notification, ("user_id", "title", "dedupe_key", "data"), rows)
    # then
    assert inserted == 2
    assert dict(Notification.objects.filter(user=user).values_list("title", "data")) == {
        "first": {},
        "new": {"a": 2},
        "plain": {},
    }


def test_update_rows_sets_each_row_its_values():
    # given
    user, other = UserFactory(), UserFactory()
    a = FocusTotal.objects.create(user=user, period="all_time", period_start="1970-01-01")
    b = FocusTotal.objects.create(user=other, period="all_time", period_start="1970-01-01")
    # when
    changed = bulk.update_rows(FocusTotal, "id", ["seconds", "sessions"], [(a.pk, 600, 1), (b.pk, 1200, 2)])
    # then
    assert changed == 2
    assert sorted(FocusTotal.objects.values_list("seconds", "sessions")) == [(600, 1), (1200, 2)]
