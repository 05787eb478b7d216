"""``learnflow.compiled.CompiledValues``: a ``values()`` query compiled once and run with each call's
values answers exactly what the ORM answers, in one query, and a builder it cannot compile faithfully
is refused when the template is made, never run with a value frozen into it."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Count, F, Q, Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from focus.models import StudySession
from learnflow.compiled import CompiledRows, CompiledValues, TemplateError
from learnflow.testing import at_once
from tasks.models import Task

pytestmark = pytest.mark.django_db


def _open_tasks(*, user, due_after, limit_id):
    return (
        Task.objects.filter(user=user, completed=False, due_date__gte=due_after, priority_rank__lt=limit_id)
        .annotate(label=Value("open"), doubled=F("priority_rank") * 2)
        .order_by("due_date", "title")
        .values("id", "title", "due_date", "tags", "label", "doubled")
    )


open_tasks = CompiledValues(_open_tasks, user=uuid.UUID, due_after=datetime, limit_id=int)


@pytest.fixture
def tasks(user, other_user):
    now = timezone.now()
    made = [
        Task.objects.create(user=user, title=f"task {n}", due_date=now + timedelta(days=n), tags=["exam", str(n)])
        for n in range(-2, 4)
    ]
    Task.objects.create(user=user, title="done", due_date=now, completed=True)
    Task.objects.create(user=other_user, title="theirs", due_date=now + timedelta(days=1))
    return now, made


def test_rows_equal_the_orms_for_any_values(user, other_user, tasks):
    now, _ = tasks
    for who in (user, other_user):
        for due_after in (now - timedelta(days=30), now, now + timedelta(days=2), now + timedelta(days=90)):
            for limit in (0, 2, 3, 9):
                values = {"user": who.pk, "due_after": due_after, "limit_id": limit}
                assert open_tasks(**values) == list(_open_tasks(**values))
    rows = open_tasks(user=user.pk, due_after=now - timedelta(days=30), limit_id=9)
    assert len(rows) == 6
    # The converters ran as values() runs them: JSON decoded, datetimes aware.
    assert rows[0]["tags"] == ["exam", "-2"] and rows[0]["due_date"].tzinfo is not None
    assert {row["label"] for row in rows} == {"open"}


def test_one_query_per_call_and_the_same_sql(user, tasks):
    open_tasks(user=user.pk, due_after=tasks[0], limit_id=9)  # compiled here
    with CaptureQueriesContext(connection) as queries:
        open_tasks(user=user.pk, due_after=tasks[0], limit_id=9)
        open_tasks(user=uuid.uuid4(), due_after=tasks[0], limit_id=1)
    assert len(queries) == 2
    assert queries[0]["sql"].split(" WHERE ")[0] == queries[1]["sql"].split(" WHERE ")[0]


def test_each_thread_compiles_its_own_and_answers_right(user, other_user, transactional_db):
    now = timezone.now()
    Task.objects.create(user=user, title="mine", due_date=now)
    Task.objects.create(user=other_user, title="theirs", due_date=now)
    owners = iter([user, other_user, user, other_user])

    def read():
        who = next(owners)
        return who.username, [row["title"] for row in open_tasks(user=who.pk, due_after=now, limit_id=9)]

    answers = dict(at_once(read, times=4))
    assert answers == {user.username: ["mine"], other_user.username: ["theirs"]}


def test_a_value_used_in_a_computed_form_is_refused(user):
    shifted = CompiledValues(
        lambda *, user, day: StudySession.objects.filter(user=user, local_date=day + timedelta(days=1)).values("pk"),
        user=uuid.UUID,
        day=date,
    )
    with pytest.raises(TemplateError, match="computed value"):
        shifted(user=user.pk, day=date(2026, 3, 1))


def test_now_frozen_into_the_sql_is_refused(user, time_machine):
    time_machine.move_to(datetime(2026, 3, 1, 12, tzinfo=UTC), tick=False)  # both builds see the same now
    recent = CompiledValues(
        lambda *, user: Task.objects.filter(user=user, created_at__gte=timezone.now()).values("pk"), user=uuid.UUID
    )
    with pytest.raises(TemplateError, match="fixed date or time"):
        recent(user=user.pk)


def test_a_shape_that_depends_on_the_values_is_refused(user):
    def build(*, user, day):
        sessions = StudySession.objects.filter(user=user, local_date=day)
        return (sessions.filter(verified=True) if day.year > 1930 else sessions).values("pk")

    with pytest.raises(TemplateError, match="SQL depends on the values"):
        CompiledValues(build, user=uuid.UUID, day=date)(user=user.pk, day=date(2026, 3, 1))


def test_an_argument_the_sql_does_not_hold_is_refused(user):
    ignored = CompiledValues(lambda *, user, day: Task.objects.filter(user=user).values("pk"), user=uuid.UUID, day=date)
    with pytest.raises(TemplateError, match="not found among the parameters"):
        ignored(user=user.pk, day=date(2026, 3, 1))


def test_arguments_are_checked(user):
    with pytest.raises(TemplateError, match="no markers"):
        CompiledValues(lambda *, name: Task.objects.filter(title=name).values("pk"), name=str)
    with pytest.raises(TypeError, match="takes"):
        open_tasks(user=user.pk, due_after=timezone.now())


def test_constants_stay_and_aggregates_convert(user):
    today = date(2026, 3, 2)
    for day, minutes in ((today, 25), (today, 50), (today - timedelta(days=1), 10)):
        StudySession.objects.create(
            user=user,
            topic="t",
            duration_seconds=minutes * 60,
            started_at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
            local_date=day,
            session_type="focus",
            status="completed",
        )

    def build(*, user, first, last):
        return (
            StudySession.objects.filter(user=user, local_date__in=(first, last))
            .exclude(Q(topic="skipped"))
            .values("local_date")
            .annotate(n=Count("pk"))
            .order_by("local_date")
        )

    per_day = CompiledValues(build, user=uuid.UUID, first=date, last=date)
    assert per_day(user=user.pk, first=today - timedelta(days=1), last=today) == [
        {"local_date": today - timedelta(days=1), "n": 1},
        {"local_date": today, "n": 2},
    ]
    assert per_day(user=user.pk, first=today, last=today + timedelta(days=5)) == [{"local_date": today, "n": 2}]


def test_pages_and_counts_equal_the_sliced_and_counted_queryset(user, tasks):
    now, _ = tasks
    values = {"user": user.pk, "due_after": now - timedelta(days=30), "limit_id": 9}
    everything = list(_open_tasks(**values))
    assert open_tasks.count(**values) == len(everything) == 6
    for offset in range(8):
        for limit in range(8):
            assert open_tasks.page(offset=offset, limit=limit, **values) == everything[offset : offset + limit]
    rows = CompiledRows(open_tasks, **values)
    assert rows[2:5] == everything[2:5] and rows[:3] == everything[:3] and rows.count() == len(rows) == 6
    with pytest.raises(TypeError):
        rows[1]
    with pytest.raises(TypeError):
        rows[1:]


def test_a_query_whose_sql_does_not_end_with_its_limit_has_no_pages(user, transactional_db):
    # FOR UPDATE comes after LIMIT
    locked = CompiledValues(
        lambda *, user: Task.objects.filter(user=user).select_for_update().values("pk"), user=uuid.UUID
    )
    with transaction.atomic():
        assert locked(user=user.pk) == []
        with pytest.raises(TemplateError, match="cannot be sliced"):
            locked.page(offset=0, limit=5, user=user.pk)
