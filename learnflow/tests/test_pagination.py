"""The API's paginator reads the page before it counts: a short page (the last) costs no COUNT query,
with the same answer (count, next, previous) as counting first."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def get_with_queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    return response, [query["sql"] for query in context.captured_queries]


def counts(queries) -> int:
    return sum("COUNT(" in sql.upper() for sql in queries)


@pytest.mark.parametrize(
    ("tasks", "path", "expected_count", "expected_results", "count_queries"),
    [
        (0, "/api/tasks/?page_size=10", 0, 0, 0),
        (7, "/api/tasks/?page_size=10", 7, 7, 0),
        (13, "/api/tasks/?page_size=10&page=2", 13, 3, 0),
        (10, "/api/tasks/?page_size=10", 10, 10, 1),
        (25, "/api/tasks/?page_size=10", 25, 10, 1),
    ],
)
def test_a_short_page_is_counted_without_a_count_query(
    auth_client, user, tasks, path, expected_count, expected_results, count_queries
):
    # given
    TaskFactory.create_batch(tasks, user=user)
    # when
    response, queries = get_with_queries(auth_client, path)
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], len(body["results"])) == (expected_count, expected_results)
    assert counts(queries) == count_queries


def test_next_and_previous_links_are_as_before(auth_client, user):
    # given
    TaskFactory.create_batch(13, user=user)
    # when
    first = auth_client.get("/api/tasks/?page_size=10").json()
    second = auth_client.get("/api/tasks/?page_size=10&page=2").json()
    # then
    assert first["next"].endswith("page=2&page_size=10") and first["previous"] is None
    assert second["next"] is None and second["previous"] is not None


@pytest.mark.parametrize("page", ["3", "0", "x"])
def test_a_page_past_the_end_or_invalid_is_404(auth_client, user, page):
    # given
    TaskFactory.create_batch(13, user=user)
    # when
    response = auth_client.get(f"/api/tasks/?page_size=10&page={page}")
    # then
    assert response.status_code == 404


def test_an_empty_second_page_of_an_exact_multiple_is_404(auth_client, user):
    # given
    TaskFactory.create_batch(10, user=user)
    # when
    response = auth_client.get("/api/tasks/?page_size=10&page=2")
    # then
    assert response.status_code == 404
