"""The points ledger: one row per (user, reason, source), totals derived from it and rebuildable by a
command, staff awards and revocations through the admin, the daily shutdown points, and the user's
data export."""

import io
import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from challenges.models import PointsEntry, UserPoints
from challenges.services import points_award
from challenges.tests.factories import ParticipationFactory
from learnflow.testing import at_once, client_for

pytestmark = pytest.mark.django_db

WEEK = date(2026, 5, 4)  # a Monday
WEDNESDAY = datetime(2026, 5, 6, 12, 0, tzinfo=UTC)
LAST_WEEK = datetime(2026, 4, 29, 12, 0, tzinfo=UTC)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def award(user, points=10, *, reason="achievement", source_type="achievement", source_id="first-session", **extra):
    return points_award(user=user, points=points, reason=reason, source_type=source_type, source_id=source_id, **extra)


def totals(user) -> tuple[int, int, date | None]:
    row = UserPoints.objects.get(user=user)
    return row.total_points, row.weekly_points, row.week_start


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


# --- one row per award ---------------------------------------------------------------------------


def test_an_award_is_a_ledger_row_counted_in_the_totals(user):
    # when
    with at(WEDNESDAY):
        entry = award(user, 10, note="first focus session")
    # then
    assert entry is not None
    assert PointsEntry.objects.filter(user=user).values(
        "points", "reason", "source_type", "source_id", "week_start", "note"
    ).get() == {
        "points": 10, "reason": "achievement", "source_type": "achievement", "source_id": "first-session",
        "week_start": WEEK, "note": "first focus session",
    }  # fmt: skip
    assert totals(user) == (10, 10, WEEK)


def test_awarding_the_same_source_twice_adds_one_row_and_counts_once(user):
    # given
    with at(WEDNESDAY):
        first = award(user, 10)
        # when
        second = award(user, 10)
    # then
    assert first is not None
    assert second is None
    assert PointsEntry.objects.filter(user=user).count() == 1
    assert totals(user) == (10, 10, WEEK)


def test_the_same_source_counts_for_another_user_and_for_another_reason(user, other_user):
    # when
    with at(WEDNESDAY):
        award(user, 10)
        award(other_user, 10)
        award(user, 5, reason="staff_award")
    # then
    assert PointsEntry.objects.count() == 3
    assert totals(user) == (15, 15, WEEK)
    assert totals(other_user) == (10, 10, WEEK)


@pytest.mark.django_db(transaction=True)
def test_parallel_awards_of_one_source_add_one_row(user):
    # given: four workers released at the same moment, awarding the same source
    threads_count = 4
    # when
    entries = at_once(lambda: award(user, 10, source_id="retried-job"), times=threads_count, timeout=30)
    results = [entry is not None for entry in entries]
    # then
    assert sorted(results) == [False] * (threads_count - 1) + [True]
    assert PointsEntry.objects.filter(user=user).count() == 1
    assert UserPoints.objects.get(user=user).total_points == 10


def test_points_of_an_earlier_week_count_in_the_total_but_not_this_week(user):
    # when: an award made now for something that happened last week
    with at(WEDNESDAY):
        award(user, 20, occurred_at=LAST_WEEK)
    # then
    assert PointsEntry.objects.get(user=user).week_start == WEEK - timedelta(days=7)
    assert totals(user) == (20, 0, WEEK)


def test_the_first_award_of_a_new_week_restarts_the_weekly_points(user):
    # given
    with at(LAST_WEEK):
        award(user, 30, source_id="last-week")
    # when
    with at(WEDNESDAY):
        award(user, 10, source_id="this-week")
    # then
    assert totals(user) == (40, 10, WEEK)


# --- rebuilding the totals -----------------------------------------------------------------------


def test_rebuild_points_recomputes_totals_from_the_ledger(user, other_user):
    # given: a ledger of 10 + 5 this week and 20 last week, and corrupted counters
    with at(LAST_WEEK):
        award(user, 20, source_id="a")
    with at(WEDNESDAY):
        award(user, 10, source_id="b")
        award(user, 5, source_id="c")
    UserPoints.objects.filter(user=user).update(total_points=999, weekly_points=999)
    UserPoints.objects.create(user=other_user, total_points=50, weekly_points=50, week_start=WEEK)
    # when
    with at(WEDNESDAY):
        call_command("rebuild_points", stdout=io.StringIO())
    # then
    assert totals(user) == (35, 15, WEEK)
    assert list(UserPoints.objects.filter(user=other_user).values_list("total_points", "weekly_points")) in (
        [],
        [(0, 0)],
    )


