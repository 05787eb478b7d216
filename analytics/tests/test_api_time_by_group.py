"""Time by group (StudySync's group breakdown): counted study per group and "Personal", between local
dates, past groups kept, the caller's own sessions only, bad dates named, constant queries."""

from datetime import date

import pytest

from community.tests.factories import group_with
from focus.choices import SessionStatus, SessionType
from focus.tests.factories import StudySessionFactory
from learnflow.testing import client_for, count_queries

pytestmark = pytest.mark.django_db

PATH = "/api/study-sessions/analytics/by-group"


def session(user, minutes: int, group=None, day=date(2026, 11, 2), **fields):
    return StudySessionFactory(user=user, group=group, duration_seconds=minutes * 60, local_date=day, **fields)


def test_time_splits_over_groups_and_personal_study(user, other_user):
    # given
    maths = group_with(leader=user, group_name="Maths")
    chem = group_with(leader=other_user, members=[user], group_name="Chemistry")
    session(user, 60, maths)
    session(user, 30, maths, manual=True)
    session(user, 45, chem)
    session(user, 15)
    session(user, 50, maths, session_type=SessionType.BREAK)
    session(user, 20, chem, status=SessionStatus.STOPPED)
    session(other_user, 500, chem)
    # when
    response = client_for(user).get(PATH)
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["date_from"], body["date_to"], body["total_minutes"]) == (None, None, 150)
    assert [tuple(row.values()) for row in body["groups"]] == [
        (str(maths.pk), "Maths", 90, 2, 60.0),
        (str(chem.pk), "Chemistry", 45, 1, 30.0),
        (None, "Personal", 15, 1, 10.0),
    ]
    assert list(body["groups"][0]) == ["group_id", "group_name", "total_minutes", "session_count", "percentage"]


def test_a_date_range_counts_local_days_inclusive(user):
    # given
    group = group_with(leader=user)
    session(user, 10, group, day=date(2026, 11, 1))
    session(user, 20, group, day=date(2026, 11, 2))
    session(user, 40, group, day=date(2026, 11, 3))
    # when
    body = client_for(user).get(PATH, {"date_from": "2026-11-02", "date_to": "2026-11-03"}).json()
    # then
    assert (body["date_from"], body["date_to"], body["total_minutes"]) == ("2026-11-02", "2026-11-03", 60)


def test_a_group_one_has_left_still_counts(user, other_user):
    # given
    group = group_with(leader=other_user, members=[user], group_name="Old circle")
    session(user, 25, group)
    client = client_for(user)
    client.delete(f"/api/groups/{group.pk}/leave")
    # when
    rows = client.get(PATH).json()["groups"]
    # then
    assert [(row["group_name"], row["total_minutes"]) for row in rows] == [("Old circle", 25)]


def test_nothing_studied_gives_an_empty_breakdown(user):
    assert client_for(user).get(PATH).json() == {"date_from": None, "date_to": None, "total_minutes": 0, "groups": []}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"date_from": "yesterday"}, "date_from"), ({"date_to": "2026-13-01"}, "date_to"),
     ({"date_from": "2026-11-05", "date_to": "2026-11-01"}, "date_to")],
)  # fmt: skip
def test_bad_dates_answer_400_naming_the_field(user, params, field):
    response = client_for(user).get(PATH, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_by_group_needs_a_token(api_client):
    assert api_client.get(PATH).status_code == 401


def test_the_breakdown_costs_the_same_queries_for_few_or_many_groups(user):
    # given
    client = client_for(user)
    session(user, 10, group_with(leader=user))
    few = count_queries(client, PATH)
    # when
    for _ in range(10):
        session(user, 10, group_with(leader=user))
    # then
    assert count_queries(client, PATH) == few
