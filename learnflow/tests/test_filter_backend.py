"""The filter backend builds a filterset only for a request that names one of its filters, and then
filters exactly as django-filter does."""

from unittest import mock

import pytest

from learnflow.testing import client_for
from tasks.filters import TaskFilter
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def test_a_list_without_filter_parameters_builds_no_filterset(user):
    # given
    TaskFactory.create_batch(2, user=user)
    # when
    with mock.patch.object(TaskFilter, "__init__", side_effect=AssertionError("built")) as built:
        response = client_for(user).get("/api/tasks/?page=1&page_size=10&search=")
    # then
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert not built.called


def test_a_filter_parameter_still_filters_and_refuses_a_bad_value(user):
    # given
    TaskFactory(user=user, completed=True)
    TaskFactory(user=user, completed=False)
    client = client_for(user)
    # when
    done = client.get("/api/tasks/?completed=true")
    bad = client.get("/api/tasks/?priority=urgent")
    # then
    assert [task["completed"] for task in done.json()["results"]] == [True]
    assert bad.status_code == 400
    assert "priority" in bad.json()