def test_rebuild_points_dry_run_changes_nothing(user):
    # given
    with at(WEDNESDAY):
        award(user, 10, source_id="a")
        award(user, 5, source_id="b")
    UserPoints.objects.filter(user=user).update(total_points=999, weekly_points=999)
    out = io.StringIO()
    # when
    with at(WEDNESDAY):
        call_command("rebuild_points", "--dry-run", stdout=out)
    # then
    assert totals(user) == (999, 999, WEEK)
    assert "1 user(s)" in out.getvalue()
    assert "2 ledger row(s)" in out.getvalue()


# --- staff adjustments in the admin --------------------------------------------------------------


def adjust(client, user, points, *, revoke=False, note="helped the study group", nonce=None):
    body = {"user": str(user.pk), "points": points, "note": note, "nonce": str(nonce or uuid.uuid4())}
    if revoke:
        body["revoke"] = "on"
    return client.post(reverse("admin:challenges_points_adjust"), body)


def test_staff_award_in_the_admin_adds_a_staff_award_row(staff_client, user):
    # when
    with at(WEDNESDAY):
        response = adjust(staff_client, user, 25, note="won the quiz")
    # then
    assert response.status_code == 302
    assert list(PointsEntry.objects.filter(user=user).values_list("points", "reason", "source_type", "note")) == [
        (25, "staff_award", "staff", "won the quiz")
    ]
    assert totals(user) == (25, 25, WEEK)


def test_staff_revoke_in_the_admin_adds_a_negative_staff_revoke_row(staff_client, user):
    # given
    with at(WEDNESDAY):
        award(user, 30)
        # when
        response = adjust(staff_client, user, 10, revoke=True, note="awarded by mistake")
    # then
    assert response.status_code == 302
    revoked = PointsEntry.objects.get(user=user, reason="staff_revoke")
    assert (revoked.points, revoked.note) == (-10, "awarded by mistake")
    assert PointsEntry.objects.filter(user=user).count() == 2
    assert totals(user) == (20, 20, WEEK)


def test_a_double_submitted_adjustment_form_adds_one_row(staff_client, user):
    # given: one rendered form, submitted twice
    nonce = uuid.uuid4()
    # when
    with at(WEDNESDAY):
        adjust(staff_client, user, 25, nonce=nonce)
        adjust(staff_client, user, 25, nonce=nonce)
    # then
    assert PointsEntry.objects.filter(user=user).count() == 1
    assert totals(user) == (25, 25, WEEK)


def test_an_adjustment_without_a_note_or_with_zero_points_adds_nothing(staff_client, user):
    # when
    without_note = adjust(staff_client, user, 25, note="")
    zero_points = adjust(staff_client, user, 0)
    # then
    assert (without_note.status_code, zero_points.status_code) == (200, 200)
    assert "note" in without_note.context["form"].errors
    assert "points" in zero_points.context["form"].errors
    assert not PointsEntry.objects.exists()


def test_a_user_who_is_not_staff_cannot_adjust_points(user, other_user):
    # given
    client = Client()
    client.force_login(user)
    # when
    response = adjust(client, other_user, 500)
    # then
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not PointsEntry.objects.exists()


def test_ledger_rows_cannot_be_changed_in_the_admin(staff_client, user):
    # given
    entry = award(user, 10)
    # when
    response = staff_client.post(
        reverse("admin:challenges_pointsentry_change", args=[entry.pk]),
        {"user": str(user.pk), "points": 1000, "reason": "staff_award", "source_type": "x", "source_id": "y"},
    )
    # then
    assert response.status_code == 403
    entry.refresh_from_db()
    assert (entry.points, entry.reason) == (10, "achievement")


