"""The API's paginator answers a page with one query: the page query also carries the size of the
whole filtered list (a ``COUNT(*)`` subquery), so no separate ``COUNT`` runs, with the same answer
(count, next, previous, 404 past the end) as counting first. A list the page query cannot count
(DISTINCT, grouped rows, a union, a plain list) reads the page first and counts only a full page."""

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from learnflow.pagination import TOTAL, ShortPagePaginator
from tasks.models import Task
from tasks.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def get_with_queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    return response, [query["sql"] for query in context.captured_queries]


def count_queries(queries) -> int:
    """Queries that only count (``SELECT COUNT(*) ...``), not a page query carrying the count."""
    return sum(sql.upper().startswith("SELECT COUNT(") for sql in queries)


def task_page_queries(queries) -> list[str]:
    return [sql for sql in queries if '"tasks_task"' in sql]


@pytest.mark.parametrize(
    ("tasks", "path", "expected_count", "expected_results"),
    [
        (0, "/api/tasks/?page_size=10", 0, 0),
        (7, "/api/tasks/?page_size=10", 7, 7),
        (13, "/api/tasks/?page_size=10&page=2", 13, 3),
        (10, "/api/tasks/?page_size=10", 10, 10),
        (25, "/api/tasks/?page_size=10", 25, 10),
        (25, "/api/tasks/?page_size=10&page=2", 25, 10),
        (25, "/api/tasks/?page_size=10&page=3", 25, 5),
        (25, "/api/tasks/", 25, 20),
        (25, "/api/tasks/?page_size=1&page=25", 25, 1),
        (25, "/api/tasks/?page_size=100", 25, 25),
        (3, "/api/tasks/?page_size=1000", 3, 3),
    ],
)
def test_a_page_is_counted_by_its_own_query(auth_client, user, tasks, path, expected_count, expected_results):
    # given
    TaskFactory.create_batch(tasks, user=user)
    TaskFactory.create_batch(3)  # someone else's: not counted
    # when
    response, queries = get_with_queries(auth_client, path)
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], len(body["results"])) == (expected_count, expected_results)
    assert count_queries(queries) == 0
    assert len(task_page_queries(queries)) == 1


def test_the_count_column_does_not_show_in_the_rows(auth_client, user):
    # given
    TaskFactory.create_batch(12, user=user)
    # when
    body = auth_client.get("/api/tasks/?page_size=10").json()
    # then
    assert all(TOTAL not in row for row in body["results"])
    assert set(body["results"][0]) == {
        "id", "title", "description", "start_date", "due_date", "completed", "completed_at", "priority", "tags",
        "reminder_enabled", "reminder_time", "recurrence", "created_at", "updated_at",
    }  # fmt: skip


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


def test_an_empty_second_page_of_an_exact_multiple_is_404_without_counting(auth_client, user):
    # given
    TaskFactory.create_batch(10, user=user)
    # when
    response, queries = get_with_queries(auth_client, "/api/tasks/?page_size=10&page=2")
    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}
    assert count_queries(queries) == 0 and len(task_page_queries(queries)) == 1


def paginate(object_list, number, per_page=10):
    """A page of ``object_list`` and the SQL it took (count read as DRF reads it)."""
    with CaptureQueriesContext(connection) as context:
        paginator = ShortPagePaginator(object_list, per_page)
        page = paginator.page(number)
        rows, count, has_next = list(page.object_list), paginator.count, page.has_next()
    return rows, count, has_next, [query["sql"] for query in context.captured_queries]


def test_a_values_queryset_is_counted_in_its_page_and_keeps_its_keys(user):
    # given
    TaskFactory.create_batch(12, user=user)
    tasks = Task.objects.filter(user=user).order_by("title", "id").values("id", "title")
    # when
    rows, count, has_next, queries = paginate(tasks, 1)
    # then
    assert (count, has_next, len(queries), count_queries(queries)) == (12, True, 1, 0)
    assert rows == list(tasks[:10])
    assert all(set(row) == {"id", "title"} for row in rows)


def test_model_rows_do_not_keep_the_count_column(user):
    # given
    TaskFactory.create_batch(12, user=user)
    # when
    rows, count, _, _ = paginate(Task.objects.filter(user=user), 1)
    # then
    assert count == 12
    assert all(not hasattr(row, TOTAL) for row in rows)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda user: Task.objects.filter(user=user).distinct(), id="distinct"),
        pytest.param(
            lambda user: Task.objects.filter(user=user).values("priority").annotate(n=Count("pk")).order_by("priority"),
            id="grouped",
        ),
        pytest.param(
            lambda user: (
                Task.objects.filter(user=user, completed=True).union(Task.objects.filter(user=user)).order_by("id")
            ),
            id="union",
        ),
        pytest.param(lambda user: list(Task.objects.filter(user=user)), id="list"),
    ],
)
def test_a_list_the_page_query_cannot_count_falls_back_to_counting_a_full_page(user, make):
    # given
    TaskFactory.create_batch(12, user=user, priority="high")
    TaskFactory.create_batch(12, user=user, priority="low")
    object_list = make(user)
    expected = len(object_list) if isinstance(object_list, list) else object_list.count()
    # when
    full, full_count, _, full_queries = paginate(object_list, 1, per_page=2)
    # then
    assert full_count == expected and len(full) == 2
    assert all(TOTAL not in sql for sql in full_queries)
    if not isinstance(object_list, list):
        assert count_queries(full_queries) == 1


def test_an_empty_list_is_counted_without_a_query(user):
    # when
    rows, count, has_next, queries = paginate(Task.objects.none(), 1)
    # then
    assert (rows, count, has_next, queries) == ([], 0, False, [])


def test_the_count_follows_the_filters_and_the_search(auth_client, user):
    # given
    TaskFactory.create_batch(12, user=user, title="alpha task")
    TaskFactory.create_batch(5, user=user, title="beta task", completed=True)
    # when
    searched = auth_client.get("/api/tasks/?page_size=10&search=alpha").json()
    filtered = auth_client.get("/api/tasks/?page_size=2&completed=true").json()
    # then
    assert (searched["count"], len(searched["results"])) == (12, 10)
    assert (filtered["count"], len(filtered["results"])) == (5, 2)