@pytest.mark.parametrize("method", ["get", "post"])
def test_ledger_rows_cannot_be_deleted_in_the_admin(staff_client, user, method):
    # given
    entry = award(user, 10)
    # when
    response = getattr(staff_client, method)(
        reverse("admin:challenges_pointsentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    # then
    assert response.status_code == 403
    assert PointsEntry.objects.filter(pk=entry.pk).exists()


def test_ledger_rows_cannot_be_bulk_deleted_in_the_admin(staff_client, user):
    # given
    entry = award(user, 10)
    # when
    staff_client.post(
        reverse("admin:challenges_pointsentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    # then
    assert PointsEntry.objects.filter(pk=entry.pk).exists()


def test_ledger_rows_cannot_be_added_in_the_admin_except_through_the_adjustment(staff_client):
    # when
    response = staff_client.get(reverse("admin:challenges_pointsentry_add"))
    # then
    assert response.status_code == 403


# --- the daily shutdown points -------------------------------------------------------------------

# 2026-05-06 02:00 UTC is Tuesday 2026-05-05 22:00 in New York.
TUESDAY_EVENING_NY = datetime(2026, 5, 6, 2, 0, tzinfo=UTC)


def reflect(user, django_capture_on_commit_callbacks, when: datetime):
    with at(when), django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(
            "/api/dashboard/shutdown-reflection", {"productivity_rating": "good"}, format="json"
        )
    assert response.status_code == 201, response.content
    return response


def shutdown_days(user) -> list[tuple]:
    """The user's daily shutdown rows (achievements may add rows of their own)."""
    return sorted(
        PointsEntry.objects.filter(user=user, reason="shutdown_day").values_list("source_type", "source_id", "points")
    )


def ledger_total(user) -> int:
    return sum(PointsEntry.objects.filter(user=user).values_list("points", flat=True))


def test_a_reflection_awards_the_days_shutdown_points_for_the_local_day(django_capture_on_commit_callbacks):
    # given
    user = UserFactory(timezone="America/New_York")
    # when
    reflect(user, django_capture_on_commit_callbacks, TUESDAY_EVENING_NY)
    # then: the seed's formula: 10 for the shutdown + 2 for a one-day streak
    assert shutdown_days(user) == [("shutdown_day", "2026-05-05", 12)]
    assert UserPoints.objects.get(user=user).total_points == ledger_total(user) >= 12


def test_a_second_reflection_the_same_local_day_adds_no_points(django_capture_on_commit_callbacks):
    # given
    user = UserFactory(timezone="America/New_York")
    reflect(user, django_capture_on_commit_callbacks, TUESDAY_EVENING_NY)
    total_before = UserPoints.objects.get(user=user).total_points
    # when: an hour later, still Tuesday in New York (Wednesday in UTC)
    reflect(user, django_capture_on_commit_callbacks, TUESDAY_EVENING_NY + timedelta(hours=1))
    # then
    assert shutdown_days(user) == [("shutdown_day", "2026-05-05", 12)]
    assert UserPoints.objects.get(user=user).total_points == total_before


def test_the_next_local_day_earns_its_own_shutdown_points(django_capture_on_commit_callbacks):
    # given
    user = UserFactory(timezone="America/New_York")
    reflect(user, django_capture_on_commit_callbacks, TUESDAY_EVENING_NY)
    # when
    reflect(user, django_capture_on_commit_callbacks, TUESDAY_EVENING_NY + timedelta(days=1))
    # then: the second day has a two-day streak (+4)
    assert shutdown_days(user) == [("shutdown_day", "2026-05-05", 12), ("shutdown_day", "2026-05-06", 14)]
    assert UserPoints.objects.get(user=user).total_points == ledger_total(user) >= 26


# --- the data export -----------------------------------------------------------------------------


def test_export_user_data_has_a_points_section_with_only_the_users_rows(user, other_user):
    # given
    with at(WEDNESDAY):
        award(user, 10, source_id="mine")
        award(other_user, 99, source_id="theirs")
        mine = ParticipationFactory(user=user, weekly_challenge__challenge__name="Mine")
        ParticipationFactory(user=other_user, weekly_challenge__challenge__name="Theirs")
    out = io.StringIO()
    # when
    call_command("export_user_data", user.username, stdout=out)
    # then
    points = json.loads(out.getvalue())["points"]
    assert [(row["source_id"], row["points"], row["reason"]) for row in points["ledger"]] == [
        ("mine", 10, "achievement")
    ]
    assert [row["weekly_challenge__challenge__name"] for row in points["participations"]] == ["Mine"]
    assert points["participations"][0]["status"] == mine.status
